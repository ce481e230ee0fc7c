import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PulsarSchemaAdmin } from '../../../src/brokers/pulsar/schemas';
import { PulsarTopicAdmin } from '../../../src/brokers/pulsar/topics';
import { schemaAdminFor, type SchemaDefinition } from '../../../src/brokers/schemas';
import { sleep } from '../../../src/util/timeout';
import { requirePulsar, uniqueName } from '../../helpers/brokers';
import { kafkaConnection, pulsarConnection, rabbitConnection, rejectsWith } from '../../helpers/topics';

/** A JSON (Avro-syntax) record definition with these fields. */
function record(
  type: 'JSON' | 'AVRO',
  fields: Array<{ name: string; type: unknown; default?: unknown }>,
  properties: Record<string, string> = {},
): SchemaDefinition {
  return { type, schema: JSON.stringify({ type: 'record', name: 'Order', fields }), properties };
}

const V1 = record('JSON', [{ name: 'id', type: 'int' }], { owner: 'billing' });
/** V1 plus an optional field: compatible with V1 both ways (FULL). */
const V2 = record('JSON', [
  { name: 'id', type: 'int' },
  { name: 'note', type: ['null', 'string'], default: null },
]);
/** `id` becomes a string: no Avro reader of one can read the other. */
const INCOMPATIBLE = record('JSON', [{ name: 'id', type: 'string' }]);

describe('Pulsar schemas through the admin API (real broker at 127.0.0.1:8080)', () => {
  const connection = pulsarConnection();
  const schemas = new PulsarSchemaAdmin(connection);
  const topics = new PulsarTopicAdmin(connection);
  const http = connection.admin;
  const cleanup: Array<() => Promise<unknown>> = [];

  before(requirePulsar);
  after(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    await connection.close();
  });

  /** A topic of this test's own (its schema goes with it: deleted with --force semantics at the end). */
  async function topic(prefix: string, partitions?: number, namespace = 'public/default'): Promise<string> {
    const name = `${namespace}/${uniqueName(prefix)}`;
    await topics.create({ name, partitions, configs: {}, ifNotExists: false, dryRun: false });
    const rest = `/admin/v2/schemas/${name}/schema`;
    cleanup.push(() => http.request({ method: 'DELETE', path: rest, query: { force: true } }));
    cleanup.push(() =>
      http.request({
        method: 'DELETE',
        path: `/admin/v2/persistent/${name}${partitions ? '/partitions' : ''}`,
        query: { force: true },
      }),
    );
    return name;
  }

  /** What the broker holds, read with plain REST calls (not through the code under test). */
  const registered = async (name: string) =>
    (
      await http.get<{ getSchemaResponses: Array<{ version: number; type: string; data: string }> }>(
        `/admin/v2/schemas/${name}/schemas`,
      )
    ).getSchemaResponses.map((s) => [s.version, s.type, s.data]);

  it('upload registers new versions, a definition the topic already has is not registered again, get reads them', async () => {
    const name = await topic('mqctl-schema');
    const full = `persistent://${name}`;

    const first = await schemas.upload(name, V1);
    assert.deepEqual(first, {
      topic: full,
      version: 0,
      type: 'JSON',
      changed: true,
      previousVersion: undefined,
    });
    const again = await schemas.upload(name, V1);
    assert.deepEqual(again, { topic: full, version: 0, type: 'JSON', changed: false, previousVersion: 0 });
    const second = await schemas.upload(name, V2);
    assert.deepEqual(second, { topic: full, version: 1, type: 'JSON', changed: true, previousVersion: 0 });
    // V1 again after V2: the broker answers V1's version 0 and registers nothing.
    const older = await schemas.upload(name, V1);
    assert.deepEqual(older, { topic: full, version: 0, type: 'JSON', changed: false, previousVersion: 1 });
    assert.deepEqual(await registered(name), [
      [0, 'JSON', V1.schema],
      [1, 'JSON', V2.schema],
    ]);

    const latest = await schemas.get(name, {});
    assert.equal(latest.topic, full);
    assert.equal(latest.version, 1);
    assert.equal(latest.type, 'JSON');
    assert.equal(latest.schema, V2.schema);
    assert.deepEqual(latest.properties, {});
    assert.match(latest.createdAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const v0 = await schemas.get(name, { version: 0 });
    assert.equal(v0.schema, V1.schema);
    assert.deepEqual(v0.properties, { owner: 'billing' });
    const all = await schemas.versions(name);
    assert.equal(all.topic, full);
    assert.deepEqual(
      all.items.map((v) => [v.version, v.type, v.schema]),
      [
        [0, 'JSON', V1.schema],
        [1, 'JSON', V2.schema],
      ],
    );
    await rejectsWith(schemas.get(name, { version: 9 }), 3, /has no schema version 9/);

    const described = await topics.describe(name, {});
    assert.deepEqual(described.schema, { type: 'JSON', version: 1 });
  });

  it('an AVRO schema on a partitioned topic: one schema for all partitions, shown by topic describe', async () => {
    const name = await topic('mqctl-schema-avro', 2);
    const described = await topics.describe(name, {});
    assert.equal(described.schema, null, 'a topic without a schema says so');
    const avro = record('AVRO', [
      { name: 'id', type: 'long' },
      { name: 'amount', type: 'double' },
    ]);
    const result = await schemas.upload(name, avro);
    assert.equal(result.version, 0);
    assert.deepEqual(await registered(name), [[0, 'AVRO', avro.schema]]);
    assert.deepEqual((await topics.describe(name, {})).schema, { type: 'AVRO', version: 0 });
    const got = await schemas.get(name, {});
    assert.equal(got.type, 'AVRO');
    assert.equal(got.schema, avro.schema);
  });

  it('compat answers yes or no (with the broker reason and strategy) and never registers anything', async () => {
    const name = await topic('mqctl-schema-compat');
    const full = `persistent://${name}`;
    const empty = await schemas.compatibility(name, INCOMPATIBLE);
    assert.equal(empty.compatible, true, 'a topic without a schema accepts any definition');
    assert.equal(empty.latestVersion, undefined);

    await schemas.upload(name, V1);
    const strategy = await schemas.strategy(name);
    // The local broker sets no namespace or topic strategy: its default applies (Pulsar's default is FULL).
    assert.deepEqual(strategy, { strategy: 'FULL', source: 'broker' });
    const yes = await schemas.compatibility(name, V2);
    assert.deepEqual(yes, {
      topic: full,
      compatible: true,
      strategy: 'FULL',
      latestVersion: 0,
      reason: undefined,
    });
    const no = await schemas.compatibility(name, INCOMPATIBLE);
    assert.equal(no.compatible, false);
    assert.equal(no.strategy, 'FULL');
    assert.equal(no.latestVersion, 0);
    assert.equal(
      no.reason,
      'Unable to read schema (Avro: data written with one of the two schemas cannot be read with the other)',
    );
    assert.doesNotMatch(no.reason ?? '', /\n|org\.apache|Exception/, 'one line, no Java class names');
    const otherType = await schemas.compatibility(name, { ...V1, type: 'AVRO' });
    assert.equal(otherType.compatible, false);
    assert.match(otherType.reason ?? '', /exists schema type JSON, new schema type AVRO/);
    assert.deepEqual(await registered(name), [[0, 'JSON', V1.schema]], 'compat registered nothing');

    // The same incompatible definition, uploaded: refused (exit 2), nothing changed.
    await rejectsWith(
      schemas.upload(name, INCOMPATIBLE),
      2,
      /^schema refused: not compatible with version 0 of topic ".*" under strategy FULL \(Unable to read schema \(Avro: /,
    );
    assert.deepEqual(await registered(name), [[0, 'JSON', V1.schema]]);
  });

  it('the strategy comes from the namespace policy, then the topic policy, and compat follows it', async () => {
    const namespace = `public/${uniqueName('mqctl-schema-ns')}`;
    await http.request({ method: 'PUT', path: `/admin/v2/namespaces/${namespace}` });
    cleanup.push(() => http.request({ method: 'DELETE', path: `/admin/v2/namespaces/${namespace}` }));
    await http.request({
      method: 'PUT',
      path: `/admin/v2/namespaces/${namespace}/schemaCompatibilityStrategy`,
      body: 'ALWAYS_COMPATIBLE',
    });
    const name = await topic('mqctl-schema-strategy', undefined, namespace);
    await schemas.upload(name, V1);
    assert.deepEqual(await schemas.strategy(name), { strategy: 'ALWAYS_COMPATIBLE', source: 'namespace' });
    const yes = await schemas.compatibility(name, INCOMPATIBLE);
    assert.equal(yes.compatible, true, 'ALWAYS_COMPATIBLE accepts the changed field type');
    assert.equal(yes.strategy, 'ALWAYS_COMPATIBLE');

    await http.request({
      method: 'PUT',
      path: `/admin/v2/persistent/${name}/schemaCompatibilityStrategy`,
      body: 'FULL',
    });
    // Topic policies reach the broker through a system topic: wait (bounded) until it applies this one.
    const deadline = Date.now() + 10_000;
    let strategy = await schemas.strategy(name);
    while (strategy.source !== 'topic' && Date.now() < deadline) {
      await sleep(200);
      strategy = await schemas.strategy(name);
    }
    assert.deepEqual(strategy, { strategy: 'FULL', source: 'topic' });
    const no = await schemas.compatibility(name, INCOMPATIBLE);
    assert.equal(no.compatible, false, 'the topic policy FULL overrides the namespace');
    assert.equal(no.strategy, 'FULL');
  });

  it('delete marks the schema deleted (a new upload continues the versions); --force removes every version', async () => {
    const name = await topic('mqctl-schema-del');
    await schemas.upload(name, V1);
    await schemas.upload(name, V2);
    const deleted = await schemas.delete(name, { force: false });
    assert.deepEqual(deleted, {
      topic: `persistent://${name}`,
      deleted: true,
      latestVersion: 1,
      force: false,
    });
    assert.deepEqual(await registered(name), []);
    await rejectsWith(schemas.get(name, {}), 3, /has no schema/);
    assert.deepEqual((await schemas.versions(name)).items, []);
    assert.equal((await topics.describe(name, {})).schema, null);
    await rejectsWith(schemas.delete(name, { force: false }), 3, /has no schema/);

    const again = await schemas.upload(name, V1);
    assert.ok(again.version > 1, `versions continue after a delete (got ${again.version})`);
    assert.equal(again.changed, true);
    const forced = await schemas.delete(name, { force: true });
    assert.equal(forced.force, true);
    assert.deepEqual(await registered(name), []);
  });

  it('missing topics exit 3, bad definitions and system topics exit 2, nothing is registered', async () => {
    const missing = `public/default/${uniqueName('mqctl-schema-none')}`;
    // Should an upload get through to the broker, the schema it registers for the name goes at the end.
    cleanup.push(() =>
      http.request({ method: 'DELETE', path: `/admin/v2/schemas/${missing}/schema`, query: { force: true } }),
    );
    const notFound = /topic "persistent:\/\/public\/default\/mqctl-schema-none-.*" not found/;
    await rejectsWith(schemas.get(missing, {}), 3, notFound);
    await rejectsWith(schemas.versions(missing), 3, notFound);
    await rejectsWith(schemas.strategy(missing), 3, notFound);
    await rejectsWith(schemas.upload(missing, V1), 3, notFound);
    await rejectsWith(schemas.compatibility(missing, V1), 3, notFound);
    await rejectsWith(schemas.delete(missing, { force: false }), 3, notFound);
    // An upload to a topic that does not exist would otherwise register a schema for the name.
    assert.deepEqual(await registered(missing), []);

    const name = await topic('mqctl-schema-bad');
    const noSchema = await rejectsWith(schemas.get(name, {}), 3, /has no schema/);
    assert.match(noSchema.hint ?? '', /mqctl schema upload persistent:\/\/.* -f schema\.json/);
    await rejectsWith(
      schemas.upload(name, { type: 'AVRO', schema: '{not json', properties: {} }),
      2,
      /schema refused for topic .*: Invalid schema definition data for AVRO schema/,
    );
    await rejectsWith(
      schemas.compatibility(name, { type: 'AVRO', schema: '{not json', properties: {} }),
      2,
      /Invalid schema definition data for AVRO schema/,
    );
    await rejectsWith(
      schemas.upload(name, { type: 'NOSUCHTYPE', schema: '', properties: {} }),
      2,
      /unknown schema type "NOSUCHTYPE"/,
    );
    assert.deepEqual(await registered(name), []);
    await rejectsWith(
      schemas.upload('public/default/__change_events', V1),
      2,
      /refusing to upload a schema to topic: .*is a Pulsar system topic/,
    );
    await rejectsWith(
      schemas.delete('public/default/__change_events', { force: false }),
      2,
      /refusing to delete the schema of topic: .*is a Pulsar system topic/,
    );
  });

  it('Kafka and RabbitMQ say why they have no schema commands (exit 2) without a network call', async () => {
    const kafka = kafkaConnection('127.0.0.1:1');
    const rabbit = rabbitConnection('/', 'http://127.0.0.1:1');
    try {
      assert.throws(
        () => schemaAdminFor(kafka),
        (e: Error & { exitCode?: number }) =>
          e.exitCode === 2 && /Kafka .* keeps schemas in a separate registry server/.test(e.message),
      );
      assert.throws(
        () => schemaAdminFor(rabbit),
        (e: Error & { exitCode?: number }) =>
          e.exitCode === 2 && /RabbitMQ .* has no schemas/.test(e.message),
      );
    } finally {
      await kafka.close();
      await rabbit.close();
    }
  });
});
