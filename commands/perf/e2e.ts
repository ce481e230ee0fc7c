import { connectionFlags } from '../../src/cli/base-command';
import { UsageError, forFlag } from '../../src/core/errors';
import { gateFlags } from '../../src/cli/flags/gates';
import { PerfCommand, type PerfCommandFlagValues } from '../../src/cli/perf-command';
import { consumeFlags, perfRunFlags, produceFlags, produceOptionsFromFlags } from '../../src/cli/flags/perf';
import { runE2e } from '../../src/perf/run';
import { parseDuration } from '../../src/util/duration';

export default class PerfE2eCommand extends PerfCommand<typeof PerfE2eCommand> {
  static override writes = true;
  static override summary =
    'Produce and consume in one run: publish latencies and end-to-end latency together';
  static override description = `A consumer subscribes at the end of the topic first, then the open-loop producer runs; the consumer stops once it has every acknowledged record (or after --idle-timeout). Reports response, service and send-delay latency of the producer and end-to-end latency (receive − intended send).`;
  static override examples = [
    '<%= config.bin %> perf e2e --kind kafka --topic load --rate 10000 --duration 30s',
    '<%= config.bin %> perf e2e --kind rabbitmq --topic q1 --create-topic --rate 5000 --num-records 100000 --report e2e.html',
  ];
  static override flags = {
    ...connectionFlags,
    ...perfRunFlags,
    ...produceFlags,
    ...consumeFlags,
    ...gateFlags,
  };

  protected perfFlags(): PerfCommandFlagValues {
    return this.flags;
  }

  async run(): Promise<void> {
    const producerConnection = await this.connect();
    const consumerConnection = await this.connect();
    const f = this.flags;
    const options = produceOptionsFromFlags(f, producerConnection.kind);
    if (f.threads !== 1)
      throw new UsageError('perf e2e runs on one thread: --threads is for perf produce and perf consume', {
        hint: 'run `perf produce --threads N` and `perf consume --threads N --from latest` side by side',
      });
    const output = await runE2e(
      producerConnection,
      consumerConnection,
      options,
      {
        group: f.group,
        prefetch: f.prefetch,
        idleTimeoutMs: forFlag('--idle-timeout', () => parseDuration(f['idle-timeout'])),
      },
      this.runHooks(),
    );
    await this.finishRun(output);
  }
}
