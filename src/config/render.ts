import {
  col,
  formatCell,
  renderJson,
  renderKeyValues,
  renderList,
  renderYaml,
  type Column,
  type OutputFormat,
  type RenderStyle,
} from '../core/output';
import type { ContextSummary } from './contexts';
import type { ContextSpec } from './types';

const CONTEXT_COLUMNS: Column<ContextSummary>[] = [
  { header: 'CURRENT', get: (r) => (r.current ? '*' : '') },
  col('NAME', 'name'),
  col('KIND', 'kind'),
  col('TARGET', 'target'),
];

/** `context list` in the requested output format. */
export function renderContextList(rows: ContextSummary[], format: OutputFormat, style: RenderStyle): string {
  return renderList<ContextSummary>(format, rows, CONTEXT_COLUMNS, style);
}

function flatten(prefix: string, value: unknown, out: Array<[string, unknown]>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else out.push([prefix, formatCell(value)]);
}

/**
 * `context show`: JSON and YAML as a document (`name`, `current`, then the context's fields); a table (and
 * CSV) as one `key.path  value` line per field.
 */
export function renderContext(
  shown: { name: string; current: boolean; spec: ContextSpec },
  format: OutputFormat,
  style: RenderStyle,
): string {
  const doc = { name: shown.name, current: shown.current, ...shown.spec };
  if (format === 'json') return renderJson(doc);
  if (format === 'yaml') return renderYaml(doc);
  const pairs: Array<[string, unknown]> = [];
  flatten('', doc, pairs);
  return renderKeyValues(pairs, style);
}
