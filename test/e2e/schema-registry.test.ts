import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import Ajv from 'ajv';
import { uniqueName } from '../helpers/brokers';
import { isolatedConfigEnv, parseJson, runCli, expectExit } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { TEST_SECRETS } from '../helpers/secrets';

/**
 * `mqctl schema ...` on Kafka through a Confluent-compatible schema registry: the local opt-in registry of
 * `bash scripts/brokers.sh up schema-registry` (Apicurio Registry's /apis/ccompat/v7, in memory, on
 * 127.0.0.1:18081). Started here when it is not up, and then stopped after; a registry that was up is left
 * running, with only this file's subjects deleted. Kafka itself is never contacted by these commands.
 */

const ROOT = resolve(__dirname, '..', '..', '..');
const REGISTRY = 'http://127.0.0.1:18081/apis/ccompat/v7';
const env = isolatedConfigEnv();
const exec = promisify(execFile);
const K = ['--kind', 'kafka', '--registry-url', REGISTRY];
const run = (args: string[]) => runCli(args, { env, timeoutMs: 60_000 });

async function brokers(...args: string[]): Promise<string> {
  const { stdout } = await exec('bash', [resolve(ROOT, 'scripts', 'brokers.sh'), ...args], {
    timeout: 420_000,
    maxBuffer: 1 << 20,
  });
  return stdout.trim();
}

const schemaValidator = (name: string) => {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'output', `${name}.schema.json`), 'utf8'));
  const validate = ajv.compile(schema);
  return (doc: unknown) => assert.ok(validate(doc), `${name}: ${ajv.errorsText(validate.errors)}`);
};

const record = (fields: object[]) => ({ type: 'record', name: 'Customer', fields });
const V1 = record([
  { name: 'id', type: 'long' },
  { name: 'name', type: 'string' },
]);
const V2 = record([
  { name: 'id', type: 'long' },
  { name: 'name', type: 'string' },
  { name: 'email', type: ['null', 'string'], default: null },
]);
// `id` becomes a string and a required field appears: new readers cannot read old data (not BACKWARD).
const BAD = record([
  { name: 'id', type: 'string' },
  { name: 'age', type: 'int' },
]);
const JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { id: { type: 'integer' } },
  required: ['id'],
};

describe('mqctl schema on Kafka through a Confluent-compatible schema registry', { timeout: 600_000 }, () => {
  const dir = tempDir('mqctl-registry-');
  const file = (name: string, doc: object) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(doc));
    return path;
  };
  const v1 = file('v1.json', { type: 'AVRO', schema: V1 });
  const v2 = file('v2.json', { type: 'AVRO', schema: V2 });
  const bad = file('bad.json', { type: 'AVRO', schema: BAD });
  const jsonSchema = file('json.json', { type: 'JSON', schema: JSON_SCHEMA });
  const topic = uniqueName('reg');
  let startedHere = false;

  before(async () => {
    startedHere = await brokers('status', 'schema-registry').then(
      (out) => !/^schema-registry\s+up\b/m.test(out),
      () => true,
    );
    await brokers('up', 'schema-registry');
  });

  after(async () => {
    if (startedHere) {
      await brokers('down', 'schema-registry');
      return;
    }
    for (const subject of [`${topic}-value`, `${topic}-key`, `${topic}-json`])
      await run(['schema', 'delete', topic, ...K, '--subject', subject, '--yes', '--force']);
  });

  it('upload, get, versions, compat, delete; exit codes 0, 2, 3, 99 and 69; JSON valid against its schemas', async () => {
    const checkGet = schemaValidator('schema-get');
    const checkUpload = schemaValidator('schema-upload');
    const checkCompat = schemaValidator('schema-compat');
    const checkDelete = schemaValidator('schema-delete');

    // Avro, TopicNameStrategy: <topic>-value
    let r = await run(['schema', 'upload', topic, ...K, '-f', v1, '-o', 'json']);
    expectExit(r, 0);
    const up1 = parseJson<Record<string, unknown>>(r);
    checkUpload(up1);
    assert.equal(up1.subject, `${topic}-value`);
    assert.equal(up1.version, 1);
    assert.equal(up1.changed, true);
    assert.equal(typeof up1.id, 'number');

    r = await run(['schema', 'upload', topic, ...K, '-f', v1]);
    expectExit(r, 0);
    assert.match(r.stdout, /already has this schema as version 1; nothing changed/);
    // the write names where it goes: the registry, not the Kafka bootstrap address (DESIGN.md §6)
    assert.match(
      r.stderr,
      /^target: schema registry http:\/\/127\.0\.0\.1:18081\/apis\/ccompat\/v7 \(Kafka /m,
    );
    assert.equal(r.stderr.match(/^target: /gm)?.length, 1, `one target line:\n${r.stderr}`);

    // JSON Schema under a named subject, and the key subject
    r = await run([
      'schema',
      'upload',
      topic,
      ...K,
      '--subject',
      `${topic}-json`,
      '-f',
      jsonSchema,
      '-o',
      'json',
    ]);
    expectExit(r, 0);
    const upJson = parseJson<Record<string, unknown>>(r);
    assert.equal(upJson.subject, `${topic}-json`);
    assert.equal(upJson.type, 'JSON');
    r = await run(['schema', 'get', topic, ...K, '--subject', `${topic}-json`, '-o', 'json']);
    expectExit(r, 0);
    const gotJson = parseJson<Record<string, unknown>>(r);
    checkGet(gotJson);
    assert.equal(gotJson.type, 'JSON');
    assert.deepEqual(JSON.parse(gotJson.schema as string), JSON_SCHEMA);
    r = await run(['schema', 'upload', topic, ...K, '--key', '-f', v1, '-o', 'json']);
    expectExit(r, 0);
    assert.equal(parseJson<Record<string, unknown>>(r).subject, `${topic}-key`);

    // compatibility BACKWARD on the value subject (set through the registry's own API)
    const config = await fetch(`${REGISTRY}/config/${topic}-value`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    assert.equal(config.status, 200);

    r = await run(['schema', 'compat', topic, ...K, '-f', v2, '-o', 'json']);
    expectExit(r, 0);
    const ok = parseJson<Record<string, unknown>>(r);
    checkCompat(ok);
    assert.deepEqual(
      { compatible: ok.compatible, strategy: ok.strategy, latestVersion: ok.latestVersion },
      { compatible: true, strategy: 'BACKWARD', latestVersion: 1 },
    );

    r = await run(['schema', 'compat', topic, ...K, '-f', bad, '-o', 'json']);
    expectExit(r, 99, /not compatible with subject .*-value \(strategy BACKWARD\)/);
    const no = parseJson<Record<string, unknown>>(r);
    checkCompat(no);
    assert.equal(no.compatible, false);

    r = await run(['schema', 'upload', topic, ...K, '-f', bad]);
    expectExit(
      r,
      2,
      /schema refused: not compatible with version 1 of subject ".*-value" under compatibility BACKWARD/,
    );

    r = await run(['schema', 'upload', topic, ...K, '-f', v2, '-o', 'json']);
    expectExit(r, 0);
    const up2 = parseJson<Record<string, unknown>>(r);
    checkUpload(up2);
    assert.deepEqual([up2.version, up2.previousVersion, up2.changed], [2, 1, true]);

    // get: latest, one version, every version
    r = await run(['schema', 'get', topic, ...K, '-o', 'json']);
    expectExit(r, 0);
    const latest = parseJson<Record<string, unknown>>(r);
    checkGet(latest);
    assert.equal(latest.version, 2);
    assert.deepEqual(latest.compatibilityStrategy, { strategy: 'BACKWARD', source: 'subject' });
    assert.deepEqual(JSON.parse(latest.schema as string), V2);

    r = await run(['schema', 'get', topic, ...K, '--version', '1', '-o', 'json']);
    expectExit(r, 0);
    const first = parseJson<Record<string, unknown>>(r);
    checkGet(first);
    assert.deepEqual(JSON.parse(first.schema as string), V1);

    r = await run(['schema', 'get', topic, ...K, '--all-versions', '-o', 'json']);
    expectExit(r, 0);
    const all = parseJson<{ subject: string; items: Array<{ version: number }> }>(r);
    assert.equal(all.subject, `${topic}-value`);
    assert.deepEqual(
      all.items.map((i) => i.version),
      [1, 2],
    );

    r = await run(['schema', 'get', topic, ...K]);
    expectExit(r, 0);
    assert.match(r.stdout, /compatibility\s+BACKWARD \(set on the subject\)/);

    // not found: a subject without schemas, a version that does not exist
    expectExit(
      await run(['schema', 'get', uniqueName('none'), ...K]),
      3,
      /has no schema in the schema registry/,
    );
    expectExit(await run(['schema', 'get', topic, ...K, '--version', '9']), 3, /has no schema version 9/);

    // delete, then it is gone
    r = await run(['schema', 'delete', topic, ...K, '--yes', '-o', 'json']);
    expectExit(r, 0);
    const deleted = parseJson<Record<string, unknown>>(r);
    checkDelete(deleted);
    assert.deepEqual([deleted.subject, deleted.latestVersion], [`${topic}-value`, 2]);
    expectExit(await run(['schema', 'get', topic, ...K]), 3);
    expectExit(await run(['schema', 'delete', topic, ...K, '--yes']), 3);

    // no registry named, an unreachable one, a flag that is Kafka's only
    expectExit(
      await run(['schema', 'get', topic, '--kind', 'kafka']),
      2,
      /keeps schemas in a separate registry server, and none is named — name the registry with --registry-url/,
    );
    expectExit(
      await run([
        'schema',
        'get',
        topic,
        '--kind',
        'kafka',
        '--registry-url',
        'http://127.0.0.1:1',
        '--timeout',
        '2s',
      ]),
      69,
      /cannot reach schema registry at http:\/\/127\.0\.0\.1:1 .*is the schema registry running/,
    );
    expectExit(
      await run(['schema', 'get', topic, '--kind', 'pulsar', '--subject', 'x']),
      2,
      /--subject applies to Kafka/,
    );
  });

  it('never prints the registry password', async () => {
    const secret = TEST_SECRETS.registry;
    const r = await run([
      'schema',
      'get',
      topic,
      '--kind',
      'kafka',
      '--registry-url',
      `http://mqctl:${secret}@127.0.0.1:1`,
      '--timeout',
      '2s',
      '--debug',
    ]);
    assert.equal(r.code, 69);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
  });
});
