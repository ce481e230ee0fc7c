import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractReason, HttpError } from '../../src/brokers/http';
import { incompatibility } from '../../src/brokers/pulsar/schemas';
import { MqctlError } from '../../src/core/errors';
import { parseSchemaDocument, readSchemaFile } from '../../src/schemas/file';
import { formatDefinition, renderUpload } from '../../src/schemas/render';
import { tempDir } from '../helpers/tmp';

/** Error bodies as Pulsar 4.2's admin API sent them (schemas shortened). */
const JETTY_JSON_409 = `{
"servlet":"org.glassfish.jersey.servlet.ServletContainer-45c80312",
"message":"Error during schema compatibility check with strategy FULL: org.apache.avro.SchemaValidationException: Unable to read schema: 
{
  &quot;type&quot; : &quot;record&quot;
}
using schema:
{
  &quot;type&quot; : &quot;record&quot;
}",
"url":"/admin/v2/schemas/public/default/t/schema",
"status":"409"
}`;
const JETTY_HTML_422 = `<html>
<head>
<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>
<title>Error 422 Invalid schema definition data for AVRO schema</title>
</head>
<body><h2>HTTP ERROR 422 Invalid schema definition data for AVRO schema</h2></body>
</html>`;
const PULSAR_500 = JSON.stringify({
  reason:
    '\n --- An unexpected error occurred in the server ---\n\nMessage: Incompatible schema: exists schema type JSON, new schema type AVRO\n\nStacktrace:\n\norg.apache.pulsar.broker.service.schema.exceptions.IncompatibleSchemaException: Incompatible schema: exists schema type JSON, new schema type AVRO\n\tat org.apache.pulsar.broker.service.schema.SchemaRegistryServiceImpl.checkCompatible(SchemaRegistryServiceImpl.java:359)\n',
});

describe('admin API error reasons are one line', () => {
  it("takes Pulsar's Message: line, not the stack trace", () => {
    assert.equal(
      extractReason(PULSAR_500),
      'Incompatible schema: exists schema type JSON, new schema type AVRO',
    );
  });
  it('reads a Jetty error page: the HTML title, or the "message" of its JSON-like form', () => {
    assert.equal(extractReason(JETTY_HTML_422), 'Invalid schema definition data for AVRO schema');
    assert.equal(
      extractReason(JETTY_JSON_409),
      'Error during schema compatibility check with strategy FULL: org.apache.avro.SchemaValidationException: Unable to read schema:',
    );
  });
  it('keeps plain JSON reasons as they were', () => {
    assert.equal(extractReason('{"reason":"Schema not found"}'), 'Schema not found');
    assert.equal(extractReason('{"error":"not_found","reason":"Object Not Found"}'), 'Object Not Found');
  });
  it('an incompatibility reason drops Java class names; other errors are not incompatibilities', () => {
    assert.equal(
      incompatibility(new HttpError('', 2, 409, JETTY_JSON_409)),
      'Unable to read schema (Avro: data written with one of the two schemas cannot be read with the other)',
    );
    assert.equal(
      incompatibility(new HttpError('', 1, 500, PULSAR_500)),
      'Incompatible schema: exists schema type JSON, new schema type AVRO',
    );
    assert.equal(incompatibility(new HttpError('', 2, 422, JETTY_HTML_422)), undefined);
  });
});

describe("schema files in pulsar-admin's format", () => {
  const usage = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof MqctlError && e.exitCode === 2 && message.test(e.message));

  it('reads {type, schema, properties} as pulsar-admin writes it', () => {
    assert.deepEqual(
      parseSchemaDocument('{"type":"AVRO","schema":"{\\"type\\":\\"string\\"}","properties":{"a":"b"}}', 'f'),
      { type: 'AVRO', schema: '{"type":"string"}', properties: { a: 'b' } },
    );
  });
  it('takes the definition as an object too, a lower-case type, no schema (primitive types) and scalar properties', () => {
    assert.deepEqual(parseSchemaDocument('{"type":"json","schema":{"type":"record","fields":[]}}', 'f'), {
      type: 'JSON',
      schema: '{"type":"record","fields":[]}',
      properties: {},
    });
    assert.deepEqual(parseSchemaDocument('{"type":"STRING","properties":{"n":3,"ok":true}}', 'f'), {
      type: 'STRING',
      schema: '',
      properties: { n: '3', ok: 'true' },
    });
  });
  it('refuses what is not that format (exit 2, naming the file)', () => {
    usage(() => parseSchemaDocument('{"type":', 'bad.json'), /schema file bad\.json is not JSON/);
    usage(() => parseSchemaDocument('[1]', 'a.json'), /must hold a JSON object/);
    usage(() => parseSchemaDocument('{"schema":""}', 'a.json'), /"type" must be a schema type name/);
    usage(() => parseSchemaDocument('{"type":"AVRO","schema":5}', 'a.json'), /"schema" must be a string/);
    usage(() => parseSchemaDocument('{"type":"AVRO","properties":[]}', 'a.json'), /"properties" must be/);
    usage(
      () => parseSchemaDocument('{"type":"AVRO","properties":{"x":{}}}', 'a.json'),
      /property "x" must be a string/,
    );
  });
  it('a missing file is exit 2 with its path; a file on disk is read', () => {
    usage(
      () => readSchemaFile('/nonexistent/schema.json'),
      /cannot read schema file \/nonexistent\/schema\.json \(ENOENT\)/,
    );
    const dir = tempDir('mqctl-schema-');
    writeFileSync(join(dir, 's.json'), '{"type":"STRING","schema":""}');
    assert.deepEqual(readSchemaFile(join(dir, 's.json')), { type: 'STRING', schema: '', properties: {} });
  });
});

describe('schema rendering', () => {
  it('indents JSON definitions and says when a primitive type has none', () => {
    assert.equal(formatDefinition('{"a":1}'), '{\n  "a": 1\n}');
    assert.equal(formatDefinition('syntax = "proto3";'), 'syntax = "proto3";');
    assert.match(formatDefinition(''), /primitive type has no definition/);
  });
  it('an upload that registered nothing says so, with the latest version when it differs', () => {
    const base = { topic: 'persistent://public/default/t', type: 'JSON' };
    assert.equal(
      renderUpload('table', { ...base, version: 2, changed: true, previousVersion: 1 }),
      'uploaded JSON schema to topic persistent://public/default/t: version 2 (was 1)',
    );
    assert.equal(
      renderUpload('table', { ...base, version: 0, changed: false, previousVersion: 1 }),
      'topic persistent://public/default/t already has this schema as version 0 (latest: 1); nothing changed',
    );
  });
});
