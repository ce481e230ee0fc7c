import { access, readFile, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { NotFoundError, UsageError, forFlag } from '../core/errors';
import type { PerfResult } from '../perf/result-schema';
import { parseDuration } from '../util/duration';
import { DEFAULT_ABORT_GRACE_SECONDS } from './abort';
import { parseRegressionPolicy, type RegressionPolicy } from './baseline';
import { parseGate, type Gate } from './expression';
import { readResultFile } from './result-file';

/**
 * The gate flags every perf command spreads into its flags, and their validation. Everything here runs
 * before any load is sent: a malformed gate, a missing baseline or an unwritable report path is a usage
 * error (exit 2) with nothing produced.
 */

export interface GateFlagValues {
  gate?: string[];
  gates?: string;
  baseline?: string;
  'max-regression'?: string[];
  junit?: string;
  'summary-md'?: string;
  'abort-on-fail'?: boolean;
  'abort-grace'?: string;
  'allow-invalid'?: boolean;
}

export interface GateOptions {
  gates: Gate[];
  baseline?: { path: string; result: PerfResult };
  regression: RegressionPolicy;
  junitPath?: string;
  summaryMdPath?: string;
  /** file the Markdown summary is appended to; defaults to $GITHUB_STEP_SUMMARY */
  githubStepSummary?: string;
  abortOnFail: boolean;
  abortGraceSeconds: number;
  allowInvalid: boolean;
}

/** The YAML file behind --gates. Every key is optional; flags add to (gates) or override (the rest) it. */
export interface GatesFile {
  gates?: Array<string | { expression: string; abortOnFail?: boolean; delayAbortEval?: string }>;
  baseline?: string;
  maxRegression?: string | number | Record<string, string | number>;
  abortOnFail?: boolean;
  abortGrace?: string;
  allowInvalid?: boolean;
}

const FILE_KEYS = ['gates', 'baseline', 'maxRegression', 'abortOnFail', 'abortGrace', 'allowInvalid'];
const GATE_KEYS = ['expression', 'abortOnFail', 'delayAbortEval'];

export interface LoadedGatesFile {
  gates: Gate[];
  baselinePath?: string;
  maxRegression: string[];
  abortOnFail?: boolean;
  abortGraceSeconds?: number;
  allowInvalid?: boolean;
}

/** Reads a gates file; paths inside it (baseline) are relative to the file. */
export async function loadGatesFile(path: string): Promise<LoadedGatesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`gates file ${path} not found`);
    throw new UsageError(`cannot read gates file ${path}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new UsageError(`gates file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const where = `gates file ${path}`;
  if (doc === null || doc === undefined) return { gates: [], maxRegression: [] };
  // a bare list is a list of gates
  const file = (Array.isArray(doc) ? { gates: doc } : doc) as GatesFile & Record<string, unknown>;
  if (typeof file !== 'object') throw new UsageError(`${where}: expected a mapping with "gates:"`);
  for (const key of Object.keys(file)) {
    if (!FILE_KEYS.includes(key)) {
      throw new UsageError(`${where}: unknown key "${key}"`, { hint: `known keys: ${FILE_KEYS.join(', ')}` });
    }
  }
  const gates: Gate[] = [];
  if (file.gates !== undefined && !Array.isArray(file.gates))
    throw new UsageError(`${where}: "gates" must be a list`);
  for (const [i, entry] of (file.gates ?? []).entries()) {
    if (typeof entry === 'string') {
      gates.push(withContext(() => parseGate(entry), `${where}, gate ${i + 1}`));
      continue;
    }
    if (typeof entry !== 'object' || entry === null || typeof entry.expression !== 'string') {
      throw new UsageError(`${where}, gate ${i + 1}: expected a string or a mapping with "expression"`);
    }
    for (const key of Object.keys(entry)) {
      if (!GATE_KEYS.includes(key)) {
        throw new UsageError(`${where}, gate ${i + 1}: unknown key "${key}"`, {
          hint: `known keys: ${GATE_KEYS.join(', ')}`,
        });
      }
    }
    const gate = withContext(() => parseGate(entry.expression), `${where}, gate ${i + 1}`);
    if (entry.abortOnFail !== undefined)
      gate.abortOnFail = booleanField(entry.abortOnFail, `${where}, gate ${i + 1}: abortOnFail`);
    if (entry.delayAbortEval !== undefined) {
      gate.delayAbortEvalSeconds = withContext(
        () => parseDuration(String(entry.delayAbortEval)) / 1000,
        `${where}, gate ${i + 1}`,
      );
    }
    gates.push(gate);
  }
  const maxRegression: string[] = [];
  if (typeof file.maxRegression === 'string' || typeof file.maxRegression === 'number') {
    maxRegression.push(regressionText(file.maxRegression));
  } else if (file.maxRegression && typeof file.maxRegression === 'object') {
    for (const [metric, value] of Object.entries(file.maxRegression)) {
      maxRegression.push(metric === 'default' ? regressionText(value) : `${metric}=${regressionText(value)}`);
    }
  }
  if (file.baseline !== undefined && typeof file.baseline !== 'string')
    throw new UsageError(`${where}: "baseline" must be a path`);
  return {
    gates,
    baselinePath: file.baseline ? resolve(dirname(path), file.baseline) : undefined,
    maxRegression,
    abortOnFail:
      file.abortOnFail === undefined ? undefined : booleanField(file.abortOnFail, `${where}: abortOnFail`),
    abortGraceSeconds:
      file.abortGrace === undefined
        ? undefined
        : withContext(() => parseDuration(String(file.abortGrace)) / 1000, where),
    allowInvalid:
      file.allowInvalid === undefined ? undefined : booleanField(file.allowInvalid, `${where}: allowInvalid`),
  };
}

/** A number in YAML (`0.1`) is a fraction, a string may carry `%`. */
function regressionText(value: unknown): string {
  return typeof value === 'number' ? String(value) : String(value).trim();
}

function booleanField(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new UsageError(`${where} must be true or false`);
  return value;
}

function withContext<T>(fn: () => T, where: string): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${where}: ${error.message}`, { hint: error.hint });
    throw error;
  }
}

/** A report path must be writable: its directory exists and accepts files (checked before the run). */
async function checkWritablePath(path: string, flag: string): Promise<string> {
  const full = resolve(path);
  const dir = dirname(full);
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${path}: directory ${dir} does not exist or is not writable`, {
      hint: 'create the directory first (mkdir -p)',
    });
  }
  return full;
}

/**
 * Validates every gate-related flag and file before any load is sent. Malformed gates, unknown metrics,
 * a missing or foreign baseline, `--max-regression` without a baseline, and unwritable report paths all
 * throw UsageError (exit 2) or NotFoundError (exit 3).
 */
export async function parseGateFlags(
  flags: GateFlagValues,
  env: NodeJS.ProcessEnv = process.env,
  options: { requireBaselineForRegression?: boolean } = {},
): Promise<GateOptions> {
  const gates: Gate[] = [];
  const file = flags.gates ? await loadGatesFile(flags.gates) : undefined;
  if (file) gates.push(...file.gates);
  for (const expression of flags.gate ?? []) gates.push(parseGate(expression));

  // flags override the file: the default allowance, and per-metric allowances metric by metric
  const regression = parseRegressionPolicy(file?.maxRegression);
  const fromFlags = parseRegressionPolicy(flags['max-regression']);
  if ((flags['max-regression'] ?? []).some((v) => v.split(',').some((p) => p.trim() && !p.includes('=')))) {
    regression.defaultMax = fromFlags.defaultMax;
  }
  for (const [name, entry] of fromFlags.perMetric) regression.perMetric.set(name, entry);

  const baselinePath = flags.baseline ?? file?.baselinePath;
  if (flags['max-regression']?.length && !baselinePath && options.requireBaselineForRegression !== false) {
    throw new UsageError('--max-regression needs --baseline FILE to compare with');
  }
  const baseline = baselinePath
    ? { path: baselinePath, result: await readResultFile(baselinePath, 'baseline') }
    : undefined;

  const abortGraceSeconds =
    flags['abort-grace'] !== undefined
      ? forFlag('--abort-grace', () => parseDuration(flags['abort-grace']!)) / 1000
      : undefined;
  if (abortGraceSeconds !== undefined && abortGraceSeconds < 0)
    throw new UsageError('--abort-grace must not be negative');

  return {
    gates,
    baseline,
    regression,
    junitPath: flags.junit ? await checkWritablePath(flags.junit, '--junit') : undefined,
    summaryMdPath: flags['summary-md']
      ? await checkWritablePath(flags['summary-md'], '--summary-md')
      : undefined,
    githubStepSummary: env.GITHUB_STEP_SUMMARY || undefined,
    abortOnFail: Boolean(flags['abort-on-fail']) || Boolean(file?.abortOnFail),
    abortGraceSeconds: abortGraceSeconds ?? file?.abortGraceSeconds ?? DEFAULT_ABORT_GRACE_SECONDS,
    allowInvalid: Boolean(flags['allow-invalid']) || Boolean(file?.allowInvalid),
  };
}

/** Whether the options ask for any verdict at all (gates or a baseline). */
export function hasGates(options: GateOptions): boolean {
  return options.gates.length > 0 || options.baseline !== undefined;
}
