import { readFile } from 'node:fs/promises';
import { NotFoundError, UsageError } from '../core/errors';
import {
  HISTOGRAM_NAMES,
  PERF_RESULT_SCHEMA,
  PERF_RESULT_SCHEMA_V1,
  type PerfResult,
} from '../perf/result-schema';

/** Reads and checks a perf result document (`--result FILE`, `--baseline FILE`, `perf merge`/`compare` inputs). */
export async function readResultFile(path: string, what = 'result'): Promise<PerfResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new NotFoundError(`${what} file ${path} not found`, {
        hint: 'write one with `mqctl perf produce ... --result FILE`',
      });
    }
    throw new UsageError(`cannot read ${what} file ${path}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} file ${path} is not JSON (${(error as Error).message})`);
  }
  return checkResult(doc, `${what} file ${path}`);
}

/**
 * Checks the parts of a PerfResult that gates, compare and merge rely on. A v1 document (written by an
 * older mqctl, kept as a baseline) is accepted and returned in the current shape; see upgradeV1.
 */
export function checkResult(doc: unknown, where: string): PerfResult {
  const bad = (why: string) =>
    new UsageError(`${where} is not an mqctl perf result: ${why}`, {
      hint: `expected a JSON document with "schema": "${PERF_RESULT_SCHEMA}" (or "${PERF_RESULT_SCHEMA_V1}")`,
    });
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('not a JSON object');
  const given = doc as Record<string, unknown>;
  if (given.schema !== PERF_RESULT_SCHEMA && given.schema !== PERF_RESULT_SCHEMA_V1) {
    throw bad(
      typeof given.schema === 'string' ? `schema "${given.schema}" is not supported` : 'no "schema" field',
    );
  }
  const r = given.schema === PERF_RESULT_SCHEMA_V1 ? upgradeV1(given) : given;
  for (const field of ['sent', 'acked', 'errors', 'throughput', 'mbPerSec', 'durationSeconds']) {
    if (typeof r[field] !== 'number') throw bad(`"${field}" is not a number`);
  }
  if (typeof r.histograms !== 'object' || r.histograms === null) throw bad('"histograms" is missing');
  for (const [name, h] of Object.entries(r.histograms as Record<string, unknown>)) {
    if (!(HISTOGRAM_NAMES as readonly string[]).includes(name)) continue;
    const enc = h as { encoded?: unknown } | undefined;
    if (enc && typeof enc.encoded !== 'string') throw bad(`histogram "${name}" has no "encoded" string`);
  }
  return r as unknown as PerfResult;
}

/**
 * v1 → v2: the one difference is the send-delay histogram's key under `latency` and `histograms`
 * (`send_delay` in v1, `sendDelay` in v2). Returns a copy; the rest of the document is unchanged.
 */
export function upgradeV1(v1: Record<string, unknown>): Record<string, unknown> {
  const rename = (map: unknown): unknown => {
    if (typeof map !== 'object' || map === null || Array.isArray(map)) return map;
    const { send_delay: sendDelay, ...rest } = map as Record<string, unknown>;
    return sendDelay === undefined || 'sendDelay' in rest ? rest : { ...rest, sendDelay };
  };
  return {
    ...v1,
    schema: PERF_RESULT_SCHEMA,
    latency: rename(v1.latency),
    histograms: rename(v1.histograms),
  };
}
