import { Flags } from '@oclif/core';
import { BaseCommand, commonFlags, connectionFlags, timeoutFlags } from '../../src/cli/base-command';
import { InterruptedError } from '../../src/core/errors';
import { lagSourceFor } from '../../src/brokers/lag';
import { lagMetricFlags, lagSelectionFlags, prometheusOptionsFromFlags } from '../../src/cli/flags/lag';
import { checkGroupSelection, parseInterval } from '../../src/lag/options';
import { LagHistory } from '../../src/lag/report';
import { DEFAULT_LAG_PORT, serveLagMetrics } from '../../src/lag/serve';

export default class LagServeCommand extends BaseCommand<typeof LagServeCommand> {
  static override sigtermIsStop = true;
  /** A service: it serves /metrics and prints no result, so no -o. */
  static override baseFlags = { ...timeoutFlags, ...commonFlags };
  static override summary = 'Serve lag as Prometheus metrics at /metrics (mqctl or kafka-lag-exporter names)';
  static override description = `Samples every --interval in the background (verdicts need a window of samples) and serves the latest report, plus the process and Node.js metrics every exporter has. Every series has a cluster_name label (--cluster-name; default: the context name, else the broker address).

Names (--metric-names): mqctl (default, all brokers, with a kind label): mqctl_consumergroup_lag, _lag_seconds, _offset, _sum_lag, _max_lag, _max_lag_seconds, _topic_sum_lag, mqctl_partition_latest_offset, _earliest_offset. kafka-lag-exporter: that exporter's names and labels (kafka_consumergroup_group_lag, ...), so its Grafana dashboards and alerts work unchanged. Both: mqctl_consumergroup_status (0 UNKNOWN, 1 OK, 2 LAGGING, 3 WARN, 4 STALLED, 5 ERR), mqctl_consumergroup_consumers, _unacked, _uncommitted_partitions, mqctl_lag_up. Kafka partitions a group never committed count the whole retained log as lag.

Default port ${DEFAULT_LAG_PORT}: the port Prometheus' allocation list gives kafka_exporter, whose consumer-lag metrics this replaces, so an existing scrape target keeps working; pass --port when both run on one host. A port in use exits 2. SIGTERM stops it with exit 0; Ctrl-C exits 130. Ready-made dashboard, alert rules (also Burrow's kafka_burrow_status) and autoscaling examples ship with mqctl in deploy/ (docs/lag.md).`;
  static override examples = [
    '<%= config.bin %> lag serve --kind kafka --all-groups',
    '<%= config.bin %> lag serve --kind kafka --metric-names kafka-lag-exporter --cluster-name prod --port 8000',
    '<%= config.bin %> lag serve --kind pulsar --topic orders --interval 30s',
  ];
  static override flags = {
    ...connectionFlags,
    ...lagSelectionFlags,
    port: Flags.integer({
      char: 'p',
      description: `port to listen on (0: any free port)`,
      default: DEFAULT_LAG_PORT,
      min: 0,
      max: 65535,
    }),
    host: Flags.string({ description: 'address to bind', default: '127.0.0.1' }),
    interval: Flags.string({ description: 'sampling interval', default: '15s' }),
    ...lagMetricFlags,
  };

  async run(): Promise<void> {
    checkGroupSelection(this.flags);
    const intervalMs = parseInterval(this.flags.interval, '--interval');
    const metrics = prometheusOptionsFromFlags(this.flags, this.resolveContext());
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
        metrics,
        onError: (message) => this.note(`sample failed: ${message}`),
        onListening: (url) => this.note(`serving ${url}`),
      },
    );
    if (this.stopSignal === 'SIGTERM') return;
    throw new InterruptedError('stopped serving');
  }
}
