import { ThresholdError } from '../core/errors';
import type { RenderStyle } from '../core/output';
import type { Histogram } from 'hdr-histogram-js';
import type { HistogramName, PerfInterval, PerfResult } from '../perf/result-schema';
import { AbortEvaluator, type AbortDecision } from './abort';
import { applyGates, gateFailure, type GateReport } from './index';
import { emptyHistogram } from './histogram';
import { snapshotFromIntervals, type LiveSnapshot } from './metrics';
import { hasGates, parseGateFlags, type GateFlagValues, type GateOptions } from './options';

/**
 * Gates for one perf run, from the flags to the exit code. A perf command uses it in three places:
 *
 *   init:      session = await GateSession.fromFlags(flags)      // malformed → exit 2, before any load
 *   run hooks: signal: session.signal(this.signal); onInterval: (row) => session.onInterval(row)
 *   finish:    const report = await session.evaluate(result)     // before writing --result / JSON
 *              ... render, then: session.print(out); const e = session.failure(); if (e) throw e;
 */
export class GateSession {
  private readonly controller = new AbortController();
  private readonly abort?: AbortEvaluator;
  private readonly intervals: PerfInterval[] = [];
  /** cumulative measured-phase histograms, when the engine reports interval histograms */
  private readonly cumulative = new Map<HistogramName, Histogram>();
  private decision?: AbortDecision;
  private report?: GateReport;

  constructor(readonly options: GateOptions) {
    if (options.abortOnFail || options.gates.some((g) => g.abortOnFail)) {
      const evaluator = new AbortEvaluator(options.gates, {
        graceSeconds: options.abortGraceSeconds,
        allGates: options.abortOnFail,
      });
      if (evaluator.active) this.abort = evaluator;
    }
  }

  static async fromFlags(flags: GateFlagValues, env: NodeJS.ProcessEnv = process.env): Promise<GateSession> {
    return new GateSession(await parseGateFlags(flags, env));
  }

  get active(): boolean {
    return hasGates(this.options);
  }

  /** The run's abort signal: the command's own (Ctrl-C) or a gate that can no longer pass. */
  signal(base: AbortSignal): AbortSignal {
    return this.abort ? AbortSignal.any([base, this.controller.signal]) : base;
  }

  /** The gate that stopped the run, if one did. */
  get abortDecision(): AbortDecision | undefined {
    return this.decision;
  }

  /**
   * Feed each interval's histograms (measured phase) before its row: percentile gates can then abort the
   * run too. The histograms are added into cumulative copies at once (the engine may reuse them).
   */
  onIntervalHistograms(histograms: ReadonlyMap<HistogramName, Histogram>): void {
    if (!this.abort || this.decision) return;
    for (const [name, histogram] of histograms) {
      let total = this.cumulative.get(name);
      if (!total) this.cumulative.set(name, (total = emptyHistogram()));
      total.add(histogram);
    }
  }

  /** Feed each measured-phase progress row (warm-up rows excluded); aborts the run when a gate says so. */
  onInterval(row: PerfInterval, note?: (text: string) => void): void {
    if (!this.abort || this.decision) return;
    this.intervals.push(row);
    const snapshot = snapshotFromIntervals(this.intervals);
    if (this.cumulative.size > 0) snapshot.histograms = Object.fromEntries(this.cumulative);
    this.decide(this.abort.check(snapshot), note);
  }

  /** Feed a cumulative snapshot with live histograms, when the engine has them (percentile gates can abort). */
  onSnapshot(snapshot: LiveSnapshot, note?: (text: string) => void): void {
    if (!this.abort || this.decision) return;
    this.decide(this.abort.check(snapshot), note);
  }

  private decide(decision: AbortDecision | undefined, note?: (text: string) => void): void {
    if (!decision) return;
    this.decision = decision;
    note?.(`aborting the run: gate ${decision.gate.expression} failed: ${decision.reason}`);
    this.controller.abort(
      new ThresholdError(`aborted by gate ${decision.gate.expression}: ${decision.reason}`),
    );
  }

  /** Evaluates the gates on the finished result (sets result.gates, writes JUnit/Markdown). */
  async evaluate(result: PerfResult, style: RenderStyle = { color: false }): Promise<GateReport> {
    this.report = await applyGates(result, this.options, style);
    return this.report;
  }

  /** The gate table and the summary line, or '' without gates. */
  tableText(): string {
    if (!this.report || !this.active) return '';
    const aborted = this.decision
      ? `\nrun aborted after ${this.decision.elapsedSeconds.toFixed(0)}s: ${this.decision.reason}`
      : '';
    return `\nGATES\n${this.report.table}\n${this.report.summaryLine}${aborted}`;
  }

  /** The exit-99 error when a gate failed or aborted the run; undefined otherwise. */
  failure(): ThresholdError | undefined {
    const failed = this.report ? gateFailure(this.report) : undefined;
    if (this.decision && !failed) {
      return new ThresholdError(
        `run aborted by gate ${this.decision.gate.expression}: ${this.decision.reason}`,
      );
    }
    if (failed && this.decision) {
      return new ThresholdError(`${failed.message}; run aborted early by ${this.decision.gate.expression}`, {
        hint: failed.hint,
      });
    }
    return failed;
  }
}
