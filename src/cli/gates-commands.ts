import { writeFile } from 'node:fs/promises';
import { UsageError } from '../core/errors';
import { redact } from '../core/redact';
import type { RenderStyle } from '../core/output';
import type { PerfResult } from '../perf/result-schema';
import { compareResults, DEFAULT_NOISE, differingSettings, type CompareRow } from '../gates/baseline';
import { applyGates, type GateReport } from '../gates';
import { mergeResults } from '../gates/merge';
import { sourceFromResult } from '../gates/metrics';
import { hasGates, parseGateFlags, type GateFlagValues } from '../gates/options';
import { readResultFile } from '../gates/result-file';

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
  if (flags.result) {
    try {
      await writeFile(flags.result, redact(`${JSON.stringify(merged, null, 2)}\n`));
    } catch (error) {
      throw new UsageError(
        `--result: cannot write ${flags.result}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        {
          hint: 'check that the directory exists and is writable',
        },
      );
    }
  }
  return { merged, report };
}

export interface CompareOutcome {
  a: string;
  b: string;
  rows: CompareRow[];
  /** settings that differ between A and B (the comparison is then of different experiments) */
  settings: Array<{ setting: string; a: string; b: string }>;
  report: GateReport;
  gated: boolean;
}

export async function runCompare(
  a: string,
  b: string,
  flags: GateFlagValues,
  style: RenderStyle,
  noise = DEFAULT_NOISE,
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
  const rows = compareResults(sourceFromResult(resultA), sourceFromResult(resultB), [], noise);
  const settings = differingSettings(resultA.settings ?? {}, resultB.settings ?? {});
  const report = await applyGates(resultB, gateOptions, style);
  return { a, b, rows, settings, report, gated: hasGates(gateOptions) };
}

/** `--noise 1%` → 0.01 */
export function parseNoise(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim());
  if (!m) throw new UsageError(`--noise must be a percentage, got "${text}"`, { hint: 'e.g. --noise 2%' });
  return Number(m[1]) / 100;
}
