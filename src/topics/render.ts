import type { ConfigEntry, PartitionDetail, TopicDescription, TopicSummary } from '../brokers/topics';
import type { BindingRow } from '../brokers/contracts/bindings';
import type { ExchangeRow } from '../brokers/contracts/exchanges';
import type { NamespaceRow, TenantRow } from '../brokers/contracts/namespaces';
import type { QueueDescription, QueueRow } from '../brokers/contracts/queues';
import type { TopicDeleteResult } from '../brokers/contracts/topics';
import {
  col,
  renderKeyValues,
  renderList,
  renderObject,
  renderSections,
  renderTable,
  renderYaml,
  renderJson,
  type Column,
  type OutputFormat,
  type RenderStyle,
} from '../core/output';

export const TOPIC_LIST_COLUMNS = (kind: 'kafka' | 'pulsar', offsets: boolean): Column<TopicSummary>[] => {
  const columns: Column<TopicSummary>[] = [col('NAME', 'name'), col('PARTITIONS', 'partitions', 'right')];
  if (kind === 'kafka') columns.push(col('REPLICAS', 'replicationFactor', 'right'));
  else columns.push({ header: 'PARTITIONED', get: (r) => (r.partitioned ? 'yes' : 'no') });
  if (offsets) columns.push(col('MESSAGES', 'messages', 'right'));
  if (kind === 'kafka') columns.push({ header: 'STATUS', get: topicStatus });
  return columns;
};

/** A Kafka topic's health in one cell: `ok`, `1 offline`, `2 under-replicated` or both. */
export function topicStatus(
  t: Pick<TopicSummary, 'offlinePartitions' | 'underReplicatedPartitions'>,
): string {
  const parts: string[] = [];
  if (t.offlinePartitions) parts.push(`${t.offlinePartitions} offline`);
  if (t.underReplicatedPartitions) parts.push(`${t.underReplicatedPartitions} under-replicated`);
  return parts.length > 0 ? parts.join(', ') : 'ok';
}

export const CONFIG_COLUMNS: Column<ConfigEntry>[] = [
  col('KEY', 'name'),
  { header: 'VALUE', get: (c) => (c.sensitive ? '(sensitive)' : c.value) },
  col('SOURCE', 'source'),
];

function kafkaPartitionColumns(): Column<PartitionDetail>[] {
  return [
    col('PARTITION', 'partition', 'right'),
    col('LEADER', 'leader', 'right'),
    col('REPLICAS', 'replicas'),
    // An empty ISR (every replica out of sync) shows as '-', not as a blank cell.
    { header: 'ISR', get: (p) => (p.isr && p.isr.length > 0 ? p.isr : undefined) },
    col('EARLIEST', 'earliestOffset', 'right'),
    col('LATEST', 'latestOffset', 'right'),
    col('MESSAGES', 'messages', 'right'),
    {
      header: 'STATUS',
      get: (p) => (p.offline ? 'OFFLINE' : p.underReplicated ? 'UNDER-REPLICATED' : 'ok'),
    },
  ];
}

function pulsarPartitionColumns(): Column<PartitionDetail>[] {
  return [
    col('PARTITION', 'partition', 'right'),
    col('OWNER', 'leader'),
    col('PRODUCERS', 'producers', 'right'),
    col('SUBSCRIPTIONS', 'subscriptions', 'right'),
    col('BACKLOG', 'backlog', 'right'),
    { header: 'STORAGE', get: (p) => formatBytes(p.storageSize), align: 'right' },
  ];
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Human layout of `topic describe`: summary, partitions, stats (Pulsar), configs. */
export function renderTopicDescription(d: TopicDescription, style: RenderStyle): string {
  const summary: Array<[string, unknown]> = [
    ['name', d.name],
    ['cluster', d.cluster],
    ['partitioned', d.kind === 'pulsar' ? (d.partitioned ? 'yes' : 'no') : undefined],
    ['partitions', d.partitions],
  ];
  if (d.kind === 'kafka') {
    summary.push(['replication factor', d.replicationFactor]);
    summary.push(['internal', d.internal ? 'yes' : 'no']);
    summary.push(['under-replicated', d.underReplicatedPartitions]);
    summary.push(['offline', d.offlinePartitions]);
  }
  if (d.stats) {
    summary.push(['producers', d.stats.producers]);
    summary.push(['subscriptions', d.stats.subscriptions.length]);
    summary.push(['backlog (messages)', d.stats.backlog]);
    summary.push(['backlog size', formatBytes(d.stats.backlogSize)]);
    summary.push(['storage size', formatBytes(d.stats.storageSize)]);
    summary.push(['rate in (msg/s)', round(d.stats.msgRateIn)]);
    summary.push(['rate out (msg/s)', round(d.stats.msgRateOut)]);
  }
  if (d.schema !== undefined)
    summary.push(['schema', d.schema ? `${d.schema.type}, version ${d.schema.version}` : 'none']);
  const sections = [
    {
      title: 'topic',
      body: renderKeyValues(
        summary.filter(([, v]) => v !== undefined),
        style,
      ),
    },
  ];
  if (d.partitionDetails.length > 0) {
    sections.push({
      title: `partitions (${d.partitionDetails.length})`,
      body: renderTable(
        d.partitionDetails,
        d.kind === 'kafka' ? kafkaPartitionColumns() : pulsarPartitionColumns(),
        style,
      ),
    });
  }
  if (d.stats && d.stats.subscriptions.length > 0) {
    sections.push({
      title: 'subscriptions',
      body: renderTable(
        d.stats.subscriptions,
        [
          col('NAME', 'name'),
          col('TYPE', 'type'),
          col('CONSUMERS', 'consumers', 'right'),
          col('BACKLOG', 'backlog', 'right'),
        ],
        style,
      ),
    });
  }
  sections.push({
    title: 'configs',
    body: d.configs.length === 0 ? '(all defaults)' : renderTable(d.configs, CONFIG_COLUMNS, style),
  });
  return renderSections(sections, style);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A single result document: JSON/YAML as is, table/CSV as one line of text. */
export function renderResult(format: OutputFormat, data: unknown, humanLine: string): string {
  switch (format) {
    case 'json':
      return renderJson(data);
    case 'yaml':
      return renderYaml(data);
    default:
      return humanLine;
  }
}

/** CSV of a describe: one row per partition. */
export function renderTopicDescriptionAs(
  format: OutputFormat,
  d: TopicDescription,
  style: RenderStyle,
): string {
  if (format === 'table') return renderTopicDescription(d, style);
  const columns = d.kind === 'kafka' ? kafkaPartitionColumns() : pulsarPartitionColumns();
  return renderObject(format, d, d.partitionDetails, columns, style);
}

export const QUEUE_COLUMNS: Column<QueueRow>[] = [
  col('NAME', 'name'),
  col('TYPE', 'type'),
  col('STATE', 'state'),
  col('MESSAGES', 'messages', 'right'),
  col('READY', 'messagesReady', 'right'),
  col('UNACKED', 'messagesUnacknowledged', 'right'),
  col('CONSUMERS', 'consumers', 'right'),
  { header: 'DURABLE', get: (q) => (q.durable ? 'yes' : 'no') },
];

/** `queue list`'s columns; with --all-vhosts each row says its vhost first. */
export function queueListColumns(allVhosts: boolean): Column<QueueRow>[] {
  return allVhosts ? [col('VHOST', 'vhost'), ...QUEUE_COLUMNS] : QUEUE_COLUMNS;
}

export const EXCHANGE_COLUMNS: Column<ExchangeRow>[] = [
  { header: 'NAME', get: (e) => (e.name === '' ? '(default)' : e.name) },
  col('TYPE', 'type'),
  { header: 'DURABLE', get: (e) => (e.durable ? 'yes' : 'no') },
  { header: 'AUTO-DELETE', get: (e) => (e.autoDelete ? 'yes' : 'no') },
  { header: 'INTERNAL', get: (e) => (e.internal ? 'yes' : 'no') },
];

export const BINDING_COLUMNS: Column<BindingRow>[] = [
  { header: 'SOURCE', get: (b) => (b.source === '' ? '(default)' : b.source) },
  col('DESTINATION', 'destination'),
  col('TYPE', 'destinationType'),
  col('ROUTING-KEY', 'routingKey'),
  { header: 'ARGUMENTS', get: (b) => (Object.keys(b.arguments).length ? b.arguments : '') },
];

export function renderQueueDescription(q: QueueDescription, style: RenderStyle): string {
  const summary: Array<[string, unknown]> = [
    ['name', q.name],
    ['vhost', q.vhost],
    ['type', q.type],
    ['state', q.state],
    ['node', q.node],
    ['durable', q.durable ? 'yes' : 'no'],
    ['auto-delete', q.autoDelete ? 'yes' : 'no'],
    ['exclusive', q.exclusive ? 'yes' : 'no'],
    ['messages', q.messages],
    ['ready', q.messagesReady],
    ['unacked', q.messagesUnacknowledged],
    ['consumers', q.consumers],
    ['message bytes', formatBytes(q.messageBytes)],
    ['publish rate (msg/s)', q.publishRate],
    ['deliver rate (msg/s)', q.deliverRate],
    ['policy', q.policy],
  ];
  const args = Object.entries(q.arguments).map(([k, v]) => ({ key: k, value: v }));
  return renderSections(
    [
      {
        title: 'queue',
        body: renderKeyValues(
          summary.filter(([, v]) => v !== undefined),
          style,
        ),
      },
      {
        title: 'arguments',
        body: args.length ? renderTable(args, [col('KEY', 'key'), col('VALUE', 'value')], style) : '(none)',
      },
      {
        title: `bindings (${q.bindings.length})`,
        body: q.bindings.length ? renderTable(q.bindings, BINDING_COLUMNS, style) : '(none)',
      },
    ],
    style,
  );
}

export const TENANT_COLUMNS: Column<TenantRow>[] = [
  col('NAME', 'name'),
  col('ADMIN-ROLES', 'adminRoles'),
  col('ALLOWED-CLUSTERS', 'allowedClusters'),
];

export const NAMESPACE_COLUMNS: Column<NamespaceRow>[] = [
  col('NAME', 'name'),
  col('TENANT', 'tenant'),
  col('NAMESPACE', 'namespace'),
];

/** `topic delete`'s result: a table is one `deleted topic NAME` line per topic, the other formats a list. */
export function renderTopicDeletion(
  format: OutputFormat,
  results: TopicDeleteResult[],
  style: RenderStyle,
): string {
  if (format === 'table') return results.map((r) => `deleted topic ${r.name}`).join('\n');
  return renderList(format, results, [col('NAME', 'name'), col('DELETED', 'deleted')], style);
}

/** `queue delete` and `exchange delete`: a table is one line per name (with its vhost), the other formats a list. */
export function renderVhostDeletion(
  format: OutputFormat,
  what: 'queue' | 'exchange',
  results: Array<{ name: string; vhost: string; deleted: boolean }>,
  style: RenderStyle,
): string {
  if (format === 'table')
    return results.map((r) => `deleted ${what} ${r.name} in vhost ${r.vhost}`).join('\n');
  return renderList(
    format,
    results,
    [col('NAME', 'name'), col('VHOST', 'vhost'), col('DELETED', 'deleted')],
    style,
  );
}
