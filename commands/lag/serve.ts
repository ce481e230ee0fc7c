import { Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { InterruptedError } from '../../src/cli/errors';
import { lagSourceFor } from '../../src/brokers/lag';
import { lagSelectionFlags } from '../../src/lag/flags';
import { parseInterval } from '../../src/lag/options';
import { LagHistory } from '../../src/lag/report';
import { serveLagMetrics } from '../../src/lag/serve';

export default class LagServeCommand extends BaseCommand<typeof LagServeCommand> {
  static override summary = 'Serve lag as Prometheus metrics at /metrics (kafka-lag-exporter style names)';
  static override description =
    'Samples every --interval in the background (verdicts need a window of samples) and serves the latest report. Metrics: mqctl_consumergroup_lag, mqctl_consumergroup_lag_seconds, mqctl_consumergroup_offset, mqctl_partition_latest_offset, mqctl_partition_earliest_offset, mqctl_consumergroup_sum_lag, mqctl_consumergroup_max_lag(_seconds), mqctl_consumergroup_topic_sum_lag, mqctl_consumergroup_status, mqctl_lag_up. Stops on Ctrl-C/SIGTERM (exit 130).';
  static override examples = [
    '<%= config.bin %> lag serve --kind kafka --port 9308',
    '<%= config.bin %> lag serve --kind pulsar --topic orders --interval 30s',
  ];
  static override flags = {
    ...connectionFlags,
    ...lagSelectionFlags,
    port: Flags.integer({
      char: 'p',
      description: 'port to listen on (0: any free port)',
      default: 9308,
      min: 0,
      max: 65535,
    }),
    host: Flags.string({ description: 'address to bind', default: '127.0.0.1' }),
    interval: Flags.string({ description: 'sampling interval', default: '15s' }),
  };

  async run(): Promise<void> {
    const intervalMs = parseInterval(this.flags.interval, '--interval');
    const source = lagSourceFor(await this.connect());
    await serveLagMetrics(
      source,
      {
        groups: this.flags.group ?? [],
        topics: this.flags.topic ?? [],
        namespace: this.flags.namespace,
        timeLag: this.flags['time-lag'],
      },
      new LagHistory({ window: this.flags.window, minSamples: this.flags['min-samples'] }),
      {
        host: this.flags.host,
        port: this.flags.port,
        intervalMs,
        signal: this.signal,
        onError: (message) => this.note(`sample failed: ${message}`),
        onListening: (url) => this.note(`serving ${url}`),
      },
    );
    throw new InterruptedError('stopped serving');
  }
}
