import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LOCAL, requirePulsar, uniqueName } from '../helpers/brokers';
import { isolatedConfigEnv, parseJson, runCli, runOnTty, expectExit } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const env = isolatedConfigEnv();
const run = (args: string[]) => runCli(args, { env, timeoutMs: 60_000 });
const P = ['--kind', 'pulsar'];
const TARGET = 'target: connection flags: Pulsar pulsar://127.0.0.1:6650 (admin http://127.0.0.1:8080)';

/** Schema versions the broker holds, read with plain REST (not through mqctl). */
async function registered(name: string): Promise<number[]> {
  const res = await fetch(`${LOCAL.pulsar.adminUrl}/admin/v2/schemas/public/default/${name}/schemas`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { getSchemaResponses: Array<{ version: number }> };
  return body.getSchemaResponses.map((s) => s.version);
}

describe('e2e: mqctl schema on Pulsar (bin/run.js)', () => {
  const dir = tempDir('mqctl-schema-e2e-');
  const file = (name: string, doc: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return path;
  };
  const fields = (...f: Array<{ name: string; type: unknown; default?: unknown }>) =>
    JSON.stringify({ type: 'record', name: 'Order', fields: f });
  const v1 = file('v1.json', {
    type: 'JSON',
    schema: fields({ name: 'id', type: 'int' }),
    properties: { owner: 'billing' },
  });
  const v2 = file('v2.json', {
    type: 'JSON',
    schema: fields({ name: 'id', type: 'int' }, { name: 'note', type: ['null', 'string'], default: null }),
  });
  const incompatible = file('bad.json', { type: 'JSON', schema: fields({ name: 'id', type: 'string' }) });
  const created: string[] = [];

  before(requirePulsar);
  after(async () => {
    for (const name of created) await run(['topic', 'delete', name, ...P, '--yes', '--force']);
  });

  async function topic(prefix: string, partitions?: number): Promise<string> {
    const name = uniqueName(prefix);
    const extra = partitions ? ['--partitions', String(partitions)] : [];
    expectExit(await run(['topic', 'create', name, ...P, ...extra]), 0);
    created.push(name);
    return name;
  }

  it('upload JSON → get → upload again (nothing changes) → compat yes/no → versions → describe', async () => {
    const name = await topic('mqctl-e2e-schema');
    const full = `persistent://public/default/${name}`;

    const up = await run(['schema', 'upload', name, ...P, '-f', v1]);
    expectExit(up, 0);
    assert.equal(up.stdout.trim(), `uploaded JSON schema to topic ${full}: version 0 (its first schema)`);
    assert.equal(up.stderr, `${TARGET}\n`, 'a write names its target first');
    const same = await run(['schema', 'upload', name, ...P, '--filename', v1]);
    expectExit(same, 0);
    assert.equal(same.stdout.trim(), `topic ${full} already has this schema as version 0; nothing changed`);

    const yes = await run(['schema', 'compat', name, ...P, '-f', v2]);
    expectExit(yes, 0);
    assert.equal(
      yes.stdout.trim(),
      `compatible: the schema can be uploaded to topic ${full} (strategy FULL; checked against version 0)`,
    );
    assert.equal(yes.stderr, '', 'compat changes nothing: no target line');

    const no = await run(['schema', 'compat', name, ...P, '-f', incompatible]);
    expectExit(no, 99, /Error: schema in .*bad\.json is not compatible with topic .* \(strategy FULL\)/);
    assert.match(
      no.stdout,
      /^incompatible: topic .* would refuse the schema \(strategy FULL; checked against version 0\): Unable to read schema \(Avro: data written with one of the two schemas cannot be read with the other\)\n$/,
    );
    const noJson = await run(['schema', 'compat', name, ...P, '-f', incompatible, '-o', 'json']);
    expectExit(noJson, 99);
    const verdict = parseJson<Record<string, unknown>>(noJson);
    assert.equal(verdict.compatible, false);
    assert.equal(verdict.strategy, 'FULL');
    assert.equal(verdict.latestVersion, 0);
    assert.match(String(verdict.reason), /Unable to read schema/);

    const refused = await run(['schema', 'upload', name, ...P, '-f', incompatible]);
    expectExit(
      refused,
      2,
      /schema refused: not compatible with version 0 of topic .* under strategy FULL \(Unable to read schema .* — nothing changed; change the definition/,
    );
    assert.deepEqual(await registered(name), [0], 'the refused upload registered nothing');

    const up2 = await run(['schema', 'upload', name, ...P, '-f', v2, '--json']);
    expectExit(up2, 0);
    assert.deepEqual(parseJson(up2), {
      topic: full,
      version: 1,
      type: 'JSON',
      changed: true,
      previousVersion: 0,
    });
    assert.deepEqual(await registered(name), [0, 1]);

    const got = await run(['schema', 'get', name, ...P]);
    expectExit(got, 0);
    assert.match(got.stdout, /^SCHEMA\n/);
    assert.match(got.stdout, new RegExp(`topic\\s+${full}\\n`));
    assert.match(got.stdout, /version\s+1\ntype\s+JSON\ncreated\s+\d{4}-\d\d-\d\dT[\d:.]+Z\n/);
    assert.match(got.stdout, /compatibility\s+FULL \(broker default\)\nproperties\s+\(none\)/);
    assert.match(got.stdout, /DEFINITION\n\{\n {2}"type": "record",/, 'the definition is indented');

    const v0 = parseJson<Record<string, unknown>>(
      await run(['schema', 'get', name, ...P, '--version', '0', '-o', 'json']),
    );
    assert.equal(v0.version, 0);
    assert.deepEqual(v0.properties, { owner: 'billing' });
    assert.equal(v0.schema, fields({ name: 'id', type: 'int' }));
    assert.deepEqual(v0.compatibilityStrategy, { strategy: 'FULL', source: 'broker' });

    const versions = await run(['schema', 'get', name, ...P, '--all-versions']);
    expectExit(versions, 0);
    assert.match(
      versions.stdout,
      /^VERSION\s+TYPE\s+CREATED\s+PROPERTIES\s+SCHEMA\n\s+0\s+JSON\s+\S+\s+owner=billing\s+\{"type":"record"/,
    );
    assert.match(versions.stdout, /\n\s+1\s+JSON\s+\S+\s+\{"type":"record"/);
    assert.match(versions.stdout, /\n\ncompatibility: FULL \(broker default\)\n$/);
    const versionsJson = parseJson<{ topic: string; items: Array<{ version: number }> }>(
      await run(['schema', 'get', name, ...P, '--all-versions', '-o', 'json']),
    );
    assert.equal(versionsJson.topic, full);
    assert.deepEqual(
      versionsJson.items.map((v) => v.version),
      [0, 1],
    );
    const csv = await run(['schema', 'get', name, ...P, '--all-versions', '-o', 'csv']);
    assert.equal(csv.stdout.split('\n')[0], 'version,type,created,properties,schema');

    const described = await run(['topic', 'describe', name, ...P]);
    expectExit(described, 0);
    assert.match(described.stdout, /\nschema\s+JSON, version 1\n/);
    const describedJson = parseJson<{ schema: unknown }>(
      await run(['topic', 'describe', name, ...P, '-o', 'json']),
    );
    assert.deepEqual(describedJson.schema, { type: 'JSON', version: 1 });

    const missingVersion = await run(['schema', 'get', name, ...P, '--version', '5']);
    expectExit(
      missingVersion,
      3,
      /has no schema version 5 .* — list its versions with `mqctl schema get .* --all-versions`/,
    );
    const both = await run(['schema', 'get', name, ...P, '--version', '0', '--all-versions']);
    expectExit(both, 2);
  });

  it('an AVRO schema on a partitioned topic, then delete: refused without a TTY, asked on one, --yes', async () => {
    const name = await topic('mqctl-e2e-schema-avro', 2);
    const full = `persistent://public/default/${name}`;
    const described = await run(['topic', 'describe', name, ...P]);
    assert.match(described.stdout, /\nschema\s+none\n/);
    const avro = file('avro.json', {
      type: 'AVRO',
      schema: { type: 'record', name: 'Payment', fields: [{ name: 'amount', type: 'double' }] },
      properties: { team: 'payments' },
    });
    expectExit(await run(['schema', 'upload', name, ...P, '-f', avro]), 0);
    const got = parseJson<Record<string, unknown>>(await run(['schema', 'get', name, ...P, '--json']));
    assert.equal(got.type, 'AVRO');
    assert.equal(
      got.schema,
      '{"type":"record","name":"Payment","fields":[{"name":"amount","type":"double"}]}',
    );

    const refused = await run(['schema', 'delete', name, ...P]);
    expectExit(
      refused,
      2,
      /refusing to delete the schema of topic .* \(AVRO, latest version 0\) without confirmation — pass --yes/,
    );
    assert.deepEqual(await registered(name), [0]);

    const declined = await runOnTty(['schema', 'delete', name, ...P], 'n', { env });
    assert.equal(declined.code, 2, declined.output);
    assert.match(
      declined.output,
      new RegExp(
        `delete the schema of topic ${full} \\(AVRO, latest version 0\\)\\r?\\n  on connection flags: Pulsar`,
      ),
    );
    assert.match(declined.output, /Proceed\? \[y\/N\]/);
    assert.match(declined.output, /nothing changed \(answered no\)/);
    assert.deepEqual(await registered(name), [0], 'answering no deleted nothing');

    const confirmed = await runOnTty(['schema', 'delete', name, ...P], 'y', { env });
    assert.equal(confirmed.code, 0, confirmed.output);
    assert.match(confirmed.output, /deleted the schema of topic .* \(latest version 0\)/);
    assert.deepEqual(await registered(name), []);

    expectExit(await run(['schema', 'upload', name, ...P, '-f', avro]), 0);
    const deleted = await run(['schema', 'delete', name, ...P, '--yes', '--force', '-o', 'json']);
    expectExit(deleted, 0);
    assert.deepEqual(parseJson(deleted), { topic: full, deleted: true, latestVersion: 2, force: true });
    const again = await run(['schema', 'delete', name, ...P, '--yes']);
    expectExit(
      again,
      3,
      /topic ".*" has no schema on Pulsar at http:\/\/127\.0\.0\.1:8080 — register one with `mqctl schema upload/,
    );
  });

  it('errors: missing topic 3, bad files 2, Kafka and RabbitMQ 2 with the reason, unreachable 69', async () => {
    const missing = uniqueName('mqctl-e2e-schema-none');
    for (const args of [
      ['get', missing],
      ['upload', missing, '-f', v1],
      ['compat', missing, '-f', v1],
      ['delete', missing, '--yes'],
    ]) {
      expectExit(
        await run(['schema', ...args, ...P]),
        3,
        /topic "persistent:\/\/public\/default\/mqctl-e2e-schema-none-.*" not found on Pulsar/,
      );
    }
    const name = await topic('mqctl-e2e-schema-err');
    expectExit(await run(['schema', 'get', name, ...P]), 3, /has no schema/);
    expectExit(
      await run(['schema', 'upload', name, ...P, '-f', join(dir, 'nope.json')]),
      2,
      /cannot read schema file .*nope\.json \(ENOENT\)/,
    );
    expectExit(
      await run(['schema', 'upload', name, ...P, '-f', file('notjson.json', '{"type": AVRO')]),
      2,
      /schema file .*notjson\.json is not JSON .* — the file is pulsar-admin's schema format/,
    );
    expectExit(
      await run([
        'schema',
        'upload',
        name,
        ...P,
        '-f',
        file('badavro.json', { type: 'AVRO', schema: '{nope' }),
      ]),
      2,
      /schema refused for topic .*: Invalid schema definition data for AVRO schema/,
    );
    expectExit(await run(['schema', 'upload', name, ...P]), 2, /missing required flag --file/);
    assert.deepEqual(await registered(name), [], 'nothing registered by the failures');

    expectExit(
      await run(['schema', 'get', 'orders', '--kind', 'kafka']),
      2,
      /^Error: Kafka \(127\.0\.0\.1:9092\) keeps schemas in a separate registry server, and none is named — name the registry with --registry-url, MQCTL_REGISTRY_URL or the context field schemaRegistry\.url/,
    );
    expectExit(
      await run(['schema', 'upload', 'orders', '--kind', 'rabbitmq', '-f', v1]),
      2,
      /RabbitMQ .* has no schemas/,
    );
    expectExit(
      await run(['schema', 'get', name, ...P, '--admin-url', 'http://127.0.0.1:1', '--timeout', '2s']),
      69,
      /cannot reach Pulsar admin API at http:\/\/127\.0\.0\.1:1/,
    );
  });
});
