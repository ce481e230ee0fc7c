import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PulsarTopicAdmin } from '../../../src/brokers/pulsar/topics';
import { PulsarNamespaceAdmin } from '../../../src/brokers/pulsar/namespaces';
import { namespaceAdminFor } from '../../../src/brokers/namespaces';
import { queueAdminFor } from '../../../src/brokers/queues';
import { topicAdminFor } from '../../../src/brokers/topics';
import { sleep } from '../../../src/util/timeout';
import { CLOSED_PORT, requirePulsar, uniqueName } from '../../helpers/brokers';
import { kafkaConnection, pulsarConnection, rejectsWith } from '../../helpers/topics';

describe('Pulsar topics, tenants and namespaces (real broker at 127.0.0.1:8080)', () => {
  const connection = pulsarConnection();
  const topics = new PulsarTopicAdmin(connection);
  const namespaces = new PulsarNamespaceAdmin(connection);
  const http = connection.admin;
  const cleanup: Array<() => Promise<unknown>> = [];
  const partitionsOf = async (full: string) =>
    (await http.get<{ partitions: number }>(`/admin/v2/${full.replace('://', '/')}/partitions`)).partitions;
  const topicExists = async (local: string) =>
    (await http.get<string[]>('/admin/v2/persistent/public/default')).some((t) =>
      t.startsWith(`persistent://public/default/${local}`),
    );

  before(requirePulsar);
  after(async () => {
    // Everything this file created, newest first; one already deleted by its test (exit 3) is fine, any
    // other failure fails the file.
    const failures: string[] = [];
    for (const fn of cleanup.reverse())
      await fn().catch((e: Error & { exitCode?: number }) => {
        if (e.exitCode !== 3) failures.push(e.message);
      });
    await connection.close();
    assert.deepEqual(failures, [], 'cleanup failed');
  });

  const track = (local: string, partitioned: boolean) =>
    cleanup.push(() =>
      http.request({
        method: 'DELETE',
        path: `/admin/v2/persistent/public/default/${local}${partitioned ? '/partitions' : ''}`,
        query: { force: true },
      }),
    );

  it('a short name resolves to public/default; creates partitioned and non-partitioned topics and lists them', async () => {
    const p = uniqueName('mqctl-pt');
    const np = uniqueName('mqctl-np');
    track(p, true);
    track(np, false);
    const created = await topics.create({
      name: p,
      partitions: 3,
      configs: {},
      ifNotExists: false,
      dryRun: false,
    });
    assert.equal(created.name, `persistent://public/default/${p}`);
    assert.equal(created.created, true);
    await topics.create({ name: `public/default/${np}`, configs: {}, ifNotExists: false, dryRun: false });
    assert.equal(await partitionsOf(`persistent://public/default/${p}`), 3);

    const rows = await topics.list({ filter: p });
    assert.deepEqual(
      rows.map((r) => [r.name, r.partitions, r.partitioned]),
      [[`persistent://public/default/${p}`, 3, true]],
      'partitions of a partitioned topic are folded into it',
    );
    const both = await topics.list({ regex: true, filter: `/(${p}|${np})$` });
    assert.deepEqual(
      both.map((r) => [r.name, r.partitioned]),
      [
        [`persistent://public/default/${np}`, false],
        [`persistent://public/default/${p}`, true],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    await rejectsWith(topics.list({ offsets: true }), 2, /--offsets applies to Kafka only/);
    await rejectsWith(topics.list({ namespace: 'public/no-such-ns-xyz' }), 3);
  });

  it('describe shows producers, subscriptions, backlog and storage size per partition', async () => {
    const name = uniqueName('mqctl-desc');
    track(name, true);
    await topics.create({
      name,
      partitions: 2,
      configs: { 'message-ttl-seconds': '600' },
      ifNotExists: false,
      dryRun: false,
    });
    const full = `persistent://public/default/${name}`;
    // A durable subscription on each partition, then 4 messages: the backlog is 4.
    await http.request({
      method: 'PUT',
      path: `/admin/v2/persistent/public/default/${name}/subscription/audit`,
    });
    const producer = await connection.websocket.producer(full);
    try {
      for (let i = 0; i < 4; i++) await producer.send({ payload: Buffer.from(`m${i}`) });
    } finally {
      await producer.close();
    }
    let d = await topics.describe(name, {});
    for (let i = 0; i < 20 && (d.stats?.backlog ?? 0) < 4; i++) {
      await sleep(250);
      d = await topics.describe(name, {});
    }
    assert.equal(d.name, full);
    assert.equal(d.partitioned, true);
    assert.equal(d.partitions, 2);
    assert.deepEqual(
      d.partitionDetails.map((p) => p.partition),
      [0, 1],
    );
    assert.equal(d.stats?.backlog, 4);
    assert.deepEqual(
      d.stats?.subscriptions.map((s) => [s.name, s.backlog]),
      [['audit', 4]],
    );
    assert.ok((d.stats?.storageSize ?? 0) > 0, 'storage size counts the 4 messages');
    assert.equal(
      d.partitionDetails.reduce((sum, p) => sum + (p.backlog ?? 0), 0),
      4,
    );
    assert.deepEqual(
      d.configs.map((c) => [c.name, c.value, c.source]),
      [['message-ttl-seconds', '600', 'topic']],
    );
    await rejectsWith(
      topics.describe(uniqueName('mqctl-none'), {}),
      3,
      /persistent:\/\/public\/default\/mqctl-none-.* not found on Pulsar at http:\/\/127\.0\.0\.1:8080/,
    );
  });

  it('grows partitions, refuses to shrink or to partition a non-partitioned topic', async () => {
    const name = uniqueName('mqctl-grow');
    const np = uniqueName('mqctl-flat');
    track(name, true);
    track(np, false);
    await topics.create({ name, partitions: 2, configs: {}, ifNotExists: false, dryRun: false });
    await topics.create({ name: np, configs: {}, ifNotExists: false, dryRun: false });
    const dry = await topics.alterPartitions(name, 5, true);
    assert.equal(dry.changed, false);
    const full = `persistent://public/default/${name}`;
    assert.equal(await partitionsOf(full), 2);
    const grown = await topics.alterPartitions(name, 5, false);
    assert.deepEqual([grown.previousPartitions, grown.partitions, grown.changed], [2, 5, true]);
    assert.equal(await partitionsOf(full), 5);
    await rejectsWith(topics.alterPartitions(name, 3, false), 2, /cannot decrease .* from 5 to 3/);
    await rejectsWith(topics.alterPartitions(np, 3, false), 2, /is not partitioned/);
    assert.equal(await partitionsOf(full), 5);
  });

  it('rejects bad input with exit 2 and creates nothing', async () => {
    const name = uniqueName('mqctl-bad');
    const base = { name, configs: {}, ifNotExists: false, dryRun: false };
    await rejectsWith(topics.create({ ...base, name: 'a/b' }), 2, /invalid Pulsar topic name/);
    await rejectsWith(topics.create({ ...base, name: 'bad name' }), 2, /invalid Pulsar topic name/);
    await rejectsWith(topics.create({ ...base, partitions: 0 }), 2, /--partitions must be/);
    await rejectsWith(topics.create({ ...base, replicationFactor: 3 }), 2, /does not apply to Pulsar/);
    await rejectsWith(
      topics.create({ ...base, configs: { 'retention.ms': '1' } }),
      2,
      /unknown Pulsar topic config key retention\.ms/,
    );
    await rejectsWith(
      topics.create({ ...base, configs: { 'max-producers': 'many' } }),
      2,
      /must be a whole number/,
    );
    await rejectsWith(
      topics.create({ ...base, name: `public/no-such-ns-xyz/${name}` }),
      3,
      /namespace "public\/no-such-ns-xyz" not found/,
    );
    const dry = await topics.create({ ...base, partitions: 2, dryRun: true });
    assert.equal(dry.created, false);
    assert.equal(await topicExists(name), false);
  });

  it('--if-not-exists accepts an existing topic; without it, exit 2', async () => {
    const name = uniqueName('mqctl-dup');
    track(name, false);
    await topics.create({ name, configs: {}, ifNotExists: false, dryRun: false });
    const again = await topics.create({ name, partitions: 4, configs: {}, ifNotExists: true, dryRun: false });
    assert.equal(again.alreadyExisted, true);
    await rejectsWith(
      topics.create({ name, configs: {}, ifNotExists: false, dryRun: false }),
      2,
      /already exists/,
    );
  });

  it('config set/get/delete map to topic policies', async () => {
    const name = uniqueName('mqctl-pol');
    track(name, false);
    await topics.create({ name, configs: {}, ifNotExists: false, dryRun: false });
    const set = await topics.setConfig(
      name,
      { 'message-ttl-seconds': '120', 'max-producers': '3', 'retention-time-minutes': '60' },
      false,
    );
    assert.deepEqual(Object.fromEntries(set.configs.map((c) => [c.name, c.value])), {
      'message-ttl-seconds': '120',
      'max-producers': '3',
      'retention-time-minutes': '60',
      'retention-size-mb': '-1',
    });
    const got = await topics.getConfig(name, { keys: ['max-producers'] });
    assert.deepEqual(
      got.map((c) => [c.name, c.value, c.source]),
      [['max-producers', '3', 'topic']],
    );
    const dry = await topics.setConfig(name, { 'max-producers': '9' }, true);
    assert.equal(dry.dryRun, true);
    const removed = await topics.deleteConfig(name, ['max-producers'], false);
    assert.deepEqual(removed.configs.map((c) => c.name).sort(), [
      'message-ttl-seconds',
      'retention-size-mb',
      'retention-time-minutes',
    ]);
    await rejectsWith(
      topics.setConfig(name, { nope: '1' }, false),
      2,
      /unknown Pulsar topic config key nope/,
    );
    await rejectsWith(topics.deleteConfig(name, ['nope'], false), 2, /unknown/);
    const all = await topics.getConfig(name, { all: true });
    assert.equal(all.length, 7);
    assert.equal(all.find((c) => c.name === 'max-producers')?.source, 'namespace-or-broker');
  });

  it('deletes partitioned and non-partitioned topics; a missing name deletes nothing (exit 3)', async () => {
    const p = uniqueName('mqctl-delp');
    const np = uniqueName('mqctl-delnp');
    track(p, true);
    track(np, false);
    await topics.create({ name: p, partitions: 2, configs: {}, ifNotExists: false, dryRun: false });
    await topics.create({ name: np, configs: {}, ifNotExists: false, dryRun: false });
    await rejectsWith(topics.delete([p, uniqueName('mqctl-none')], {}), 3, /not found/);
    assert.equal(await topicExists(p), true);
    const results = await topics.delete([p, np], {});
    assert.equal(results.length, 2);
    assert.equal(await topicExists(p), false);
    assert.equal(await topicExists(np), false);
  });

  it('tenant list, namespace list/create/delete', async () => {
    const tenants = await namespaces.listTenants();
    assert.ok(tenants.some((t) => t.name === 'public'));
    const ns = `public/${uniqueName('mqctl-ns')}`;
    // A safety net (the test deletes it): without force, which the broker forbids.
    cleanup.push(() => http.request({ method: 'DELETE', path: `/admin/v2/namespaces/${ns}` }));
    const dry = await namespaces.createNamespace(ns, { ifNotExists: false, dryRun: true });
    assert.equal(dry.created, false);
    assert.ok(!(await namespaces.listNamespaces('public')).some((n) => n.name === ns));
    await namespaces.createNamespace(ns, { ifNotExists: false, dryRun: false });
    assert.ok((await namespaces.listNamespaces('public')).some((n) => n.name === ns));
    assert.ok((await namespaces.listNamespaces()).some((n) => n.name === 'public/default'));
    await rejectsWith(
      namespaces.createNamespace(ns, { ifNotExists: false, dryRun: false }),
      2,
      /already exists/,
    );
    assert.equal(
      (await namespaces.createNamespace(ns, { ifNotExists: true, dryRun: false })).alreadyExisted,
      true,
    );
    // A topic in it: deleting the namespace is refused without --force, and the hint does not offer --force
    // on a broker that refuses it (forceDeleteNamespaceAllowed off, as on the local standalone).
    const topic = `${ns}/${uniqueName('t')}`;
    await topics.create({ name: topic, configs: {}, ifNotExists: false, dryRun: false });
    const notEmpty = await rejectsWith(
      namespaces.deleteNamespace(ns, { force: false }),
      2,
      /cannot delete namespace/,
    );
    assert.equal(
      notEmpty.hint,
      'delete its topics first (this broker refuses --force: forceDeleteNamespaceAllowed is off)',
    );
    await topics.delete([topic], {});
    await namespaces.deleteNamespace(ns, { force: false });
    assert.ok(!(await namespaces.listNamespaces('public')).some((n) => n.name === ns));
    await rejectsWith(namespaces.deleteNamespace(ns, { force: false }), 3, /not found/);
    await rejectsWith(namespaces.listNamespaces(uniqueName('no-tenant')), 3, /tenant .* not found/);
    await rejectsWith(
      namespaces.createNamespace('only-one-part', { ifNotExists: false, dryRun: false }),
      2,
      /invalid namespace/,
    );
  });

  it('an unreachable admin API is exit 69; tenant/namespace/queue on other brokers say what to use', async () => {
    const dead = pulsarConnection(`http://127.0.0.1:${CLOSED_PORT}`, 1500);
    await rejectsWith(topicAdminFor(dead).list({}), 69, /cannot reach Pulsar admin API/);
    await dead.close();
    assert.throws(() => queueAdminFor(connection), /Pulsar .* has no queues/);
    const kafka = kafkaConnection();
    assert.throws(() => namespaceAdminFor(kafka, 'namespace'), /namespaces exist only on Pulsar/);
    await kafka.close();
  });
  it('system topics (__change_events) are listed only with includeInternal, marked internal', async () => {
    // A namespace of this test's own; a topic policy makes Pulsar create its __change_events system topic.
    const ns = `public/${uniqueName('mqctl-sys')}`;
    await namespaces.createNamespace(ns, { ifNotExists: false, dryRun: false });
    const local = uniqueName('mqctl-sys-t');
    // Deleted after its topic (cleanup runs in reverse), without force (which the broker forbids): the
    // system topic goes with the namespace.
    cleanup.push(() => http.request({ method: 'DELETE', path: `/admin/v2/namespaces/${ns}` }));
    cleanup.push(() =>
      http.request({ method: 'DELETE', path: `/admin/v2/persistent/${ns}/${local}`, query: { force: true } }),
    );
    await topics.create({ name: `${ns}/${local}`, configs: {}, ifNotExists: false, dryRun: false });
    await topics.setConfig(`${ns}/${local}`, { 'message-ttl-seconds': '300' }, false);
    const system = `persistent://${ns}/__change_events`;
    // The broker creates the system topic asynchronously: wait for it through the raw admin API.
    const deadline = Date.now() + 20_000;
    while (
      !(await http.get<string[]>(`/admin/v2/persistent/${ns}`, { includeSystemTopic: true })).includes(system)
    ) {
      assert.ok(Date.now() < deadline, `${system} did not appear within 20 s`);
      await sleep(200);
    }
    const plain = await topics.list({ namespace: ns });
    assert.deepEqual(
      plain.map((r) => r.name),
      [`persistent://${ns}/${local}`],
    );
    const all = await topics.list({ namespace: ns, includeInternal: true });
    assert.deepEqual(all.map((r) => [r.name, r.internal]).sort(), [
      [system, true],
      [`persistent://${ns}/${local}`, false],
    ]);
  });

  it('namespace delete --force on a broker that forbids it (the default) is exit 2 naming forceDeleteNamespaceAllowed', async () => {
    const ns = `public/${uniqueName('mqctl-nsf')}`;
    await namespaces.createNamespace(ns, { ifNotExists: false, dryRun: false });
    cleanup.push(() => http.request({ method: 'DELETE', path: `/admin/v2/namespaces/${ns}` }));
    await rejectsWith(namespaces.deleteNamespace(ns, { force: true }), 2, /forceDeleteNamespaceAllowed/);
    // Refused means nothing happened: the namespace is still there.
    assert.ok((await namespaces.listNamespaces('public')).some((n) => n.name === ns));
  });
});
