import type {
  GroupDescription,
  GroupInfo,
  GroupMember,
  ResetPlan,
  ResetPlanRow,
  SkipResult,
} from '../brokers/contracts/group-admin';
import {
  renderCsv,
  renderJson,
  renderKeyValues,
  renderList,
  renderObject,
  renderSections,
  renderTable,
  renderYaml,
  type Column,
  type OutputFormat,
  type RenderStyle,
} from '../core/output';
import { formatDuration } from '../util/duration';
import type { GroupSummary, LagReport, LagRow, TopicTotal } from './model';
import { renderPrometheus, type PrometheusOptions } from './prometheus';
import type { Breach } from './thresholds';

export const LAG_OUTPUT_FORMATS = ['table', 'json', 'yaml', 'csv', 'prometheus'] as const;
export type LagOutputFormat = (typeof LAG_OUTPUT_FORMATS)[number];

const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? '-' : v === 0 ? '0s' : formatDuration(v);
const rate = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${v.toFixed(1)}/s`);
const eta = (v: number | null | undefined) => (v === null || v === undefined ? '-' : ms(v * 1000));
const partitionCell = (r: LagRow) => (r.partition === null ? '-' : r.partition);

function groupColumns(kind: LagReport['kind'], watching: boolean): Column<GroupSummary>[] {
  const cols: Column<GroupSummary>[] = [
    { header: 'GROUP', get: (g) => g.group },
    { header: 'STATE', get: (g) => g.state },
    { header: 'MEMBERS', get: (g) => g.members, align: 'right' },
    { header: 'TOTAL-LAG', get: (g) => g.totalLag, align: 'right' },
  ];
  if (kind === 'kafka') {
    cols.push({
      header: 'NO-COMMIT',
      get: (g) => (g.rowsWithoutCommit ? g.rowsWithoutCommit : ''),
      align: 'right',
    });
  }
  cols.push({ header: 'MAX-TIME-LAG', get: (g) => ms(g.maxTimeLagMs), align: 'right' });
  if (watching) {
    cols.push(
      { header: 'CONSUME', get: (g) => rate(g.consumeRate), align: 'right' },
      { header: 'PRODUCE', get: (g) => rate(g.produceRate), align: 'right' },
      { header: 'ETA', get: (g) => eta(g.etaSeconds), align: 'right' },
    );
  }
  cols.push({ header: 'STATUS', get: (g) => g.status }, { header: 'REASON', get: (g) => g.reason ?? '' });
  return cols;
}

function kafkaRowColumns(watching: boolean): Column<LagRow>[] {
  const cols: Column<LagRow>[] = [
    { header: 'GROUP', get: (r) => r.group },
    { header: 'TOPIC', get: (r) => r.topic },
    { header: 'PARTITION', get: partitionCell, align: 'right' },
    { header: 'CURRENT-OFFSET', get: (r) => r.committedOffset, align: 'right' },
    { header: 'LOG-START-OFFSET', get: (r) => r.logStartOffset, align: 'right' },
    { header: 'LOG-END-OFFSET', get: (r) => r.logEndOffset, align: 'right' },
    { header: 'LAG', get: (r) => r.lag, align: 'right' },
    {
      header: 'TIME-LAG',
      get: (r) =>
        `${ms(r.timeLagMs)}${r.timeLagSource === 'lower-bound' ? '+' : r.timeLagSource === 'interpolated' ? '~' : ''}`,
      align: 'right',
    },
  ];
  if (watching) {
    cols.push(
      { header: 'CONSUME', get: (r) => rate(r.consumeRate), align: 'right' },
      { header: 'PRODUCE', get: (r) => rate(r.produceRate), align: 'right' },
      { header: 'ETA', get: (r) => eta(r.etaSeconds), align: 'right' },
    );
  }
  cols.push(
    { header: 'STATUS', get: (r) => r.status },
    { header: 'MEMBER-ID', get: (r) => r.owner?.memberId },
    { header: 'CLIENT-ID', get: (r) => r.owner?.clientId },
    { header: 'HOST', get: (r) => r.owner?.host },
  );
  return cols;
}

function queueRowColumns(report: LagReport): Column<LagRow>[] {
  const pulsar = report.kind === 'pulsar';
  const cols: Column<LagRow>[] = [];
  if (pulsar) {
    cols.push(
      { header: 'SUBSCRIPTION', get: (r) => r.group },
      { header: 'TOPIC', get: (r) => r.topic },
      { header: 'PARTITION', get: partitionCell, align: 'right' },
      { header: 'BACKLOG', get: (r) => r.lag, align: 'right' },
    );
  } else {
    cols.push(
      { header: 'QUEUE', get: (r) => r.group },
      { header: 'DEPTH', get: (r) => r.lag, align: 'right' },
      { header: 'READY', get: (r) => r.ready, align: 'right' },
    );
  }
  cols.push(
    { header: 'UNACKED', get: (r) => r.unacked, align: 'right' },
    { header: 'CONSUMERS', get: (r) => r.consumers, align: 'right' },
    { header: 'CONSUME', get: (r) => rate(r.consumeRate), align: 'right' },
    { header: 'PRODUCE', get: (r) => rate(r.produceRate), align: 'right' },
    { header: 'TIME-LAG', get: (r) => ms(r.timeLagMs), align: 'right' },
    { header: 'ETA', get: (r) => eta(r.etaSeconds), align: 'right' },
    { header: 'STATUS', get: (r) => r.status },
  );
  if (pulsar) cols.push({ header: 'CONSUMER', get: (r) => r.owner?.memberId });
  return cols;
}

const topicColumns: Column<TopicTotal>[] = [
  { header: 'GROUP', get: (t) => t.group },
  { header: 'TOPIC', get: (t) => t.topic },
  { header: 'PARTITIONS', get: (t) => t.partitions, align: 'right' },
  { header: 'TOTAL-LAG', get: (t) => t.totalLag, align: 'right' },
];

/** One flat schema for CSV, whatever the broker (empty cells where a broker has no such value). */
export const CSV_COLUMNS: Column<LagRow & { takenAt?: number }>[] = [
  { header: 'kind', get: (r) => r.kind },
  { header: 'group', get: (r) => r.group },
  { header: 'topic', get: (r) => r.topic },
  { header: 'partition', get: (r) => r.partition ?? '' },
  { header: 'committedOffset', get: (r) => r.committedOffset ?? '' },
  { header: 'logStartOffset', get: (r) => r.logStartOffset ?? '' },
  { header: 'logEndOffset', get: (r) => r.logEndOffset ?? '' },
  { header: 'lag', get: (r) => r.lag ?? '' },
  { header: 'timeLagMs', get: (r) => (r.timeLagMs === null ? '' : Math.round(r.timeLagMs)) },
  { header: 'timeLagSource', get: (r) => r.timeLagSource },
  { header: 'unacked', get: (r) => r.unacked ?? '' },
  { header: 'consumers', get: (r) => r.consumers ?? '' },
  { header: 'consumeRate', get: (r) => r.consumeRate ?? '' },
  { header: 'produceRate', get: (r) => r.produceRate ?? '' },
  { header: 'etaSeconds', get: (r) => r.etaSeconds ?? '' },
  { header: 'status', get: (r) => r.status },
  { header: 'memberId', get: (r) => r.owner?.memberId ?? '' },
  { header: 'clientId', get: (r) => r.owner?.clientId ?? '' },
  { header: 'host', get: (r) => r.owner?.host ?? '' },
];

/** The stable JSON document of `mqctl lag` (documented in docs/lag.md). */
export function lagDocument(report: LagReport, breaches?: readonly Breach[]): object {
  return {
    kind: report.kind,
    target: report.target,
    takenAt: new Date(report.takenAt).toISOString(),
    samples: report.samples,
    groups: report.groups,
    topics: report.topics,
    rows: report.rows,
    ...(breaches ? { breaches: breaches.map((b) => b.message) } : {}),
  };
}

export interface RenderLagOptions {
  watching: boolean;
  /** CSV: print the header (the first refresh only). */
  csvHeader?: boolean;
  /** JSON in --watch: one compact document per line. */
  compactJson?: boolean;
  breaches?: readonly Breach[];
  /** `prometheus`: the naming and the cluster_name label (as `lag serve` takes them). */
  prometheus?: PrometheusOptions;
}

export async function renderLagReport(
  report: LagReport,
  format: LagOutputFormat,
  style: RenderStyle,
  options: RenderLagOptions,
): Promise<string> {
  switch (format) {
    case 'json':
      return options.compactJson
        ? JSON.stringify(lagDocument(report, options.breaches))
        : renderJson(lagDocument(report, options.breaches));
    case 'yaml':
      return renderYaml(lagDocument(report, options.breaches));
    case 'prometheus':
      return (await renderPrometheus(report, options.prometheus)).trimEnd();
    case 'csv': {
      const rows = report.rows.map((r) => ({ ...r, takenAt: report.takenAt }));
      const columns = options.watching
        ? [{ header: 'takenAt', get: () => new Date(report.takenAt).toISOString() }, ...CSV_COLUMNS]
        : CSV_COLUMNS;
      const text = renderCsv(rows, columns);
      return options.csvHeader === false ? text.split('\n').slice(1).join('\n') : text;
    }
    case 'table': {
      if (report.rows.length === 0 && report.groups.length === 0) return '(no consumer groups)';
      const rowColumns =
        report.kind === 'kafka' ? kafkaRowColumns(options.watching) : queueRowColumns(report);
      const sections = [
        {
          title:
            report.kind === 'rabbitmq' ? 'queues' : report.kind === 'pulsar' ? 'subscriptions' : 'groups',
          body: renderTable(report.groups, groupColumns(report.kind, options.watching), style),
        },
      ];
      if (report.kind !== 'rabbitmq') {
        sections.push({ title: 'topics', body: renderTable(report.topics, topicColumns, style) });
      }
      if (report.kind !== 'rabbitmq' || report.rows.length > 0) {
        sections.push({
          title: report.kind === 'kafka' ? 'partitions' : 'detail',
          body: report.rows.length ? renderTable(report.rows, rowColumns, style) : '(none)',
        });
      }
      return renderSections(sections, style);
    }
  }
}

/** `group describe`'s member table (and its CSV). */
export const GROUP_MEMBER_COLUMNS: Column<GroupMember>[] = [
  { header: 'MEMBER-ID', get: (m) => m.memberId },
  { header: 'CLIENT-ID', get: (m) => m.clientId },
  { header: 'HOST', get: (m) => m.host },
  {
    header: '#PARTITIONS',
    get: (m) => m.assignments.reduce((n, a) => n + a.partitions.length, 0),
    align: 'right',
  },
  {
    header: 'ASSIGNMENT',
    get: (m) =>
      m.assignments
        .map((a) => `${a.topic}${a.partitions.length ? `:${a.partitions.join(',')}` : ''}`)
        .join(';'),
  },
];

/** `group describe`: the group (`name`, as asked for), its members and its lag, in the requested format. */
export async function renderGroupDescription(
  name: string,
  description: GroupDescription,
  report: LagReport,
  format: OutputFormat,
  style: RenderStyle,
): Promise<string> {
  const group = report.groups.find((g) => g.group === name);
  switch (format) {
    case 'json':
    case 'yaml': {
      const doc = {
        ...description,
        totalLag: group?.totalLag ?? 0,
        status: group?.status,
        lag: lagDocument(report),
      };
      return format === 'json' ? renderJson(doc) : renderYaml(doc);
    }
    case 'csv':
      return renderCsv(description.memberDetails, GROUP_MEMBER_COLUMNS);
    case 'table': {
      const summary = renderKeyValues(
        [
          ['group', description.group],
          ['kind', description.kind],
          ['state', description.state],
          ['protocol', description.protocol ?? '-'],
          ['members', description.members],
          ['total lag', group?.totalLag ?? 0],
          ['status', group ? `${group.status}${group.reason ? ` (${group.reason})` : ''}` : '-'],
        ],
        style,
      );
      const lag = await renderLagReport(report, 'table', style, { watching: false });
      return renderSections(
        [
          { title: 'group', body: summary },
          {
            title: 'members',
            body: description.memberDetails.length
              ? renderTable(description.memberDetails, GROUP_MEMBER_COLUMNS, style)
              : '(no active members)',
          },
          { title: 'lag', body: lag },
        ],
        style,
      );
    }
  }
}

/** `group list`'s columns: TOPIC when there are Pulsar subscriptions; a RabbitMQ queue's TYPE stands where a protocol would. */
function groupListColumns(groups: GroupInfo[]): Column<GroupInfo>[] {
  const columns: Column<GroupInfo>[] = [{ header: 'GROUP', get: (g) => g.group }];
  if (groups.some((g) => g.kind === 'pulsar')) columns.push({ header: 'TOPIC', get: (g) => g.topic });
  columns.push(
    { header: 'STATE', get: (g) => g.state },
    { header: groups[0]?.kind === 'rabbitmq' ? 'TYPE' : 'PROTOCOL', get: (g) => g.protocol },
    { header: 'MEMBERS', get: (g) => g.members, align: 'right' },
  );
  return columns;
}

/** `group list` in the requested output format. */
export function renderGroupList(groups: GroupInfo[], format: OutputFormat, style: RenderStyle): string {
  return renderList(format, groups, groupListColumns(groups), style, groups);
}

/** `group reset-offsets`' plan columns: a Pulsar subscription's backlog and action, a group's offsets per partition. */
function resetPlanColumns(plan: ResetPlan): Column<ResetPlanRow>[] {
  return plan.kind === 'pulsar'
    ? [
        { header: 'SUBSCRIPTION', get: (r) => r.group },
        { header: 'TOPIC', get: (r) => r.topic },
        { header: 'BACKLOG', get: (r) => r.backlogBefore, align: 'right' },
        { header: 'ACTION', get: (r) => r.action },
      ]
    : [
        { header: 'GROUP', get: (r) => r.group },
        { header: 'TOPIC', get: (r) => r.topic },
        { header: 'PARTITION', get: (r) => r.partition, align: 'right' },
        { header: 'CURRENT-OFFSET', get: (r) => r.currentOffset, align: 'right' },
        { header: 'NEW-OFFSET', get: (r) => r.newOffset, align: 'right' },
        { header: 'LOG-START-OFFSET', get: (r) => r.logStartOffset, align: 'right' },
        { header: 'LOG-END-OFFSET', get: (r) => r.logEndOffset, align: 'right' },
      ];
}

/** `group reset-offsets`: the plan, applied (`executed`) or not, in the requested output format. */
export function renderResetPlan(
  plan: ResetPlan,
  executed: boolean,
  format: OutputFormat,
  style: RenderStyle,
): string {
  return renderObject(format, { executed, plan }, plan.rows, resetPlanColumns(plan), style);
}

const SKIP_COLUMNS: Column<SkipResult>[] = [
  { header: 'SUBSCRIPTION', get: (r) => r.group },
  { header: 'TOPIC', get: (r) => r.topic },
  { header: 'BACKLOG-BEFORE', get: (r) => r.backlogBefore, align: 'right' },
  { header: 'BACKLOG-AFTER', get: (r) => r.backlogAfter, align: 'right' },
];

/** `group skip`'s result in the requested output format. */
export function renderSkipResult(result: SkipResult, format: OutputFormat, style: RenderStyle): string {
  return renderObject<SkipResult>(format, result, [result], SKIP_COLUMNS, style);
}
