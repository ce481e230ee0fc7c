import type { GroupSummary, LagReport, LagRow, LagSnapshot, TopicTotal } from './model';
import { EndOffsetTable } from './time-lag';
import { DEFAULT_MIN_SAMPLES, evaluateWindow, worstStatus, type LagSample } from './verdict';

export interface HistoryOptions {
  /** Samples kept per row for the verdict (Burrow's `intervals`, default 10). */
  window: number;
  minSamples: number;
  /** End-offset points kept per partition for time-lag interpolation. */
  interpolationPoints: number;
}

const DEFAULTS: HistoryOptions = { window: 10, minSamples: DEFAULT_MIN_SAMPLES, interpolationPoints: 60 };

interface RowHistory {
  samples: LagSample[];
  endOffsets: EndOffsetTable;
  /** (at, logEnd) of earlier samples, for the produce rate. */
  ends: Array<{ at: number; logEnd: number | null }>;
}

export function rowKey(row: Pick<LagRow, 'group' | 'topic' | 'partition'>): string {
  return `${row.group}\u0000${row.topic}\u0000${row.partition ?? ''}`;
}

/**
 * The memory of `--watch` and `lag serve`: a bounded window of samples per row, from which verdicts,
 * rates, ETAs and interpolated time lags come. Rows that disappear are forgotten, so memory stays flat
 * however long it runs. A single snapshot goes through the same code with one sample.
 */
export class LagHistory {
  private readonly rows = new Map<string, RowHistory>();
  private observations = 0;
  readonly options: HistoryOptions;

  constructor(options: Partial<HistoryOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** How many rows are tracked (for tests of boundedness). */
  get trackedRows(): number {
    return this.rows.size;
  }

  /** How many samples all rows retain (for tests of boundedness: at most rows x (2 x window + interpolation points)). */
  get retainedSamples(): number {
    let n = 0;
    for (const h of this.rows.values()) n += h.samples.length + h.ends.length + h.endOffsets.size;
    return n;
  }

  observe(snapshot: LagSnapshot): LagReport {
    this.observations++;
    const now = snapshot.takenAt;
    const members = new Map(snapshot.groups.map((g) => [g.group, g.members]));
    const seen = new Set<string>();
    const rows = snapshot.rows.map((input) => {
      const row: LagRow = { ...input };
      const key = rowKey(row);
      seen.add(key);
      let history = this.rows.get(key);
      if (!history) {
        history = {
          samples: [],
          endOffsets: new EndOffsetTable(this.options.interpolationPoints),
          ends: [],
        };
        this.rows.set(key, history);
      }
      history.samples.push({ at: now, progress: row.progress, lag: row.lag });
      if (history.samples.length > this.options.window) history.samples.shift();
      history.ends.push({ at: now, logEnd: row.logEndOffset });
      if (history.ends.length > this.options.window) history.ends.shift();
      if (row.logEndOffset !== null) history.endOffsets.add(row.logEndOffset, now);
      this.fillTimeLag(row, history, now);
      this.fillRates(row, history);
      const verdict = evaluateWindow(history.samples, now, this.options.minSamples, {
        members: members.get(row.group),
        neverCommitted: row.kind === 'kafka' && row.committedOffset === null && row.lag !== null,
        expiredUnread: row.expiredUnread,
      });
      row.status = verdict.status;
      row.reason = verdict.reason;
      row.etaSeconds = eta(row.lag, row.consumeRate, row.produceRate);
      return row;
    });
    for (const key of this.rows.keys()) if (!seen.has(key)) this.rows.delete(key);
    const samples = Math.max(0, ...[...this.rows.values()].map((h) => h.samples.length));
    return buildReport(snapshot, rows, samples || 1);
  }

  /** When the record at the committed offset was not read (gone or skipped), interpolate from samples. */
  private fillTimeLag(row: LagRow, history: RowHistory, now: number): void {
    if (row.timeLagSource !== 'lower-bound' && row.timeLagSource !== 'unknown') return;
    if (row.committedOffset === null || row.kind !== 'kafka') return;
    const estimate = history.endOffsets.lookup(row.committedOffset);
    if (!estimate || estimate.extrapolated) return;
    const interpolated = Math.max(0, now - estimate.at);
    // A lower bound from the oldest remaining record is still true; keep whichever is larger.
    if (row.timeLagMs === null || interpolated > row.timeLagMs) {
      row.timeLagMs = interpolated;
      row.timeLagSource = 'interpolated';
    }
  }

  /** Kafka rows get rates from samples; Pulsar and RabbitMQ report theirs. */
  private fillRates(row: LagRow, history: RowHistory): void {
    const samples = history.samples;
    if (samples.length < 2) return;
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const seconds = (last.at - first.at) / 1000;
    if (seconds <= 0) return;
    if (row.consumeRate === undefined && first.progress !== null && last.progress !== null) {
      row.consumeRate = Math.max(0, (last.progress - first.progress) / seconds);
    }
    const firstEnd = history.ends[0]!;
    const lastEnd = history.ends[history.ends.length - 1]!;
    if (row.produceRate === undefined && firstEnd.logEnd !== null && lastEnd.logEnd !== null) {
      row.produceRate = Math.max(0, (lastEnd.logEnd - firstEnd.logEnd) / ((lastEnd.at - firstEnd.at) / 1000));
    }
  }
}

/** Seconds to catch up at the current rates; null unless the consumer is gaining. */
export function eta(
  lag: number | null,
  consumeRate: number | null | undefined,
  produceRate: number | null | undefined,
): number | null {
  if (lag === null) return null;
  if (lag === 0) return 0;
  if (consumeRate === null || consumeRate === undefined) return null;
  const gain = consumeRate - (produceRate ?? 0);
  return gain > 0 ? lag / gain : null;
}

function sumOrNull(values: Array<number | null | undefined>): number | null {
  let total: number | null = null;
  for (const v of values) if (v !== null && v !== undefined) total = (total ?? 0) + v;
  return total;
}

/** Totals per group and per topic (rpk's TOTAL-LAG). Rows without a commit count as such, not as 0. */
export function buildReport(snapshot: LagSnapshot, rows: LagRow[], samples: number): LagReport {
  const byGroup = new Map<string, LagRow[]>();
  for (const row of rows) {
    const list = byGroup.get(row.group) ?? [];
    list.push(row);
    byGroup.set(row.group, list);
  }
  const groupFacts = new Map(snapshot.groups.map((g) => [g.group, g]));
  const groupNames = new Set([...byGroup.keys(), ...groupFacts.keys()]);
  const groups: GroupSummary[] = [...groupNames].sort().map((group) => {
    const list = byGroup.get(group) ?? [];
    const facts = groupFacts.get(group);
    const lags = list.map((r) => r.lag).filter((l): l is number => l !== null);
    const timeLags = list.map((r) => r.timeLagMs).filter((t): t is number => t !== null);
    const status = worstStatus(list.map((r) => r.status));
    const worst = list.find((r) => r.status === status);
    const totalLag = lags.reduce((a, b) => a + b, 0);
    const consumeRate = sumOrNull(list.map((r) => r.consumeRate));
    const produceRate = sumOrNull(list.map((r) => r.produceRate));
    return {
      kind: snapshot.kind,
      group,
      state: facts?.state,
      members: facts?.members,
      totalLag,
      rowsWithoutCommit: list.filter(
        (r) => r.lag === null || (r.kind === 'kafka' && r.committedOffset === null),
      ).length,
      ...(list.some((r) => r.expiredUnread)
        ? { expiredUnread: list.reduce((n, r) => n + (r.expiredUnread ?? 0), 0) }
        : {}),
      maxLag: lags.length ? Math.max(...lags) : 0,
      maxTimeLagMs: timeLags.length ? Math.max(...timeLags) : null,
      consumeRate,
      produceRate,
      etaSeconds: eta(totalLag, consumeRate, produceRate),
      status: list.length === 0 ? 'UNKNOWN' : status,
      reason:
        list.length === 0
          ? 'no committed offsets'
          : worst?.reason && worst.status !== 'OK'
            ? `${worst.topic}${worst.partition === null ? '' : `[${worst.partition}]`}: ${worst.reason}`
            : worst?.reason,
    };
  });
  const topicMap = new Map<string, TopicTotal>();
  for (const row of rows) {
    const key = `${row.group}\u0000${row.topic}`;
    const total = topicMap.get(key) ?? { group: row.group, topic: row.topic, totalLag: 0, partitions: 0 };
    total.totalLag += row.lag ?? 0;
    total.partitions++;
    topicMap.set(key, total);
  }
  const sortedRows = [...rows].sort(
    (a, b) =>
      a.group.localeCompare(b.group) ||
      a.topic.localeCompare(b.topic) ||
      (a.partition ?? -1) - (b.partition ?? -1),
  );
  return {
    kind: snapshot.kind,
    target: snapshot.target,
    takenAt: snapshot.takenAt,
    samples,
    rows: sortedRows,
    groups,
    topics: [...topicMap.values()].sort(
      (a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic),
    ),
  };
}
