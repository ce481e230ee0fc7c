import type { PerfInterval } from '../perf/result-schema';
import { compare, type Gate } from './expression';
import { measure, snapshotFromIntervals, sourceFromSnapshot, type LiveSnapshot } from './metrics';
import { formatValue } from './units';

/**
 * `--abort-on-fail`: decide, at each interval of a run, whether a gate can no longer pass, so the run stops
 * early instead of burning CI minutes (k6's `abortOnFail` with `delayAbortEval`).
 *
 * Two kinds of verdict:
 * - certain: the metric only moves one way, so a violation now is a violation at the end. Counts with an
 *   upper bound (`errors==0`, `errors<10`, `sent<=1000`) and the latency maximum (`max<1s`, `e2e.max<2s`).
 *   These abort at once, even inside the grace period.
 * - trend: every other gate (percentiles, throughput, rates) is evaluated on the data so far and aborts
 *   only after the grace period (`--abort-grace`, default 10 s, or the gate's own `delayAbortEval`), while
 *   early samples (connection set-up, JIT warm-up) could still be outweighed.
 */

export const DEFAULT_ABORT_GRACE_SECONDS = 10;

export interface AbortDecision {
  gate: Gate;
  certain: boolean;
  /** e.g. "errors = 3, wanted == 0 (cannot pass any more)" */
  reason: string;
  elapsedSeconds: number;
}

export interface AbortOptions {
  /** seconds into the measured phase before trend verdicts may abort */
  graceSeconds: number;
  /** apply to every gate (the --abort-on-fail flag); otherwise only gates with abortOnFail */
  allGates: boolean;
}

/** True when a failure of this gate now means failure at the end of the run, whatever comes next. */
export function isCertainFailure(gate: Gate): boolean {
  const upperBound = gate.op === '<' || gate.op === '<=' || gate.op === '==';
  if (!upperBound) return false;
  const m = gate.metric;
  if (m.scalar === 'errors' || m.scalar === 'sent' || m.scalar === 'acked' || m.scalar === 'received')
    return true;
  if (m.stat?.type === 'max' || m.stat?.type === 'count') return true;
  return false;
}

export class AbortEvaluator {
  private readonly gates: Gate[];

  constructor(
    gates: readonly Gate[],
    private readonly options: AbortOptions,
  ) {
    this.gates = gates.filter((g) => options.allGates || g.abortOnFail);
  }

  /** Whether any gate is watched at all (callers may skip building snapshots otherwise). */
  get active(): boolean {
    return this.gates.length > 0;
  }

  /** Checks a cumulative snapshot; returns the first gate that says stop, or undefined to go on. */
  check(snapshot: LiveSnapshot): AbortDecision | undefined {
    const source = sourceFromSnapshot(snapshot);
    for (const gate of this.gates) {
      const certain = isCertainFailure(gate);
      const grace = Math.max(this.options.graceSeconds, gate.delayAbortEvalSeconds ?? 0);
      if (!certain && snapshot.elapsedSeconds < grace) continue;
      const { value } = measure(source, gate.metric);
      // no samples yet is not a verdict during the run: the end-of-run gate reports it
      if (value === null) continue;
      if (compare(value, gate.op, gate.threshold)) continue;
      const measured = formatValue(gate.metric.kind, value);
      return {
        gate,
        certain,
        elapsedSeconds: snapshot.elapsedSeconds,
        reason: `${gate.metric.name} = ${measured}, wanted ${gate.op} ${gate.thresholdText} ${
          certain
            ? '(cannot pass any more)'
            : `(failing after ${snapshot.elapsedSeconds.toFixed(0)}s, grace ${grace}s)`
        }`,
      };
    }
    return undefined;
  }

  /** The same check from the periodic interval lines alone (no live histograms). */
  checkIntervals(intervals: readonly PerfInterval[]): AbortDecision | undefined {
    return this.check(snapshotFromIntervals(intervals));
  }
}
