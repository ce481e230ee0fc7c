import { STATUS_RANK, type LagStatus } from './model';

/** One observation of a row: when, how far the consumer had got, and how far behind it was. */
export interface LagSample {
  at: number;
  /** A counter that grows while the consumer makes progress (Kafka: committed offset). */
  progress: number | null;
  lag: number | null;
}

export interface Verdict {
  status: LagStatus;
  reason: string;
}

/** What the verdict knows about a row besides its samples. */
export interface RowFacts {
  /** members of the group (Kafka) / consumers (Pulsar, RabbitMQ), when known */
  members?: number;
  /** the group has no committed offset on this partition: its lag counts every retained record */
  neverCommitted?: boolean;
  /** committed offset below the log start: records deleted by retention before the group read them */
  expiredUnread?: number;
}

/** Fewer samples than this and only OK/LAGGING is honest. */
export const DEFAULT_MIN_SAMPLES = 3;

/**
 * Burrow's partition rules (linkedin/Burrow evaluator, "Consumer Lag Evaluation Rules") over a window of
 * samples, oldest first. Burrow sees each commit with its timestamp; mqctl samples committed offsets,
 * so "commit time" is when a sample first showed a new offset. Rules, in Burrow's order:
 *   committed offset below the log start → ERR (records expired unread: data loss)
 *   never committed with records retained → LAGGING (the lag counts every retained record)
 *   no members and lag grew within the window → STALLED (Burrow's STOP comes before its zero-lag rule)
 *   lag now 0, or 0 anywhere in the window → OK (a consumer that caught up is fine, even if slow)
 *   an offset lower than the one before → ERR (rewind)
 *   no movement at all over the window → STALLED (Burrow STALL)
 *   movement that stopped longer ago than the window had movement → STALLED (Burrow STOP)
 *   lag never decreased and grew overall → WARN
 *   otherwise → OK
 * With fewer than `minSamples` samples there is no trend: OK when lag is 0, else LAGGING.
 */
export function evaluateWindow(
  window: readonly LagSample[],
  now: number,
  minSamples = DEFAULT_MIN_SAMPLES,
  facts: RowFacts = {},
): Verdict {
  const last = window[window.length - 1];
  if (!last || last.lag === null) return { status: 'UNKNOWN', reason: 'no committed offset' };
  if (facts.expiredUnread && facts.expiredUnread > 0) {
    return {
      status: 'ERR',
      reason: `${facts.expiredUnread} records expired unread (retention deleted them before the group read them)`,
    };
  }
  if (last.lag <= 0) return { status: 'OK', reason: 'caught up' };
  const known = window.filter((s) => s.lag !== null);
  if (facts.neverCommitted) {
    return { status: 'LAGGING', reason: `never committed: ${last.lag} records unread` };
  }
  if (known.length < minSamples) {
    return { status: 'LAGGING', reason: `lag ${last.lag} (one snapshot: no trend yet)` };
  }
  // a rewind is the worst news whatever else holds (a memberless group whose offsets were reset back)
  const withProgress = known.filter((s) => s.progress !== null) as Array<LagSample & { progress: number }>;
  for (let i = 1; i < withProgress.length; i++) {
    const before = withProgress[i - 1]!;
    const after = withProgress[i]!;
    if (after.progress < before.progress) {
      return { status: 'ERR', reason: `offset went back from ${before.progress} to ${after.progress}` };
    }
  }
  // Burrow checks STOP before its zero-lag rule: a group nobody consumes for is not fine because it was at
  // zero once. Sampled offsets cannot tell a live consumer's repeated commits from none, so the member count
  // says it: no members and lag growing → stalled.
  if (facts.members === 0) {
    const lowest = Math.min(...known.map((s) => s.lag!));
    if (last.lag > lowest) {
      return {
        status: 'STALLED',
        reason: `no members consuming; lag grew from ${lowest} to ${last.lag} within the window`,
      };
    }
  }
  if (known.some((s) => s.lag === 0)) return { status: 'OK', reason: 'reached zero lag within the window' };

  const spanSeconds = (now - known[0]!.at) / 1000;
  if (withProgress.length >= minSamples) {
    const first = withProgress[0]!;
    const final = withProgress[withProgress.length - 1]!;
    if (first.progress === final.progress) {
      return {
        status: 'STALLED',
        reason: `no progress for ${spanSeconds.toFixed(1)}s while lag is ${last.lag}`,
      };
    }
    // When did the progress counter last change? (the first sample showing its final value)
    let lastMove = withProgress.length - 1;
    while (lastMove > 0 && withProgress[lastMove - 1]!.progress === final.progress) lastMove--;
    const lastMoveAt = withProgress[lastMove]!.at;
    if (now - lastMoveAt > lastMoveAt - first.at) {
      return {
        status: 'STALLED',
        reason: `progress stopped ${((now - lastMoveAt) / 1000).toFixed(1)}s ago while lag is ${last.lag}`,
      };
    }
  }
  let neverDecreased = true;
  for (let i = 1; i < known.length; i++) {
    if (known[i]!.lag! < known[i - 1]!.lag!) neverDecreased = false;
  }
  if (neverDecreased && last.lag > known[0]!.lag!) {
    return {
      status: 'WARN',
      reason: `lag grew from ${known[0]!.lag} to ${last.lag} over ${spanSeconds.toFixed(1)}s`,
    };
  }
  return { status: 'OK', reason: `consuming; lag ${last.lag}` };
}

/** The worst of several statuses (a group takes the worst of its rows). */
export function worstStatus(statuses: Iterable<LagStatus>): LagStatus {
  let worst: LagStatus = 'UNKNOWN';
  for (const s of statuses) if (STATUS_RANK[s] > STATUS_RANK[worst]) worst = s;
  return worst;
}

/** Numeric status for Prometheus, in Burrow's spirit: 0 unknown, 1 OK, 2 lagging, 3 warn, 4 stalled, 5 err. */
export function statusCode(status: LagStatus): number {
  return STATUS_RANK[status];
}
