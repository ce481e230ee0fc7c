import { Flags } from '@oclif/core';
import type { ResolvedContext } from '../../config/types';
import { METRIC_NAMINGS, type MetricNaming, type PrometheusOptions } from '../../lag/prometheus';
import { LAG_OUTPUT_FORMATS } from '../../lag/render';

/** Flags shared by `mqctl lag` and `mqctl lag serve`. */
export const lagSelectionFlags = {
  group: Flags.string({
    char: 'g',
    description: 'consumer group (Kafka), subscription (Pulsar) or queue (RabbitMQ); repeatable',
    multiple: true,
  }),
  'all-groups': Flags.boolean({
    description: 'every group (the default when no --group is given)',
    default: false,
  }),
  topic: Flags.string({
    char: 't',
    description: 'only these topics (Kafka/Pulsar) or queues (RabbitMQ); repeatable',
    multiple: true,
  }),
  namespace: Flags.string({
    description: 'Pulsar: the tenant/namespace to scan when no --topic is given',
    default: 'public/default',
  }),
  'time-lag': Flags.boolean({
    description: 'Kafka: read the record at each committed offset for the time lag (--no-time-lag skips it)',
    default: true,
    allowNo: true,
  }),
  window: Flags.integer({
    description: 'samples per partition for the OK/WARN/STALLED/ERR verdict (Burrow intervals)',
    default: 10,
    min: 2,
    max: 1000,
  }),
  'min-samples': Flags.integer({
    description: 'samples needed before a trend verdict (fewer: OK or LAGGING)',
    default: 3,
    min: 2,
  }),
};

export const lagThresholdFlags = {
  'max-lag': Flags.integer({
    description: 'exit 99 when a group total lag exceeds N messages',
    helpGroup: 'THRESHOLD',
  }),
  'max-time-lag': Flags.string({
    description: 'exit 99 when a time lag exceeds this (e.g. 30s, 5m)',
    helpGroup: 'THRESHOLD',
  }),
  'fail-on': Flags.string({
    description: 'exit 99 when a group status is at least this bad',
    options: ['warn', 'stalled', 'err'],
    helpGroup: 'THRESHOLD',
  }),
};

export const lagOutputFlag = {
  output: Flags.string({
    char: 'o',
    description: 'output format (prometheus: text exposition)',
    options: [...LAG_OUTPUT_FORMATS],
    default: 'table',
    helpGroup: 'GLOBAL',
  }),
};

/** How Prometheus metrics are named and labelled: `lag serve`, and `lag -o prometheus` (the same series). */
export const lagMetricFlags = {
  'metric-names': Flags.option({
    description: 'metric naming: mqctl, or kafka-lag-exporter for a drop-in replacement of its dashboards',
    options: METRIC_NAMINGS,
    default: 'mqctl',
  })(),
  'cluster-name': Flags.string({
    description: 'value of the cluster_name label (default: the context name, else the broker address)',
  }),
};

/**
 * The metric options of `lagMetricFlags`. cluster_name is --cluster-name, else the name of the context in use,
 * else undefined (the renderer then uses the broker address): a cluster served by `lag serve` and printed by
 * `lag -o prometheus` through the same context gets the same label.
 */
export function prometheusOptionsFromFlags(
  flags: { 'metric-names': MetricNaming; 'cluster-name'?: string },
  context: Pick<ResolvedContext, 'name' | 'source'>,
): PrometheusOptions {
  return {
    naming: flags['metric-names'],
    clusterName: flags['cluster-name'] ?? (context.source === 'config' ? context.name : undefined),
  };
}
