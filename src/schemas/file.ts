import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors';
import type { SchemaDefinition } from '../brokers/contracts/schemas';

const FORMAT_HINT =
  'the file is pulsar-admin\'s schema format: {"type": "AVRO", "schema": "<the definition as a string>", "properties": {}}';

/** Reads a schema file (`-f FILE`) in pulsar-admin's format; anything unreadable or malformed exits 2. */
export function readSchemaFile(path: string): SchemaDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`cannot read schema file ${path} (${code})`, { hint: 'check the path given to -f' });
  }
  return parseSchemaDocument(text, path);
}

/**
 * `{"type": "JSON", "schema": "...", "properties": {...}}` → the upload payload. As a convenience, `schema` may
 * also be the Avro/JSON definition itself (an object, sent as its JSON text), and `type` is case-insensitive.
 * Property values must be strings, numbers or booleans (sent as strings).
 */
export function parseSchemaDocument(text: string, source: string): SchemaDefinition {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`schema file ${source} is not JSON (${(error as Error).message})`, {
      hint: FORMAT_HINT,
    });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError(`schema file ${source} must hold a JSON object`, { hint: FORMAT_HINT });
  }
  const { type, schema, properties } = doc as Record<string, unknown>;
  if (typeof type !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(type)) {
    throw new UsageError(`schema file ${source}: "type" must be a schema type name such as AVRO or JSON`, {
      hint: FORMAT_HINT,
    });
  }
  let definition: string;
  if (schema === undefined || schema === null) definition = '';
  else if (typeof schema === 'string') definition = schema;
  else if (typeof schema === 'object') definition = JSON.stringify(schema);
  else {
    throw new UsageError(`schema file ${source}: "schema" must be a string (or the definition object)`, {
      hint: FORMAT_HINT,
    });
  }
  const props: Record<string, string> = {};
  if (properties !== undefined && properties !== null) {
    if (typeof properties !== 'object' || Array.isArray(properties)) {
      throw new UsageError(`schema file ${source}: "properties" must be an object of strings`, {
        hint: FORMAT_HINT,
      });
    }
    for (const [key, value] of Object.entries(properties)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw new UsageError(`schema file ${source}: property "${key}" must be a string`, {
          hint: FORMAT_HINT,
        });
      }
      props[key] = String(value);
    }
  }
  return { type: type.toUpperCase(), schema: definition, properties: props };
}
