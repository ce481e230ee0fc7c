import type {
  SchemaCompatResult,
  SchemaDeleteResult,
  SchemaStrategy,
  SchemaUploadResult,
  SchemaVersion,
} from '../brokers/contracts/schemas';
import {
  renderJson,
  renderKeyValues,
  renderList,
  renderObject,
  renderSections,
  renderYaml,
  type Column,
  type OutputFormat,
  type RenderStyle,
} from '../core/output';

/** `schema get` -o json|yaml: the version with the strategy in force. */
export interface SchemaDocument extends SchemaVersion {
  compatibilityStrategy: SchemaStrategy;
}

/** `schema get --all-versions` -o json|yaml. */
export interface SchemaVersionsDocument {
  topic: string;
  subject?: string;
  compatibilityStrategy: SchemaStrategy;
  items: SchemaVersion[];
}

function strategyText(s: SchemaStrategy): string {
  const where =
    s.source === 'broker'
      ? 'broker default'
      : s.source === 'registry'
        ? 'registry default'
        : `set on the ${s.source}`;
  return `${s.strategy} (${where})`;
}

/** "topic T", or on Kafka "subject S (topic T)": the registry's name comes first, it is what was changed. */
function whose(r: { topic: string; subject?: string }): string {
  return r.subject === undefined ? `topic ${r.topic}` : `subject ${r.subject} (topic ${r.topic})`;
}

function propertiesText(properties: Record<string, string>): string {
  const entries = Object.entries(properties);
  return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** The definition as people read it: JSON documents indented, anything else as it is. */
export function formatDefinition(schema: string): string {
  if (schema === '') return '(empty: a primitive type has no definition)';
  try {
    return JSON.stringify(JSON.parse(schema), null, 2);
  } catch {
    return schema;
  }
}

export function renderSchema(format: OutputFormat, doc: SchemaDocument, style: RenderStyle): string {
  if (format === 'json') return renderJson(doc);
  if (format === 'yaml') return renderYaml(doc);
  if (format === 'csv') return renderList('csv', [doc], VERSION_COLUMNS, style);
  return renderSections(
    [
      {
        title: 'schema',
        body: renderKeyValues(
          [
            ['topic', doc.topic],
            ...(doc.subject === undefined ? [] : ([['subject', doc.subject]] as Array<[string, unknown]>)),
            ...(doc.id === undefined ? [] : ([['id', doc.id]] as Array<[string, unknown]>)),
            ['version', doc.version],
            ['type', doc.type],
            ['created', doc.createdAt],
            ['compatibility', strategyText(doc.compatibilityStrategy)],
            ['properties', propertiesText(doc.properties)],
          ],
          style,
        ),
      },
      { title: 'definition', body: formatDefinition(doc.schema) },
    ],
    style,
  );
}

const VERSION_COLUMNS: Column<SchemaVersion>[] = [
  { header: 'VERSION', get: (v) => v.version, align: 'right' },
  { header: 'TYPE', get: (v) => v.type },
  { header: 'CREATED', get: (v) => v.createdAt },
  {
    header: 'PROPERTIES',
    get: (v) => (Object.keys(v.properties).length ? propertiesText(v.properties) : ''),
  },
  { header: 'SCHEMA', get: (v) => v.schema },
];

/** The table cuts long definitions to one short line; CSV, JSON and YAML keep them whole. */
const TABLE_VERSION_COLUMNS: Column<SchemaVersion>[] = VERSION_COLUMNS.map((c) =>
  c.header === 'SCHEMA' ? { header: 'SCHEMA', get: (v) => oneLine(v.schema, 60) } : c,
);

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function renderSchemaVersions(
  format: OutputFormat,
  doc: SchemaVersionsDocument,
  style: RenderStyle,
): string {
  if (format === 'table') {
    const table = renderList('table', doc.items, TABLE_VERSION_COLUMNS, style);
    return `${table}\n\ncompatibility: ${strategyText(doc.compatibilityStrategy)}`;
  }
  return renderObject(format, doc, doc.items, VERSION_COLUMNS, style);
}

function resultDoc(format: OutputFormat, data: unknown, line: string): string {
  if (format === 'json') return renderJson(data);
  if (format === 'yaml') return renderYaml(data);
  return line;
}

export function renderUpload(format: OutputFormat, r: SchemaUploadResult): string {
  const line = r.changed
    ? `uploaded ${r.type} schema to ${whose(r)}: version ${r.version}${r.id === undefined ? '' : `, id ${r.id}`}${r.previousVersion === undefined ? ' (its first schema)' : ` (was ${r.previousVersion})`}`
    : `${whose(r)} already has this schema as version ${r.version}${r.previousVersion !== undefined && r.previousVersion !== r.version ? ` (latest: ${r.previousVersion})` : ''}; nothing changed`;
  if (format === 'csv') return renderList('csv', [r], UPLOAD_COLUMNS, { color: false });
  return resultDoc(format, r, line);
}

const UPLOAD_COLUMNS: Column<SchemaUploadResult>[] = [
  { header: 'TOPIC', get: (r) => r.topic },
  { header: 'VERSION', get: (r) => r.version },
  { header: 'TYPE', get: (r) => r.type },
  { header: 'CHANGED', get: (r) => r.changed },
  { header: 'PREVIOUS-VERSION', get: (r) => r.previousVersion },
];

export function renderCompat(format: OutputFormat, r: SchemaCompatResult): string {
  const against =
    r.latestVersion === undefined
      ? `the ${r.subject === undefined ? 'topic' : 'subject'} has no schema yet`
      : `checked against version ${r.latestVersion}`;
  const line = r.compatible
    ? `compatible: the schema can be uploaded to ${whose(r)} (strategy ${r.strategy}; ${against})`
    : `incompatible: ${whose(r)} would refuse the schema (strategy ${r.strategy}; ${against}): ${r.reason ?? 'no reason given'}`;
  if (format === 'csv') return renderList('csv', [r], COMPAT_COLUMNS, { color: false });
  return resultDoc(format, r, line);
}

const COMPAT_COLUMNS: Column<SchemaCompatResult>[] = [
  { header: 'TOPIC', get: (r) => r.topic },
  { header: 'COMPATIBLE', get: (r) => r.compatible },
  { header: 'STRATEGY', get: (r) => r.strategy },
  { header: 'LATEST-VERSION', get: (r) => r.latestVersion },
  { header: 'REASON', get: (r) => r.reason },
];

export function renderDelete(format: OutputFormat, r: SchemaDeleteResult): string {
  const line = `deleted the schema of ${whose(r)} (latest version ${r.latestVersion}${r.force ? '; every version removed from storage' : ''})`;
  if (format === 'csv')
    return renderList(
      'csv',
      [r],
      [
        { header: 'TOPIC', get: (d: SchemaDeleteResult) => d.topic },
        { header: 'DELETED', get: (d: SchemaDeleteResult) => d.deleted },
        { header: 'LATEST-VERSION', get: (d: SchemaDeleteResult) => d.latestVersion },
        { header: 'FORCE', get: (d: SchemaDeleteResult) => d.force },
      ],
      { color: false },
    );
  return resultDoc(format, r, line);
}
