import { connectionFlags } from '../../src/cli/base-command';
import { UsageError } from '../../src/core/errors';
import { gateFlags } from '../../src/cli/flags/gates';
import { PerfCommand, type PerfCommandFlagValues } from '../../src/cli/perf-command';
import { perfRunFlags, produceFlags, produceOptionsFromFlags } from '../../src/cli/flags/perf';
import { runProduce } from '../../src/perf/run';
import { runProduceThreads } from '../../src/perf/threads/produce-main';

export default class PerfProduceCommand extends PerfCommand<typeof PerfProduceCommand> {
  static override writes = true;
  static override summary =
    'Produce at an exact rate and measure honest (coordinated-omission-corrected) latency';
  static override description = `Open-loop load: record i is due at start + i/rate whatever happened before, so a stall shows up in the numbers instead of hiding. Three HDR histograms (µs): response latency (ack − intended), service latency (ack − actual send, what kafka-producer-perf-test reports) and send delay (actual − intended). When the send delay shows mqctl itself fell behind, the run is marked invalid.

Pulsar: mqctl's own binary-protocol client on the service URL (pulsar:// or pulsar+ssl://, --token) with Java-client batching (1000 records / 128 KiB / --batch-delay) is the default data path; --pulsar-client websocket uses the broker's WebSocket API instead.

Progress every --interval on stderr; the final summary and a kafka-producer-perf-test line on stdout (or the result document with --output json). Ctrl-C prints the partial summary and exits 130.`;
  static override examples = [
    '<%= config.bin %> perf produce --kind kafka --topic load --rate 50000 --record-size 100 --duration 60s --warmup 5s',
    '<%= config.bin %> perf produce --kind kafka --topic load --throughput -1 --num-records 1000000 --producer-props acks=1 linger.ms=5',
    '<%= config.bin %> perf produce --kind rabbitmq --topic q1 --create-topic --rate 20000 --duration 30s --confirm 1000',
    '<%= config.bin %> perf produce --kind pulsar --topic load --rate 20000 --duration 30s --result run.json --report run.html',
    '<%= config.bin %> perf produce --kind pulsar --topic load --create-topic --partitions 3 --rate 0 --num-records 300000 --pulsar-client websocket',
    '<%= config.bin %> perf produce --kind kafka --topic load --rate 200000 --shard 0/4 --duration 5m  # one of 4 pods',
    '<%= config.bin %> perf produce --kind kafka --topic load --rate 80000 --threads 2 --duration 60s',
  ];
  static override flags = { ...connectionFlags, ...perfRunFlags, ...produceFlags, ...gateFlags };

  protected perfFlags(): PerfCommandFlagValues {
    return this.flags;
  }

  async run(): Promise<void> {
    const connection = await this.connect();
    const options = produceOptionsFromFlags(this.flags, connection.kind);
    const threads = this.flags.threads;
    if (threads < 1) throw new UsageError('--threads must be ≥ 1');
    const output =
      threads > 1
        ? await runProduceThreads(this.resolveContext(), this.timeoutMs, threads, options, this.runHooks())
        : await runProduce(connection, options, this.runHooks());
    await this.finishRun(output);
  }
}
