import { writeFile } from 'node:fs/promises';
import { UsageError } from '../cli/errors';
import { renderKeyValues, type RenderStyle } from '../cli/output';
import type { PerfResult } from '../perf/result-schema';
import { compareResults, type CompareRow } from './baseline';
import { applyGates, type GateReport } from './index';
import { mergeResults } from './merge';
import { sourceFromResult } from './metrics';
import { hasGates, parseGateFlags, type GateFlagValues } from './options';
import { readResultFile } from './result-file';

/** What `perf merge` and `perf compare` do, minus flag parsing and printing. */

export interface MergeOutcome {
  merged: PerfResult;
  report: GateReport;
}

export async function runMerge(
  files: readonly string[],
  flags: GateFlagValues & { result?: string },
  style: RenderStyle,
): Promise<MergeOutcome> {
  if (files.length < 1)
    throw new UsageError('perf merge needs result files', {
      hint: 'mqctl perf merge shard-0.json shard-1.json ...',
    });
  // validate gates and report paths before reading (possibly large) inputs
  const gateOptions = await parseGateFlags(flags);
  const inputs = [];
  for (const path of files) inputs.push({ path, result: await readResultFile(path) });
  const merged = mergeResults(inputs);
  const report = await applyGates(merged, gateOptions, style);
  if (flags.result) await writeFile(flags.result, `${JSON.stringify(merged, null, 2)}\n`);
  return { merged, report };
}

export interface CompareOutcome {
  a: string;
  b: string;
  rows: CompareRow[];
  report: GateReport;
  gated: boolean;
}

export async function runCompare(
  a: string,
  b: string,
  flags: GateFlagValues,
  style: RenderStyle,
): Promise<CompareOutcome> {
  const gateOptions = await parseGateFlags({ ...flags, baseline: undefined }, process.env, {
    requireBaselineForRegression: false,
  });
  const resultA = await readResultFile(a, 'first');
  const resultB = await readResultFile(b, 'second');
  // --max-regression (or a gates file with maxRegression) gates B against A as the baseline
  const wantsRegression =
    (flags['max-regression']?.length ?? 0) > 0 || gateOptions.regression.perMetric.size > 0;
  if (wantsRegression) gateOptions.baseline = { path: a, result: resultA };
  const rows = compareResults(sourceFromResult(resultA), sourceFromResult(resultB));
  const report = await applyGates(resultB, gateOptions, style);
  return { a, b, rows, report, gated: hasGates(gateOptions) };
}

/** A short human summary of a (merged) result. */
export function renderResultSummary(result: PerfResult, style: RenderStyle): string {
  const lat = result.latency?.latency;
  const e2e = result.latency?.e2e;
  const pairs: Array<[string, unknown]> = [
    ['broker', `${result.broker.kind} ${result.broker.target}`],
    ['merged from', result.mergedFrom?.length ? `${result.mergedFrom.length} results` : undefined],
    ['duration', `${result.durationSeconds.toFixed(1)} s`],
    ['target rate', result.targetRate === null ? '-' : `${result.targetRate} msg/s`],
    ['sent', result.sent],
    ['acked', result.acked],
    ['received', result.received],
    ['errors', result.errors],
    ['throughput', `${result.throughput.toFixed(1)} msg/s`],
    ['MB/s', result.mbPerSec.toFixed(3)],
    ['valid', result.valid ? 'yes' : `no: ${result.invalidReason ?? ''}`],
    [
      'latency (ms)',
      lat
        ? `p50 ${lat.p50}  p99 ${lat.p99}  p99.9 ${lat.p999}  max ${lat.max}  (${lat.count} samples)`
        : undefined,
    ],
    [
      'e2e (ms)',
      e2e
        ? `p50 ${e2e.p50}  p99 ${e2e.p99}  p99.9 ${e2e.p999}  max ${e2e.max}  (${e2e.count} samples)`
        : undefined,
    ],
  ];
  return renderKeyValues(
    pairs.filter(([, v]) => v !== undefined),
    style,
  );
}
