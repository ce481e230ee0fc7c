import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from '../../../src/brokers';
import { PulsarGroupAdmin } from '../../../src/brokers/pulsar/group-admin';
import { PulsarLagSource } from '../../../src/brokers/pulsar/lag';
import type { PulsarConnection } from '../../../src/brokers/pulsar/connection';
import type { MqctlError } from '../../../src/core/errors';
import { resolveContext } from '../../../src/config/resolve';
import { ConfigStore } from '../../../src/config/store';
import { LagHistory } from '../../../src/lag/report';
import { LOCAL, requirePulsar, uniqueName } from '../../helpers/brokers';
import { tempDir } from '../../helpers/tmp';
import { pulsarSubscription } from '../../helpers/pulsar-admin';
import { waitFor } from '../../helpers/wait';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pulsar lag against a real broker', () => {
  let conn: PulsarConnection;
  let source: PulsarLagSource;
  let groupAdmin: PulsarGroupAdmin;
  const topics: string[] = [];

  before(async () => {
    await requirePulsar();
    const store = new ConfigStore(join(tempDir('mqctl-lag-'), 'config.yaml'));
    const ctx = resolveContext(
      { kind: 'pulsar', url: LOCAL.pulsar.serviceUrl, adminUrl: LOCAL.pulsar.adminUrl },
      {},
      store,
    );
    conn = connect(ctx, { timeoutMs: 10_000 }) as PulsarConnection;
    source = new PulsarLagSource(conn);
    groupAdmin = new PulsarGroupAdmin(conn);
  });

  after(async () => {
    for (const t of topics) {
      await conn.admin
        .request({
          method: 'DELETE',
          path: `/admin/v2/persistent/public/default/${t}/partitions`,
          query: { force: true },
        })
        .catch(() =>
          conn.admin.request({
            method: 'DELETE',
            path: `/admin/v2/persistent/public/default/${t}`,
            query: { force: true },
          }),
        )
        .catch(() => undefined);
    }
    await conn.close();
  });

  /** Sends `count` messages; returns the wall-clock midpoint of message `marker`'s send and receipt. */
  async function produce(topic: string, count: number, marker = -1): Promise<number> {
    const producer = await conn.websocket.producer(topic);
    let markerTime = 0;
    const receipts: Array<Promise<string>> = [];
    for (let i = 0; i < count; i++) {
      const sentAt = Date.now();
      const receipt = producer.send({ payload: Buffer.from(`m-${i}`) });
      if (i === marker) markerTime = await receipt.then(() => (sentAt + Date.now()) / 2);
      receipts.push(receipt);
    }
    await Promise.all(receipts);
    await producer.close();
    return markerTime;
  }

  /** Takes `count` messages and acks them; returns once the broker counted the acks (backlog `backlogAfter`). */
  async function consumeAndAck(
    topic: string,
    sub: string,
    count: number,
    backlogAfter: number,
  ): Promise<void> {
    const consumer = await conn.websocket.consumer(topic, sub, {
      subscriptionType: 'Shared',
      receiverQueueSize: 100,
    });
    for (let got = 0; got < count; got++) {
      const m = await consumer.receive(10_000);
      assert.ok(m, `message ${got} of ${count} arrived`);
      consumer.ack(m.messageId);
    }
    // Acks are fire-and-forget over the WebSocket: close only once the broker has them.
    await waitFor(
      `${count} acks on ${sub} counted by the broker (backlog ${backlogAfter})`,
      async () => (await pulsarSubscription(topic, sub))?.backlog === backlogAfter,
    );
    await consumer.close();
  }

  async function backlogSettles(topic: string, sub: string, expected: number) {
    let report;
    for (let i = 0; i < 50; i++) {
      report = new LagHistory().observe(
        await source.snapshot({ groups: [sub], topics: [topic], timeLag: true }),
      );
      if (report.groups[0]!.totalLag === expected) break;
      await sleep(200);
    }
    return report!;
  }

  it('produce 1,000, consume and ack 400: backlog 600 exactly, time lag within 1 s, cursor resets and skips', async () => {
    const topic = uniqueName('lag-p');
    topics.push(topic);
    const sub = 'billing';
    // Subscribe first (durable, from the start), then produce.
    const first = await conn.websocket.consumer(topic, sub, { subscriptionType: 'Shared' });
    await first.close();
    await produce(topic, 400);
    await sleep(1500);
    const t401 = await produce(topic, 600, 0);
    await consumeAndAck(topic, sub, 400, 600);

    const report = await backlogSettles(topic, sub, 600);
    const row = report.rows[0]!;
    assert.equal(row.lag, 600);
    assert.equal(row.partition, null);
    assert.equal(row.consumers, 0);
    assert.equal(row.timeLagSource, 'publish-time');
    const truth = report.takenAt - t401;
    assert.ok(Math.abs(row.timeLagMs! - truth) < 1000, `time lag ${row.timeLagMs} vs truth ${truth}`);
    assert.equal(row.status, 'LAGGING');

    // Reset to earliest: everything is backlog again; then by time to just before the second batch.
    const plan = await groupAdmin.planReset(sub, [{ topic, partitions: [] }], { to: 'earliest' });
    assert.equal(plan.rows[0]!.backlogBefore, 600);
    assert.equal((await backlogSettles(topic, sub, 600)).groups[0]!.totalLag, 600, 'a plan changes nothing');
    await groupAdmin.executeReset(plan);
    assert.equal((await backlogSettles(topic, sub, 1000)).groups[0]!.totalLag, 1000);
    await groupAdmin.executeReset(
      await groupAdmin.planReset(sub, [{ topic, partitions: [] }], { to: 'datetime', timestamp: t401 - 700 }),
    );
    assert.equal((await backlogSettles(topic, sub, 600)).groups[0]!.totalLag, 600);

    const skipped = await groupAdmin.skip(sub, topic, 100);
    assert.deepEqual([skipped.backlogBefore, skipped.backlogAfter], [600, 500]);
    const cleared = await groupAdmin.skip(sub, topic, 'all');
    assert.equal(cleared.backlogAfter, 0);
    await groupAdmin.executeReset(
      await groupAdmin.planReset(sub, [{ topic, partitions: [] }], { to: 'earliest' }),
    );
    await groupAdmin.executeReset(
      await groupAdmin.planReset(sub, [{ topic, partitions: [] }], { to: 'latest' }),
    );
    assert.equal((await backlogSettles(topic, sub, 0)).groups[0]!.status, 'OK');

    // An active subscription is refused; unsupported targets say so.
    const active = await conn.websocket.consumer(topic, sub, { subscriptionType: 'Shared' });
    try {
      await waitFor(
        `the consumer on ${sub} shown by the broker`,
        async () => (await pulsarSubscription(topic, sub))?.consumers === 1,
      );
      await assert.rejects(
        groupAdmin.planReset(sub, [{ topic, partitions: [] }], { to: 'earliest' }),
        (e: MqctlError) => e.exitCode === 2 && /connected consumer/.test(e.message),
      );
      const described = await groupAdmin.describeGroup(sub, { topics: [topic] });
      assert.equal(described.members, 1);
      assert.equal((await groupAdmin.listGroups({ topics: [topic] }))[0]!.members, 1);
    } finally {
      await active.close();
    }
    await assert.rejects(
      groupAdmin.planReset(sub, [{ topic, partitions: [] }], { to: 'offset', offset: 3 }),
      /reset by time/,
    );
    await assert.rejects(
      source.snapshot({ groups: ['nope'], topics: [topic], timeLag: true }),
      (e: MqctlError) => e.exitCode === 3,
    );
    await waitFor(
      `the closed consumer gone from ${sub}`,
      async () => (await pulsarSubscription(topic, sub))?.consumers === 0,
    );
    await groupAdmin.deleteGroup(sub, { topics: [topic] });
    assert.deepEqual(await groupAdmin.listGroups({ topics: [topic] }), []);
  });

  it('a partitioned topic reports the backlog per partition', async () => {
    const topic = uniqueName('lag-pp');
    topics.push(topic);
    await conn.admin.request({
      method: 'PUT',
      path: `/admin/v2/persistent/public/default/${topic}/partitions`,
      body: 3,
    });
    const sub = 'audit';
    const c = await conn.websocket.consumer(topic, sub, { subscriptionType: 'Shared' });
    await c.close();
    const producer = await conn.websocket.producer(topic);
    await Promise.all(
      Array.from({ length: 90 }, (_, i) => producer.send({ payload: Buffer.from(`x${i}`), key: `k${i}` })),
    );
    await producer.close();
    const report = await backlogSettles(topic, sub, 90);
    assert.equal(report.rows.length, 3);
    assert.deepEqual(
      report.rows.map((r) => r.partition),
      [0, 1, 2],
    );
    assert.equal(
      report.rows.reduce((n, r) => n + r.lag!, 0),
      90,
    );
    assert.equal(report.topics[0]!.totalLag, 90);
  });
});
