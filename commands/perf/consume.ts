import { Flags } from '@oclif/core';
import { connectionFlags } from '../../src/cli/base-command';
import { UsageError } from '../../src/core/errors';
import { gateFlags } from '../../src/cli/flags/gates';
import { PerfCommand, type PerfCommandFlagValues } from '../../src/cli/perf-command';
import {
  consumeFlags,
  consumeFromFlag,
  consumeOptionsFromFlags,
  perfRunFlags,
} from '../../src/cli/flags/perf';
import { runConsumeThreads } from '../../src/perf/threads/consume-main';
import { runConsume } from '../../src/perf/run';

export default class PerfConsumeCommand extends PerfCommand<typeof PerfConsumeCommand> {
  /** It changes broker state: RabbitMQ acks remove what it reads; Kafka groups and Pulsar subscriptions are made and moved. */
  static override writes = true;
  static override summary =
    'Consume and measure throughput, and end-to-end latency of records stamped by perf produce';
  static override description = `End-to-end latency = receive time − the intended send time perf produce wrote in the mqctl-ts header/property (epoch µs; compare clocks only on one host or with synchronised clocks). Records without the stamp are counted, not timed. Pulsar: the binary protocol by default (--pulsar-client websocket for the WebSocket API); a record produced over either path is timed over either.`;
  static override examples = [
    '<%= config.bin %> perf consume --kind kafka --topic load --num-records 1000000',
    '<%= config.bin %> perf consume --kind rabbitmq --topic q1 --duration 30s --prefetch 500',
    '<%= config.bin %> perf consume --kind pulsar --topic load --group bench --from latest --duration 60s --hgrm e2e.hgrm',
    '<%= config.bin %> perf consume --kind kafka --topic load --threads 2 --num-records 3000000',
  ];
  static override flags = {
    ...connectionFlags,
    ...perfRunFlags,
    ...consumeFlags,
    ...consumeFromFlag,
    threads: Flags.integer({
      description:
        'worker threads, each with its own connection and consumer (Kafka: one group; Pulsar: a Shared subscription; RabbitMQ: N consumers on the queue); --num-records is the total, histograms merged exactly',
      default: 1,
    }),
    ...gateFlags,
  };

  protected perfFlags(): PerfCommandFlagValues {
    return this.flags;
  }

  async run(): Promise<void> {
    const connection = await this.connect();
    const options = consumeOptionsFromFlags(this.flags, connection.kind);
    const threads = this.flags.threads;
    if (threads < 1) throw new UsageError('--threads must be ≥ 1');
    const output =
      threads > 1
        ? await runConsumeThreads(
            connection,
            this.resolveContext(),
            this.timeoutMs,
            threads,
            options,
            this.runHooks(),
          )
        : await runConsume(connection, options, this.runHooks());
    await this.finishRun(output);
  }
}
