import Table from 'cli-table3';
import { stringify as toYaml } from 'yaml';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Column<T> {
  /** Header shown in tables and CSV. */
  header: string;
  /** Cell value; defaults to row[key]. */
  get: (row: T) => unknown;
  align?: 'left' | 'right';
}

/** Shorthand for a column that reads one field. */
export function col<T>(header: string, key: keyof T & string, align?: 'left' | 'right'): Column<T> {
  return { header, get: (row) => row[key], align };
}

export interface RenderStyle {
  color: boolean;
}

export function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '-';
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(formatCell).join(',');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A borderless, aligned table in the style of kubectl and rpk. */
export function renderTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  style: RenderStyle,
): string {
  const bold = (s: string) => (style.color ? `\u001b[1m${s}\u001b[22m` : s);
  const table = new Table({
    head: columns.map((c) => bold(c.header)),
    colAligns: columns.map((c) => c.align ?? 'left'),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push(columns.map((c) => formatCell(c.get(row))));
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

function csvEscape(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function renderCsv<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const lines = [columns.map((c) => csvEscape(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvEscape(formatCell(c.get(row)))).join(','));
  return lines.join('\n');
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function renderJson(data: unknown): string {
  return JSON.stringify(data, jsonReplacer, 2);
}

export function renderYaml(data: unknown): string {
  return toYaml(JSON.parse(renderJson(data))).trimEnd();
}

/**
 * Renders a list. JSON and YAML get `data` (the documented, stable document), tables and CSV get the rows
 * laid out by the columns.
 */
export function renderList<T>(
  format: OutputFormat,
  rows: readonly T[],
  columns: readonly Column<T>[],
  style: RenderStyle,
  data: unknown = rows,
): string {
  switch (format) {
    case 'json':
      return renderJson(data);
    case 'yaml':
      return renderYaml(data);
    case 'csv':
      return renderCsv(rows, columns);
    case 'table':
      return rows.length === 0 ? '(none)' : renderTable(rows, columns, style);
  }
}

/** Key/value pairs for one object, as a two-column table. */
export function renderKeyValues(pairs: ReadonlyArray<[string, unknown]>, style: RenderStyle): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  const bold = (s: string) => (style.color ? `\u001b[1m${s}\u001b[22m` : s);
  return pairs.map(([k, v]) => `${bold(k.padEnd(width))}  ${formatCell(v)}`).join('\n');
}

export interface Section {
  title: string;
  body: string;
}

export function renderSections(sections: readonly Section[], style: RenderStyle): string {
  const bold = (s: string) => (style.color ? `\u001b[1m${s}\u001b[22m` : s);
  return sections
    .filter((s) => s.body.length > 0)
    .map((s) => `${bold(s.title.toUpperCase())}\n${s.body}`)
    .join('\n\n');
}
