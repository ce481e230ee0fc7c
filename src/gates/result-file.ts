import { readFile } from 'node:fs/promises';
import { NotFoundError, UsageError } from '../core/errors';
import { HISTOGRAM_NAMES, PERF_RESULT_SCHEMA, type PerfResult } from '../perf/result-schema';

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

/** Checks the parts of a PerfResult that gates, compare and merge rely on. */
export function checkResult(doc: unknown, where: string): PerfResult {
  const bad = (why: string) =>
    new UsageError(`${where} is not an mqctl perf result: ${why}`, {
      hint: `expected a JSON document with "schema": "${PERF_RESULT_SCHEMA}"`,
    });
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('not a JSON object');
  const r = doc as Record<string, unknown>;
  if (r.schema !== PERF_RESULT_SCHEMA) {
    throw bad(typeof r.schema === 'string' ? `schema "${r.schema}" is not supported` : 'no "schema" field');
  }
  for (const field of ['sent', 'acked', 'errors', 'throughput', 'mbPerSec', 'durationSeconds']) {
    if (typeof r[field] !== 'number') throw bad(`"${field}" is not a number`);
  }
  if (typeof r.histograms !== 'object' || r.histograms === null) throw bad('"histograms" is missing');
  for (const [name, h] of Object.entries(r.histograms as Record<string, unknown>)) {
    if (!(HISTOGRAM_NAMES as readonly string[]).includes(name)) continue;
    const enc = h as { encoded?: unknown } | undefined;
    if (enc && typeof enc.encoded !== 'string') throw bad(`histogram "${name}" has no "encoded" string`);
  }
  return doc as PerfResult;
}
