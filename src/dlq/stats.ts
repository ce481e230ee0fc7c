import type { DlqMessage, RetryStage } from './types';

export interface DlqGroupCount {
  value: string;
  count: number;
  /** byErrorClass: the wrapping classes seen around this cause (Spring's ListenerExecutionFailedException). */
  wrappedIn?: string[];
  firstSeen?: string;
  lastSeen?: string;
}

export interface DlqStats {
  dlq: string;
  total: number;
  /** Messages the filter matched (equal to total without a filter). */
  matched: number;
  firstSeen?: string;
  lastSeen?: string;
  byErrorClass: DlqGroupCount[];
  bySource: DlqGroupCount[];
  /** Counts per time bucket (bucket start, ISO). */
  overTime: DlqGroupCount[];
  bucketMs: number;
  /** True when --limit stopped the scan before the end of the DLQ. */
  truncated: boolean;
  /** The retry chain that feeds this DLQ (see DlqSummaryRow.retryChain); absent when there is none. */
  retryChain?: RetryStage[];
}

class Groups {
  private readonly map = new Map<
    string,
    { count: number; first?: number; last?: number; wrappers?: Set<string> }
  >();
  add(value: string, ts: number | undefined, wrapper?: string): void {
    const g = this.map.get(value) ?? { count: 0 };
    g.count++;
    if (wrapper) (g.wrappers ??= new Set()).add(wrapper);
    if (ts !== undefined) {
      g.first = g.first === undefined ? ts : Math.min(g.first, ts);
      g.last = g.last === undefined ? ts : Math.max(g.last, ts);
    }
    this.map.set(value, g);
  }
  rows(sortByValue = false): DlqGroupCount[] {
    const rows = [...this.map.entries()].map(([value, g]) => ({
      value,
      count: g.count,
      ...(g.wrappers ? { wrappedIn: [...g.wrappers].sort() } : {}),
      firstSeen: g.first === undefined ? undefined : new Date(g.first).toISOString(),
      lastSeen: g.last === undefined ? undefined : new Date(g.last).toISOString(),
    }));
    return sortByValue
      ? rows.sort((a, b) => a.value.localeCompare(b.value))
      : rows.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  }
}

/** A bucket width that gives at most ~24 rows for the span seen. */
export function chooseBucket(spanMs: number): number {
  const widths = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000];
  return widths.find((w) => spanMs / w <= 24) ?? 30 * 86_400_000;
}

/** Counts by error class, by source and over time, over the messages given. */
export function computeStats(
  dlq: string,
  messages: DlqMessage[],
  total: number,
  truncated: boolean,
): DlqStats {
  const byError = new Groups();
  const bySource = new Groups();
  let first: number | undefined;
  let last: number | undefined;
  for (const m of messages) {
    byError.add(m.error.className ?? '(none)', m.timestamp, m.error.wrapperClassName);
    bySource.add(m.origin.topic ?? '(unknown)', m.timestamp);
    if (m.timestamp !== undefined) {
      first = first === undefined ? m.timestamp : Math.min(first, m.timestamp);
      last = last === undefined ? m.timestamp : Math.max(last, m.timestamp);
    }
  }
  const bucketMs = chooseBucket(first === undefined || last === undefined ? 0 : last - first);
  const overTime = new Groups();
  for (const m of messages) {
    if (m.timestamp === undefined) continue;
    const start = Math.floor(m.timestamp / bucketMs) * bucketMs;
    overTime.add(new Date(start).toISOString(), m.timestamp);
  }
  return {
    dlq,
    total,
    matched: messages.length,
    firstSeen: first === undefined ? undefined : new Date(first).toISOString(),
    lastSeen: last === undefined ? undefined : new Date(last).toISOString(),
    byErrorClass: byError.rows(),
    bySource: bySource.rows(),
    overTime: overTime.rows(true),
    bucketMs,
    truncated,
  };
}
