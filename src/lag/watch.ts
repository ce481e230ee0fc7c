import { sleep } from '../util/timeout';
import type { LagQuery, LagReport, LagSnapshot } from './model';
import { LagHistory } from './report';

export interface SnapshotSource {
  snapshot(query: LagQuery): Promise<LagSnapshot>;
}

/** One refresh: a snapshot folded into the history (verdicts, rates, interpolated time lags). */
export async function refreshLag(
  source: SnapshotSource,
  query: LagQuery,
  history: LagHistory,
): Promise<LagReport> {
  return history.observe(await source.snapshot(query));
}

export interface WatchOptions {
  intervalMs: number;
  /** Stop after this many refreshes (unbounded when undefined: until the signal aborts). */
  count?: number;
  signal: AbortSignal;
  onReport: (report: LagReport, refresh: number) => Promise<void> | void;
}

/** The --watch loop: refresh, hand the report over, sleep (abortable), until `count` or Ctrl-C. Returns the last report. */
export async function watchLag(
  source: SnapshotSource,
  query: LagQuery,
  history: LagHistory,
  options: WatchOptions,
): Promise<{ last?: LagReport; refreshes: number }> {
  let last: LagReport | undefined;
  let refreshes = 0;
  while (!options.signal.aborted && (options.count === undefined || refreshes < options.count)) {
    const started = Date.now();
    last = await refreshLag(source, query, history);
    refreshes++;
    await options.onReport(last, refreshes);
    if (options.count !== undefined && refreshes >= options.count) break;
    await sleep(Math.max(0, options.intervalMs - (Date.now() - started)), options.signal);
  }
  return { last, refreshes };
}
