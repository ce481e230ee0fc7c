import { Gauge, Registry } from 'prom-client';
import type { LagReport } from './model';
import { statusCode } from './verdict';

/**
 * Prometheus text exposition of a lag report, with metric names in the style of kafka-lag-exporter
 * (kafka_consumergroup_group_lag → mqctl_consumergroup_lag). prom-client writes the text, so escaping and
 * the format follow the reference client.
 */
export const METRIC_PREFIX = 'mqctl_';

const ROW_LABELS = [
  'kind',
  'group',
  'topic',
  'partition',
  'member_host',
  'consumer_id',
  'client_id',
] as const;

export function lagRegistry(report: LagReport, registry = new Registry()): Registry {
  const gauge = (name: string, help: string, labelNames: readonly string[]) =>
    new Gauge({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [registry] });

  const lag = gauge(
    'consumergroup_lag',
    'Messages not yet consumed (Pulsar: backlog; RabbitMQ: ready + unacked)',
    ROW_LABELS,
  );
  const lagSeconds = gauge(
    'consumergroup_lag_seconds',
    'Age of the oldest unconsumed message in seconds',
    ROW_LABELS,
  );
  const offset = gauge('consumergroup_offset', 'Committed offset of the group on the partition', ROW_LABELS);
  const latest = gauge('partition_latest_offset', 'Log-end offset of the partition', [
    'kind',
    'topic',
    'partition',
  ]);
  const earliest = gauge('partition_earliest_offset', 'Log-start offset of the partition', [
    'kind',
    'topic',
    'partition',
  ]);
  const consumers = gauge(
    'consumergroup_consumers',
    'Consumers attached (Pulsar subscription, RabbitMQ queue)',
    ROW_LABELS,
  );
  const unacked = gauge('consumergroup_unacked', 'Delivered but not acknowledged', ROW_LABELS);
  const sumLag = gauge('consumergroup_sum_lag', 'Total lag of the group', ['kind', 'group']);
  const maxLag = gauge('consumergroup_max_lag', 'Largest partition lag of the group', ['kind', 'group']);
  const maxLagSeconds = gauge('consumergroup_max_lag_seconds', 'Largest time lag of the group in seconds', [
    'kind',
    'group',
  ]);
  const topicSumLag = gauge('consumergroup_topic_sum_lag', 'Total lag of the group on one topic', [
    'kind',
    'group',
    'topic',
  ]);
  const status = gauge(
    'consumergroup_status',
    'Group verdict: 0 unknown, 1 OK, 2 lagging (one snapshot), 3 warn, 4 stalled, 5 err',
    ['kind', 'group', 'status'],
  );
  const scrapeTime = gauge('lag_snapshot_timestamp_seconds', 'When the snapshot was taken (Unix seconds)', [
    'kind',
  ]);

  const seenPartitions = new Set<string>();
  for (const row of report.rows) {
    const labels = {
      kind: row.kind,
      group: row.group,
      topic: row.topic,
      partition: row.partition === null ? '' : String(row.partition),
      member_host: row.owner?.host ?? '',
      consumer_id: row.owner?.memberId ?? '',
      client_id: row.owner?.clientId ?? '',
    };
    if (row.lag !== null) lag.set(labels, row.lag);
    if (row.timeLagMs !== null) lagSeconds.set(labels, row.timeLagMs / 1000);
    if (row.committedOffset !== null) offset.set(labels, row.committedOffset);
    if (row.consumers !== undefined) consumers.set(labels, row.consumers);
    if (row.unacked !== undefined) unacked.set(labels, row.unacked);
    const partitionKey = `${row.topic}\u0000${labels.partition}`;
    if (!seenPartitions.has(partitionKey)) {
      seenPartitions.add(partitionKey);
      const p = { kind: row.kind, topic: row.topic, partition: labels.partition };
      if (row.logEndOffset !== null) latest.set(p, row.logEndOffset);
      if (row.logStartOffset !== null) earliest.set(p, row.logStartOffset);
    }
  }
  for (const g of report.groups) {
    sumLag.set({ kind: g.kind, group: g.group }, g.totalLag);
    maxLag.set({ kind: g.kind, group: g.group }, g.maxLag);
    if (g.maxTimeLagMs !== null) maxLagSeconds.set({ kind: g.kind, group: g.group }, g.maxTimeLagMs / 1000);
    status.set({ kind: g.kind, group: g.group, status: g.status }, statusCode(g.status));
  }
  for (const t of report.topics)
    topicSumLag.set({ kind: report.kind, group: t.group, topic: t.topic }, t.totalLag);
  scrapeTime.set({ kind: report.kind }, report.takenAt / 1000);
  return registry;
}

export async function renderPrometheus(report: LagReport): Promise<string> {
  return lagRegistry(report).metrics();
}
