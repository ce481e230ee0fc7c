import { redact } from '../core/redact';
import { appendFile, writeFile } from 'node:fs/promises';
import { ThresholdError, UsageError } from '../core/errors';
import type { RenderStyle } from '../core/output';
import type { PerfResult } from '../perf/result-schema';
import { baselineOutcomes } from './baseline';
import { evaluateGates, validityOutcome, type GateOutcomeDetail } from './evaluate';
import { sourceFromResult } from './metrics';
import { hasGates, type GateOptions } from './options';
import { gateSummaryLine, renderGateTable, renderJunit, renderMarkdown } from './report';

/**
 * The one call a perf command makes when its run is over:
 *
 *   const gateOptions = await parseGateFlags(flags);          // before any load: malformed → exit 2
 *   const abort = new AbortEvaluator(gateOptions.gates, {...}); // optional, per interval
 *   ... run ...
 *   const report = await applyGates(result, gateOptions);    // sets result.gates, writes JUnit/Markdown
 *   print report.table; write --result; then `throw gateFailure(report)` when it is defined (exit 99)
 */

export interface GateReport {
  outcomes: GateOutcomeDetail[];
  passed: boolean;
  failed: number;
  /** the gate table for a terminal (no colour unless asked) */
  table: string;
  summaryLine: string;
  markdown: string;
  junit?: string;
  /** files written */
  written: string[];
}

export async function applyGates(
  result: PerfResult,
  options: GateOptions,
  style: RenderStyle = { color: false },
): Promise<GateReport> {
  const outcomes: GateOutcomeDetail[] = [];
  if (hasGates(options)) {
    const validity = validityOutcome(result, options.allowInvalid);
    if (validity) outcomes.push(validity);
    const source = sourceFromResult(result);
    outcomes.push(...evaluateGates(options.gates, source));
    if (options.baseline) {
      outcomes.push(
        ...baselineOutcomes(
          sourceFromResult(options.baseline.result),
          source,
          options.regression,
          'baseline',
        ),
      );
    }
  }
  result.gates = outcomes;
  const failed = outcomes.filter((o) => !o.passed).length;
  const table = renderGateTable(outcomes, style);
  const markdown = renderMarkdown(result, outcomes);
  const written: string[] = [];
  let junit: string | undefined;
  if (options.junitPath) {
    junit = renderJunit(result, outcomes, { systemOut: renderGateTable(outcomes, { color: false }) });
    await writeReport(options.junitPath, junit, '--junit');
    written.push(options.junitPath);
  }
  if (options.summaryMdPath) {
    await writeReport(options.summaryMdPath, markdown, '--summary-md');
    written.push(options.summaryMdPath);
  }
  if (options.githubStepSummary && hasGates(options)) {
    try {
      await appendFile(options.githubStepSummary, redact(markdown));
      written.push(options.githubStepSummary);
    } catch (error) {
      // the gate verdict matters more than the summary: warn, do not fail the run over it
      process.stderr.write(
        redact(
          `warning: could not append to $GITHUB_STEP_SUMMARY (${options.githubStepSummary}): ${(error as Error).message}\n`,
        ),
      );
    }
  }
  return {
    outcomes,
    passed: failed === 0,
    failed,
    table,
    summaryLine: gateSummaryLine(outcomes),
    markdown,
    junit,
    written,
  };
}

async function writeReport(path: string, content: string, flag: string): Promise<void> {
  try {
    await writeFile(path, redact(content));
  } catch (error) {
    throw new UsageError(`${flag}: cannot write ${path}: ${(error as Error).message}`);
  }
}

/** The error to throw (exit 99) when any gate failed, naming the failures; undefined when all passed. */
export function gateFailure(report: GateReport): ThresholdError | undefined {
  if (report.passed) return undefined;
  const failedGates = report.outcomes.filter((o) => !o.passed);
  const names = failedGates
    .slice(0, 3)
    .map((o) =>
      o.measured === null ? `${o.expression} (no samples)` : `${o.expression} (measured ${o.measuredText})`,
    )
    .join(', ');
  const more = failedGates.length > 3 ? ` and ${failedGates.length - 3} more` : '';
  return new ThresholdError(`${report.failed} of ${report.outcomes.length} gates failed: ${names}${more}`, {
    hint: 'see the gate table',
  });
}

export { parseGateFlags, hasGates, type GateOptions, type GateFlagValues } from './options';
export { AbortEvaluator, DEFAULT_ABORT_GRACE_SECONDS, type AbortDecision } from './abort';
export { parseGate, type Gate } from './expression';
export type { GateOutcomeDetail } from './evaluate';
export { mergeResults } from './merge';
export { readResultFile } from './result-file';
export { renderGateTable, renderJunit, renderMarkdown } from './report';
export { sourceFromResult, snapshotFromIntervals, type LiveSnapshot } from './metrics';
