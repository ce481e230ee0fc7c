import { Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { InterruptedError, ThresholdError, UsageError } from '../../src/core/errors';
import { lagSourceFor } from '../../src/brokers/lag';
import {
  lagMetricFlags,
  lagOutputFlag,
  lagSelectionFlags,
  lagThresholdFlags,
  prometheusOptionsFromFlags,
} from '../../src/cli/flags/lag';
import type { PrometheusOptions } from '../../src/lag/prometheus';
import type { LagQuery, LagReport } from '../../src/lag/model';
import {
  checkGroupSelection,
  normalizeWatchArgv,
  parseInterval,
  parseThresholds,
} from '../../src/lag/options';
import { renderLagReport, type LagOutputFormat } from '../../src/lag/render';
import { LagHistory } from '../../src/lag/report';
import { evaluateThresholds, hasThresholds, summarizeBreaches } from '../../src/lag/thresholds';
import { refreshLag, watchLag } from '../../src/lag/watch';

export default class LagCommand extends BaseCommand<typeof LagCommand> {
  static override summary =
    'Consumer lag per partition, subscription or queue, with time lag, verdicts and CI thresholds';
  static override description = `Kafka: one row per group and partition with the committed, log-start and log-end offsets, the lag, the time lag (age of the oldest unconsumed message: the timestamp of the record at the committed offset; "+" marks a lower bound when that record is gone, "~" an interpolation from sampled end offsets), and the owner. A partition without a committed offset shows "-", not 0. Totals per group and per topic (TOTAL-LAG).
Pulsar: subscriptions are groups (backlog, unacked, consumers, rates; time lag from earliestMsgPublishTimeInBacklog). RabbitMQ: queues (ready + unacked, consumers, rates; time lag only when the head message carries a timestamp).
A single snapshot reports OK or LAGGING. --watch samples a window and applies Burrow's rules: WARN when lag keeps growing, STALLED when the consumer stops moving while lag > 0, ERR when offsets go back.
Thresholds (--max-lag, --max-time-lag, --fail-on) exit 99 with a one-line summary when breached, 0 otherwise.
--output prometheus prints the series \`lag serve\` serves (--metric-names, --cluster-name as there; cluster_name defaults to the context name, else the broker address).`;
  static override examples = [
    '<%= config.bin %> lag --kind kafka',
    '<%= config.bin %> lag --group orders-service --topic orders',
    '<%= config.bin %> lag --all-groups --max-lag 10000 --max-time-lag 5m',
    '<%= config.bin %> lag --group billing --watch 10s --window 10 --fail-on stalled --count 30',
    '<%= config.bin %> lag --output prometheus',
    '<%= config.bin %> lag --output prometheus --metric-names kafka-lag-exporter --cluster-name prod',
    '<%= config.bin %> lag --kind pulsar --topic persistent://public/default/orders',
    '<%= config.bin %> lag --kind rabbitmq --topic orders-queue --output json',
  ];
  static override flags = {
    ...connectionFlags,
    ...lagSelectionFlags,
    ...lagThresholdFlags,
    ...lagOutputFlag,
    ...lagMetricFlags,
    watch: Flags.string({
      char: 'w',
      description: 'refresh every interval (bare --watch: 5s); live on a TTY, repeated records otherwise',
    }),
    count: Flags.integer({
      description: 'with --watch: stop after N refreshes, then apply thresholds',
      min: 1,
    }),
  };

  public override async init(): Promise<void> {
    this.argv = normalizeWatchArgv(this.argv);
    await super.init();
  }

  private get format(): LagOutputFormat {
    return this.flags.json ? 'json' : (this.flags.output as LagOutputFormat);
  }

  /** --metric-names and --cluster-name shape only the Prometheus output: elsewhere they are a mistake. */
  private prometheusOptions(): PrometheusOptions {
    if (this.format !== 'prometheus') {
      const given = ['metric-names', 'cluster-name'].find((name) => this.givenFlags.has(name));
      if (given) throw new UsageError(`--${given} applies to --output prometheus`);
    }
    return prometheusOptionsFromFlags(this.flags, this.resolveContext());
  }

  async run(): Promise<void> {
    const thresholds = parseThresholds(this.flags);
    checkGroupSelection(this.flags);
    const query: LagQuery = {
      groups: this.flags.group ?? [],
      topics: this.flags.topic ?? [],
      namespace: this.flags.namespace,
      timeLag: this.flags['time-lag'],
    };
    const metrics = this.prometheusOptions();
    const history = new LagHistory({ window: this.flags.window, minSamples: this.flags['min-samples'] });
    const intervalMs = this.flags.watch === undefined ? undefined : parseInterval(this.flags.watch);
    const source = lagSourceFor(await this.connect());

    if (intervalMs === undefined) {
      if (this.flags.count !== undefined) throw new UsageError('--count needs --watch');
      const report = await refreshLag(source, query, history);
      const breaches = hasThresholds(thresholds) ? evaluateThresholds(report, thresholds) : undefined;
      this.out(
        await renderLagReport(report, this.format, this.style, {
          watching: false,
          breaches,
          prometheus: metrics,
        }),
      );
      if (breaches?.length) throw new ThresholdError(summarizeBreaches(breaches));
      return;
    }

    const live = Boolean(process.stdout.isTTY) && this.format === 'table';
    const { last, refreshes } = await watchLag(source, query, history, {
      intervalMs,
      count: this.flags.count,
      signal: this.signal,
      onReport: async (report, refresh) => this.printRefresh(report, refresh, intervalMs, live, metrics),
    });
    if (this.signal.aborted) {
      this.note(`stopped after ${refreshes} refresh(es)`);
      throw new InterruptedError();
    }
    if (last && hasThresholds(thresholds)) {
      const breaches = evaluateThresholds(last, thresholds);
      if (breaches.length) throw new ThresholdError(summarizeBreaches(breaches));
    }
  }

  private async printRefresh(
    report: LagReport,
    refresh: number,
    intervalMs: number,
    live: boolean,
    metrics: PrometheusOptions,
  ): Promise<void> {
    const format = this.format;
    const body = await renderLagReport(report, format, this.style, {
      watching: true,
      csvHeader: refresh === 1,
      compactJson: true,
      prometheus: metrics,
    });
    const heading = `mqctl lag  ${new Date(report.takenAt).toISOString()}  every ${intervalMs / 1000}s  refresh ${refresh}  window ${report.samples}/${this.flags.window}`;
    if (live) {
      process.stdout.write(`\u001b[H\u001b[2J${heading}\n\n${body}\n`);
      return;
    }
    switch (format) {
      case 'table':
        return this.out(`# ${heading}\n${body}\n`);
      case 'yaml':
        return this.out(`---\n${body}`);
      case 'prometheus':
        return this.out(`${body}\n`);
      default:
        return this.out(body);
    }
  }
}
