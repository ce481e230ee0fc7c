import Table from 'cli-table3';
import { stringify as toYaml } from 'yaml';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Column<T> {
  /** Header shown in tables. */
  header: string;
  /** CSV header (camelCase, the JSON field name where there is one); defaults to camelCase(header). */
  key?: string;
  /** Cell value; defaults to row[key]. */
  get: (row: T) => unknown;
  align?: 'left' | 'right';
}

/** Shorthand for a column that reads one field. */
export function col<T>(header: string, key: keyof T & string, align?: 'left' | 'right'): Column<T> {
  return { header, key, get: (row) => row[key], align };
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

/**
 * camelCase of a human header: `CURRENT-OFFSET` → `currentOffset`, `send_delay` → `sendDelay`,
 * `p99 (ms)` → `p99Ms`. Words in capitals are lowered; words already in camelCase keep their inner capitals.
 */
export function camelCase(header: string): string {
  const words = header.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  return words
    .map((w) => (w === w.toUpperCase() ? w.toLowerCase() : w))
    .map((w, i) =>
      i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1),
    )
    .join('');
}

/** The CSV header of a column: its key, else its header in camelCase (docs/output.md). */
export function csvHeader<T>(column: Column<T>): string {
  return column.key ?? camelCase(column.header);
}

export function renderCsv<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const lines = [columns.map((c) => csvEscape(csvHeader(c))).join(',')];
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
 * The list envelope of every listing command's JSON and YAML (docs/output.md): `{"items": [...]}`, like
 * kubectl's List, plus optional facts about the listing itself (`meta`, e.g. what a peek examined).
 */
export function listDocument(items: readonly unknown[], meta: Record<string, unknown> = {}): unknown {
  return { ...meta, items };
}

/**
 * Renders a list. JSON and YAML get `{"items": items}` (items default to the rows; pass them when the
 * document form of a row differs, e.g. ISO timestamps), tables and CSV get the rows laid out by the columns.
 */
export function renderList<T>(
  format: OutputFormat,
  rows: readonly T[],
  columns: readonly Column<T>[],
  style: RenderStyle,
  items: readonly unknown[] = rows,
  meta: Record<string, unknown> = {},
): string {
  return renderObject(format, listDocument(items, meta), rows, columns, style);
}

/**
 * Renders one object (a describe, a report, a result). JSON and YAML get `doc` as is; tables and CSV get
 * `rows` (often the object's one natural list, or the object as a single row) laid out by the columns.
 */
export function renderObject<T>(
  format: OutputFormat,
  doc: unknown,
  rows: readonly T[],
  columns: readonly Column<T>[],
  style: RenderStyle,
): string {
  switch (format) {
    case 'json':
      return renderJson(doc);
    case 'yaml':
      return renderYaml(doc);
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
