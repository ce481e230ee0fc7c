import { Gauge, Registry } from 'prom-client';
import type { LagReport, LagRow } from './model';
import { statusCode } from './verdict';

/**
 * Prometheus text exposition of a lag report. prom-client writes the text, so escaping and the format follow
 * the reference client.
 *
 * Two namings of the same numbers:
 * - `mqctl` (default): `mqctl_consumergroup_lag`, … with a `kind` label, for all three brokers.
 * - `kafka-lag-exporter`: that exporter's exact names and label set (`kafka_consumergroup_group_lag`,
 *   `…_group_lag_seconds`, `…_group_max_lag`, `…_group_sum_lag`, `kafka_partition_latest_offset`, … with
 *   `cluster_name, group, topic, partition, member_host, consumer_id, client_id`), so its dashboards and alerts
 *   work unchanged. It is not the default because the names say `kafka_` and mqctl serves Pulsar and RabbitMQ
 *   too, and because mqctl's own names are what `lag -o prometheus` has always printed.
 * Metrics kafka-lag-exporter has no equivalent of (status, consumers, unacked, up) keep their mqctl_ names.
 *
 * Every series carries `cluster_name`. The verdict is a number (`mqctl_consumergroup_status`, codes below), not
 * a label, so a change of status does not start a new series. Kafka partitions a group consumes but never
 * committed are exported with lag = log-end − log-start (what the group reads if it starts from the earliest
 * offset, an upper bound) and no offset; the group sums are the sums of the exported partition lags.
 */
export type MetricNaming = 'mqctl' | 'kafka-lag-exporter';
export const METRIC_NAMINGS: readonly MetricNaming[] = ['mqctl', 'kafka-lag-exporter'];

export interface PrometheusOptions {
  naming?: MetricNaming;
  /** Value of the cluster_name label; default: the report's target (bootstrap servers or URL). */
  clusterName?: string;
}

const NAMES: Record<MetricNaming, Record<string, string>> = {
  mqctl: {
    lag: 'mqctl_consumergroup_lag',
    lagSeconds: 'mqctl_consumergroup_lag_seconds',
    offset: 'mqctl_consumergroup_offset',
    latest: 'mqctl_partition_latest_offset',
    earliest: 'mqctl_partition_earliest_offset',
    sumLag: 'mqctl_consumergroup_sum_lag',
    maxLag: 'mqctl_consumergroup_max_lag',
    maxLagSeconds: 'mqctl_consumergroup_max_lag_seconds',
    topicSumLag: 'mqctl_consumergroup_topic_sum_lag',
  },
  'kafka-lag-exporter': {
    lag: 'kafka_consumergroup_group_lag',
    lagSeconds: 'kafka_consumergroup_group_lag_seconds',
    offset: 'kafka_consumergroup_group_offset',
    latest: 'kafka_partition_latest_offset',
    earliest: 'kafka_partition_earliest_offset',
    sumLag: 'kafka_consumergroup_group_sum_lag',
    maxLag: 'kafka_consumergroup_group_max_lag',
    maxLagSeconds: 'kafka_consumergroup_group_max_lag_seconds',
    topicSumLag: 'kafka_consumergroup_group_topic_sum_lag',
  },
};

/** The lag a row is exported with: the broker's, or for a never-committed Kafka partition the retained log. */
export function exportedLag(row: LagRow): number | null {
  if (row.lag !== null) return row.lag;
  if (
    row.kind === 'kafka' &&
    row.committedOffset === null &&
    row.logEndOffset !== null &&
    row.logStartOffset !== null
  )
    return Math.max(0, row.logEndOffset - row.logStartOffset);
  return null;
}

export function lagRegistry(
  report: LagReport,
  /** upValue adds mqctl_lag_up (1, or 0 when the last sample failed). */
  options: PrometheusOptions & { upValue?: 0 | 1 } = {},
  registry = new Registry(),
): Registry {
  const naming = options.naming ?? 'mqctl';
  const names = NAMES[naming];
  const cluster = options.clusterName ?? report.target;
  // kafka-lag-exporter's metrics keep its exact label set; mqctl's add the broker kind.
  const kindLabel = naming === 'mqctl' ? ['kind'] : [];
  const rowLabels = [
    'cluster_name',
    ...kindLabel,
    'group',
    'topic',
    'partition',
    'member_host',
    'consumer_id',
    'client_id',
  ];
  const gauge = (name: string, help: string, labelNames: readonly string[]) =>
    new Gauge({ name, help, labelNames, registers: [registry] });

  const lag = gauge(
    names.lag,
    'Messages not yet consumed (Kafka: log-end − committed, or log-end − log-start before the first commit; Pulsar: backlog; RabbitMQ: ready + unacked)',
    rowLabels,
  );
  const lagSeconds = gauge(names.lagSeconds, 'Age of the oldest unconsumed message in seconds', rowLabels);
  const offset = gauge(names.offset, 'Committed offset of the group on the partition', rowLabels);
  const partitionLabels = ['cluster_name', ...kindLabel, 'topic', 'partition'];
  const latest = gauge(names.latest, 'Log-end offset of the partition', partitionLabels);
  const earliest = gauge(names.earliest, 'Log-start offset of the partition', partitionLabels);
  const groupLabels = ['cluster_name', ...kindLabel, 'group'];
  const sumLag = gauge(names.sumLag, 'Total lag of the group', groupLabels);
  const maxLag = gauge(names.maxLag, 'Largest partition lag of the group', groupLabels);
  const maxLagSeconds = gauge(names.maxLagSeconds, 'Largest time lag of the group in seconds', groupLabels);
  const topicSumLag = gauge(names.topicSumLag, 'Total lag of the group on one topic', [
    'cluster_name',
    ...kindLabel,
    'group',
    'topic',
  ]);
  // mqctl's own metrics (kafka-lag-exporter has no equivalent): always mqctl_ and with kind.
  const own = ['cluster_name', 'kind'];
  const consumers = gauge(
    'mqctl_consumergroup_consumers',
    'Consumers attached (Pulsar subscription, RabbitMQ queue)',
    [...own, 'group', 'topic', 'partition'],
  );
  const unacked = gauge('mqctl_consumergroup_unacked', 'Delivered but not acknowledged', [
    ...own,
    'group',
    'topic',
    'partition',
  ]);
  const uncommitted = gauge(
    'mqctl_consumergroup_uncommitted_partitions',
    'Kafka partitions of a consumed topic on which the group never committed (their lag counts the whole retained log)',
    [...own, 'group'],
  );
  const status = gauge(
    'mqctl_consumergroup_status',
    'Group verdict as a number: 0 UNKNOWN, 1 OK, 2 LAGGING (one snapshot over a threshold), 3 WARN, 4 STALLED, 5 ERR',
    [...own, 'group'],
  );
  const snapshotTime = gauge(
    'mqctl_lag_snapshot_timestamp_seconds',
    'When the snapshot was taken (Unix seconds)',
    own,
  );

  const base = { cluster_name: cluster, ...(naming === 'mqctl' ? { kind: report.kind } : {}) };
  const sums = new Map<string, { sum: number; max: number; uncommitted: number }>();
  const topicSums = new Map<string, number>();
  const seenPartitions = new Set<string>();
  for (const row of report.rows) {
    const partition = row.partition === null ? '' : String(row.partition);
    const labels = {
      ...base,
      group: row.group,
      topic: row.topic,
      partition,
      member_host: row.owner?.host ?? '',
      consumer_id: row.owner?.memberId ?? '',
      client_id: row.owner?.clientId ?? '',
    };
    const value = exportedLag(row);
    const group = sums.get(row.group) ?? { sum: 0, max: 0, uncommitted: 0 };
    sums.set(row.group, group);
    if (value !== null) {
      lag.set(labels, value);
      group.sum += value;
      group.max = Math.max(group.max, value);
      const topicKey = `${row.group}\u0000${row.topic}`;
      topicSums.set(topicKey, (topicSums.get(topicKey) ?? 0) + value);
    }
    if (row.kind === 'kafka' && row.committedOffset === null) group.uncommitted++;
    if (row.timeLagMs !== null) lagSeconds.set(labels, row.timeLagMs / 1000);
    if (row.committedOffset !== null) offset.set(labels, row.committedOffset);
    const own = { cluster_name: cluster, kind: row.kind, group: row.group, topic: row.topic, partition };
    if (row.consumers !== undefined) consumers.set(own, row.consumers);
    if (row.unacked !== undefined) unacked.set(own, row.unacked);
    const partitionKey = `${row.topic}\u0000${partition}`;
    if (!seenPartitions.has(partitionKey)) {
      seenPartitions.add(partitionKey);
      const p = { ...base, topic: row.topic, partition };
      if (row.logEndOffset !== null) latest.set(p, row.logEndOffset);
      if (row.logStartOffset !== null) earliest.set(p, row.logStartOffset);
    }
  }
  for (const g of report.groups) {
    const totals = sums.get(g.group) ?? { sum: 0, max: 0, uncommitted: 0 };
    sumLag.set({ ...base, group: g.group }, totals.sum);
    maxLag.set({ ...base, group: g.group }, totals.max);
    if (g.maxTimeLagMs !== null) maxLagSeconds.set({ ...base, group: g.group }, g.maxTimeLagMs / 1000);
    status.set({ cluster_name: cluster, kind: g.kind, group: g.group }, statusCode(g.status));
    if (g.kind === 'kafka')
      uncommitted.set({ cluster_name: cluster, kind: g.kind, group: g.group }, totals.uncommitted);
  }
  for (const [key, total] of topicSums) {
    const [group, topic] = key.split('\u0000') as [string, string];
    topicSumLag.set({ ...base, group, topic }, total);
  }
  snapshotTime.set({ cluster_name: cluster, kind: report.kind }, report.takenAt / 1000);
  if (options.upValue !== undefined)
    gauge(
      'mqctl_lag_up',
      '1 when the last sample of the broker succeeded, 0 when it failed (the last good sample is served)',
      own,
    ).set({ cluster_name: cluster, kind: report.kind }, options.upValue);
  return registry;
}

export async function renderPrometheus(report: LagReport, options: PrometheusOptions = {}): Promise<string> {
  return lagRegistry(report, options).metrics();
}
