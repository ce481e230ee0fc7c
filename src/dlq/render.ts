import type { PurgeSummary } from '../brokers/contracts/dlq';
import {
  renderCsv,
  renderJson,
  renderKeyValues,
  renderList,
  renderSections,
  renderTable,
  renderYaml,
  type Column,
  type OutputFormat,
  type RenderStyle,
} from '../core/output';
import { formatDuration } from '../util/duration';
import type { PeekResult } from './inspect';
import type { PlannedReplay, ReplaySummary } from './replay';
import type { DlqGroupCount, DlqStats } from './stats';
import type { DlqMessage, DlqSummaryRow, RetryStage } from './types';

export type PayloadEncoding = 'json' | 'text' | 'hex' | 'empty';

/** Payload as shown to people: JSON pretty-printed, text as is, binary as hex. */
export function formatPayload(payload: Buffer, maxBytes = 4096): { encoding: PayloadEncoding; text: string } {
  if (payload.length === 0) return { encoding: 'empty', text: '' };
  const text = payload.toString('utf8');
  // eslint-disable-next-line no-control-regex
  const binary = text.includes('\uFFFD') || /[\u0000-\u0008\u000E-\u001F]/.test(text);
  if (!binary) {
    const trimmed = text.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return { encoding: 'json', text: JSON.stringify(JSON.parse(trimmed), null, 2) };
      } catch {
        // not JSON after all: shown as text
      }
    }
    return { encoding: 'text', text: text.length > maxBytes ? `${text.slice(0, maxBytes)}…` : text };
  }
  const shown = payload.subarray(0, maxBytes).toString('hex');
  return { encoding: 'hex', text: payload.length > maxBytes ? `${shown}…` : shown };
}

/** The stable JSON document for one message (documented in docs/dlq.md). */
export function messageDocument(m: DlqMessage): Record<string, unknown> {
  const payload = formatPayload(m.payload, Number.MAX_SAFE_INTEGER);
  const key = m.key === undefined ? undefined : formatPayload(m.key, Number.MAX_SAFE_INTEGER);
  return {
    dlq: m.dlq,
    partition: m.partition,
    position: m.position,
    timestamp: m.timestamp === undefined ? undefined : new Date(m.timestamp).toISOString(),
    key: key?.text,
    keyEncoding: key?.encoding,
    origin: m.origin,
    error: m.error,
    replay: m.replay,
    messageId: m.messageId,
    headers: m.headers,
    payloadEncoding: payload.encoding,
    payload: payload.encoding === 'json' ? JSON.parse(m.payload.toString('utf8')) : payload.text,
    payloadBytes: m.payload.length,
  };
}

function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

/** The human view of one message for `dlq peek`. */
export function renderMessage(m: DlqMessage, bold: (s: string) => string): string {
  const lines: string[] = [];
  const where = m.partition === undefined ? m.position : `partition ${m.partition} offset ${m.position}`;
  lines.push(bold(`── ${m.dlq} ${where}`) + (m.timestamp ? `  ${new Date(m.timestamp).toISOString()}` : ''));
  const o = m.origin;
  const originParts = [
    o.topic ? `topic/queue ${o.topic}` : undefined,
    o.partition !== undefined ? `partition ${o.partition}` : undefined,
    o.offset !== undefined ? `offset ${o.offset}` : undefined,
    o.messageId ? `message-id ${o.messageId}` : undefined,
    o.exchange !== undefined ? `exchange "${o.exchange}"` : undefined,
    o.routingKeys?.length ? `routing-keys ${o.routingKeys.join(',')}` : undefined,
    o.reason ? `reason ${o.reason}` : undefined,
    o.deaths !== undefined ? `deaths ${o.deaths}` : undefined,
    o.consumerGroup ? `group ${o.consumerGroup}` : undefined,
  ].filter(Boolean);
  lines.push(`  origin:    ${o.convention}${originParts.length ? ` — ${originParts.join(', ')}` : ''}`);
  if (m.error.className || m.error.message)
    lines.push(
      `  error:     ${m.error.className ?? '-'}${m.error.message ? `: ${m.error.message}` : ''}` +
        (m.error.wrapperClassName ? ` (wrapped in ${m.error.wrapperClassName})` : ''),
    );
  if (m.replay.count > 0)
    lines.push(
      `  replayed:  ${m.replay.count} time(s), last from ${m.replay.from ?? '?'} at ${m.replay.at ?? '?'}`,
    );
  if (m.messageId) lines.push(`  message-id: ${m.messageId}`);
  if (m.key !== undefined) lines.push(`  key:       ${formatPayload(m.key, 256).text}`);
  const headerNames = Object.keys(m.headers);
  if (headerNames.length > 0) {
    lines.push('  headers:');
    for (const name of headerNames) {
      const value = m.headers[name]!;
      const shown = /stacktrace/i.test(name) && value.length > 200 ? `${value.slice(0, 200)}…` : value;
      lines.push(`    ${name}: ${shown.replace(/\n/g, '\\n')}`);
    }
  }
  const payload = formatPayload(m.payload);
  lines.push(`  payload (${payload.encoding}, ${m.payload.length} bytes):`);
  if (payload.text) lines.push(indent(payload.text));
  return lines.join('\n');
}

const planColumns = [
  { header: 'PARTITION', get: (p: PlannedReplay) => p.partition },
  { header: 'POSITION', get: (p: PlannedReplay) => p.position },
  { header: 'KEY', get: (p: PlannedReplay) => p.key },
  { header: 'ERROR', get: (p: PlannedReplay) => p.error },
  { header: '→ TARGET', get: (p: PlannedReplay) => p.target },
];

/** The replay summary (and, for a dry run, its plan) in the requested output format. */
export function renderReplaySummary(
  summary: ReplaySummary,
  format: OutputFormat,
  style: RenderStyle,
): string {
  switch (format) {
    case 'json':
      return renderJson(summary);
    case 'yaml':
      return renderYaml(summary);
    case 'csv':
      return summary.plan
        ? renderCsv(summary.plan, planColumns)
        : renderCsv(
            [summary],
            [
              'dlq',
              'replayed',
              'skippedByFilter',
              'skippedByLoopGuard',
              'failed',
              'examined',
              'elapsedMs',
            ].map((k) => ({ header: k, get: (s: ReplaySummary) => s[k as keyof ReplaySummary] })),
          );
    case 'table': {
      const parts: string[] = [];
      if (summary.plan) {
        parts.push(
          summary.plan.length ? renderTable(summary.plan, planColumns, style) : '(nothing to replay)',
        );
        if (summary.plan.length < summary.replayed)
          parts.push(
            `… and ${summary.replayed - summary.plan.length} more (raise --plan-limit to list them)`,
          );
        parts.push('');
      }
      parts.push(
        renderKeyValues(
          [
            [summary.dryRun ? 'would replay' : 'replayed', summary.replayed],
            ['skipped by filter', summary.skippedByFilter],
            ['skipped by loop guard', summary.skippedByLoopGuard],
            [
              'failed',
              summary.unroutable
                ? `${summary.failed} (${summary.unroutable} with no origin: ${summary.dryRun ? 'would be ' : ''}moved past)`
                : summary.failed,
            ],
            ['examined', summary.examined],
            [
              'targets',
              Object.entries(summary.targets)
                .map(([t, n]) => `${t}=${n}`)
                .join(', ') || '-',
            ],
            ['elapsed', `${(summary.elapsedMs / 1000).toFixed(1)}s (${summary.ratePerSecond} msg/s)`],
            ['job', summary.jobId],
            ...(summary.interrupted
              ? ([['interrupted', 'yes (run again to resume)']] as [string, unknown][])
              : []),
          ],
          style,
        ),
      );
      for (const f of summary.failures) parts.push(`failed: ${f}`);
      for (const n of summary.notes) parts.push(`note: ${n}`);
      return parts.join('\n');
    }
  }
}

/** A `dlq stats` table's columns, the first one named for what it groups by. */
function statsColumns(first: string): Column<DlqGroupCount>[] {
  return [
    { header: first, get: (g) => g.value },
    { header: 'COUNT', get: (g) => g.count, align: 'right' },
    { header: 'FIRST SEEN', get: (g) => g.firstSeen },
    { header: 'LAST SEEN', get: (g) => g.lastSeen },
  ];
}

/** `dlq stats` in the requested output format; `scan` is the --scan limit, named when the scan stopped there. */
export function renderDlqStats(
  stats: DlqStats,
  format: OutputFormat,
  style: RenderStyle,
  scan: number,
): string {
  switch (format) {
    case 'json':
      return renderJson(stats);
    case 'yaml':
      return renderYaml(stats);
    case 'csv': {
      const rows = [
        ...stats.byErrorClass.map((g) => ({ group: 'errorClass', ...g })),
        ...stats.bySource.map((g) => ({ group: 'source', ...g })),
        ...stats.overTime.map((g) => ({ group: 'time', ...g })),
      ];
      return renderCsv(rows, [
        { header: 'group', get: (r) => r.group },
        { header: 'value', get: (r) => r.value },
        { header: 'count', get: (r) => r.count },
        { header: 'firstSeen', get: (r) => r.firstSeen },
        { header: 'lastSeen', get: (r) => r.lastSeen },
        { header: 'wrappedIn', get: (r) => r.wrappedIn?.join(' ') },
      ]);
    }
    case 'table':
      return (
        `${stats.dlq}: ${stats.matched} matching of ${stats.total} messages` +
        (stats.truncated ? ` (scan stopped at --scan ${scan})` : '') +
        (stats.firstSeen ? `, first ${stats.firstSeen}, last ${stats.lastSeen}` : '') +
        `\n\n` +
        renderSections(
          [
            {
              title: 'by error class',
              body: renderTable(
                stats.byErrorClass,
                [
                  ...statsColumns('ERROR CLASS'),
                  { header: 'WRAPPED IN', get: (g) => g.wrappedIn?.join(', ') },
                ],
                style,
              ),
            },
            { title: 'by source', body: renderTable(stats.bySource, statsColumns('SOURCE'), style) },
            {
              title: `over time (buckets of ${formatDuration(stats.bucketMs)})`,
              body: renderTable(stats.overTime, statsColumns('FROM'), style),
            },
            {
              title: `retry chain (then ${stats.total} in the DLQ)`,
              body: stats.retryChain ? renderTable(stats.retryChain, retryStageColumns, style) : '',
            },
          ],
          style,
        )
      );
  }
}

/** A retry stage's short name: `retry-1` for a Spring topic, the local topic name on Pulsar, the queue on RabbitMQ. */
export function retryStageLabel(stage: RetryStage): string {
  const spring = stage.topic.lastIndexOf('-retry');
  if (spring >= 0 && !stage.topic.includes('://')) return stage.topic.slice(spring + 1);
  return stage.topic.replace(/^[a-z-]+:\/\/[^/]+\/[^/]+\//, '');
}

/**
 * One cell for `dlq list`: per stage waiting (not yet due) / depth, the most attempts, the TTL (RabbitMQ) and
 * the next due time; then how many reached the DLQ.
 */
export function retryChainCell(chain: RetryStage[] | undefined, dlqDepth: number): string {
  if (!chain?.length) return '-';
  return (
    chain
      .map(
        (st) =>
          `${retryStageLabel(st)} ${st.notYetDue}/${st.depth}` +
          (st.maxAttempts ? ` a${st.maxAttempts}` : '') +
          (st.ttlMs !== undefined ? ` ttl ${formatDuration(st.ttlMs)}` : '') +
          (st.nextDueAt ? ` next ${new Date(st.nextDueAt).toISOString()}` : ''),
      )
      .join('; ') + ` → dlq ${dlqDepth}`
  );
}

/** Columns of a retry chain table (`dlq stats`). */
export const retryStageColumns: Column<RetryStage>[] = [
  { header: 'STAGE', get: (st) => st.topic },
  { header: 'DEPTH', get: (st) => st.depth, align: 'right' },
  { header: 'READ', get: (st) => st.sampled, align: 'right' },
  { header: 'NOT YET DUE', get: (st) => st.notYetDue, align: 'right' },
  { header: 'MAX ATTEMPTS', get: (st) => st.maxAttempts ?? '-', align: 'right' },
  { header: 'NEXT DUE', get: (st) => (st.nextDueAt ? new Date(st.nextDueAt).toISOString() : '-') },
  { header: 'TTL', get: (st) => (st.ttlMs !== undefined ? formatDuration(st.ttlMs) : '-') },
];

const DLQ_LIST_COLUMNS: Column<DlqSummaryRow>[] = [
  { header: 'DLQ', get: (r) => r.name },
  { header: 'DEPTH', get: (r) => r.depth, align: 'right' },
  {
    // Kafka keeps replayed records: what a replay job still has to copy (the job with the fewest left).
    header: 'LEFT (JOB)',
    get: (r) =>
      r.replayJobs?.length
        ? `${r.replayJobs[0]!.left} (${r.replayJobs[0]!.jobId.replace(/^mqctl-dlq-replay-/, '')}` +
          `${r.replayJobs.length > 1 ? ` +${r.replayJobs.length - 1} jobs` : ''})`
        : '-',
    align: 'right',
  },
  {
    header: 'OLDEST',
    get: (r) => (r.oldestAgeMs === undefined ? '-' : `${formatDuration(r.oldestAgeMs)} ago`),
  },
  {
    header: 'NEWEST',
    get: (r) => (r.newestAgeMs === undefined ? '-' : `${formatDuration(r.newestAgeMs)} ago`),
  },
  { header: 'SOURCES', get: (r) => (r.sources.length ? r.sources.join(',') : '-') },
  {
    // Retry chain (Spring retry topics, Pulsar retry letter topic, RabbitMQ TTL retry queues): per stage
    // waiting (not yet due) / depth, the most attempts, TTL, next due time; then how many reached the DLQ.
    header: 'RETRY CHAIN',
    get: (r) => retryChainCell(r.retryChain, r.depth),
  },
  { header: 'FOUND BY', get: (r) => r.recognisedBy },
];

/** `dlq list` in the requested output format (JSON and YAML items carry ISO timestamps). */
export function renderDlqList(rows: DlqSummaryRow[], format: OutputFormat, style: RenderStyle): string {
  const doc = rows.map((r) => ({
    ...r,
    oldestTimestamp: r.oldestTimestamp === undefined ? undefined : new Date(r.oldestTimestamp).toISOString(),
    newestTimestamp: r.newestTimestamp === undefined ? undefined : new Date(r.newestTimestamp).toISOString(),
  }));
  return renderList(format, rows, DLQ_LIST_COLUMNS, style, doc);
}

/** `dlq peek`'s CSV columns (a table shows each message whole, JSON and YAML its messageDocument). */
const PEEK_COLUMNS: Column<DlqMessage>[] = [
  { header: 'partition', get: (m) => m.partition },
  { header: 'position', get: (m) => m.position },
  { header: 'timestamp', get: (m) => (m.timestamp ? new Date(m.timestamp).toISOString() : undefined) },
  { header: 'origin', get: (m) => m.origin.topic },
  { header: 'originPartition', get: (m) => m.origin.partition },
  { header: 'originOffset', get: (m) => m.origin.offset ?? m.origin.messageId },
  { header: 'errorClass', get: (m) => m.error.className },
  { header: 'errorMessage', get: (m) => m.error.message },
  { header: 'replays', get: (m) => m.replay.count },
  { header: 'key', get: (m) => (m.key ? formatPayload(m.key).text : undefined) },
  { header: 'payload', get: (m) => formatPayload(m.payload).text },
];

/** `dlq peek` in the requested output format; `filter` is the filter's description. */
export function renderPeek(
  result: PeekResult,
  filter: string,
  format: OutputFormat,
  style: RenderStyle,
): string {
  if (format === 'table') {
    const bold = (s: string) => (style.color ? `\u001b[1m${s}\u001b[22m` : s);
    return result.messages.length === 0
      ? `(no matching messages in ${result.dlq}; examined ${result.examined})`
      : result.messages.map((m) => renderMessage(m, bold)).join('\n\n');
  }
  return renderList(format, result.messages, PEEK_COLUMNS, style, result.messages.map(messageDocument), {
    dlq: result.dlq,
    examined: result.examined,
    filter,
  });
}

/** `dlq purge`'s result in the requested output format (a table: one line per fact, then the notes). */
export function renderPurgeSummary(result: PurgeSummary, format: OutputFormat, style: RenderStyle): string {
  switch (format) {
    case 'json':
      return renderJson(result);
    case 'yaml':
      return renderYaml(result);
    case 'csv':
      return renderCsv(
        [result],
        (['dlq', 'purged', 'kept', 'method'] as const).map((k) => ({
          header: k,
          get: (r: PurgeSummary) => r[k],
        })),
      );
    case 'table':
      return renderKeyValues(
        [
          ['dlq', result.dlq],
          ['purged', result.purged],
          ['kept', result.kept],
          ['method', result.method],
          ...result.notes.map((n) => ['note', n] as [string, unknown]),
        ],
        style,
      );
  }
}
