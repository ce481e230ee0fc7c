import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from '../../../src/brokers';
import { RabbitGroupAdmin } from '../../../src/brokers/rabbitmq/group-admin';
import { RabbitLagSource } from '../../../src/brokers/rabbitmq/lag';
import type { RabbitConnection } from '../../../src/brokers/rabbitmq/connection';
import type { MqctlError } from '../../../src/core/errors';
import { resolveContext } from '../../../src/config/resolve';
import { ConfigStore } from '../../../src/config/store';
import type { LagReport } from '../../../src/lag/model';
import { LagHistory } from '../../../src/lag/report';
import { evaluateThresholds } from '../../../src/lag/thresholds';
import { LOCAL, requireRabbit, uniqueName } from '../../helpers/brokers';
import { tempDir } from '../../helpers/tmp';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rabbitmq lag against a real broker', () => {
  let conn: RabbitConnection;
  let source: RabbitLagSource;
  let groupAdmin: RabbitGroupAdmin;
  const queues: string[] = [];

  before(async () => {
    await requireRabbit();
    const store = new ConfigStore(join(tempDir('mqctl-lag-'), 'config.yaml'));
    const ctx = resolveContext(
      { kind: 'rabbitmq', url: LOCAL.rabbitmq.url, adminUrl: LOCAL.rabbitmq.managementUrl },
      {},
      store,
    );
    conn = connect(ctx, { timeoutMs: 10_000 }) as RabbitConnection;
    source = new RabbitLagSource(conn);
    groupAdmin = new RabbitGroupAdmin(conn);
  });

  after(async () => {
    const ch = await conn.channel();
    for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
    await ch.close().catch(() => undefined);
    await conn.close();
  });

  it('publish 10,000, consume 4,000, hold 100 unacked: depth 6,000 exactly, time lag from the head timestamp', async () => {
    const queue = uniqueName('lag-q');
    queues.push(queue);
    const ch = await conn.confirmChannel();
    await ch.assertQueue(queue, { durable: false });
    const firstBatchAt = Date.now();
    for (let i = 0; i < 4000; i++) {
      ch.sendToQueue(queue, Buffer.from(`a${i}`), { timestamp: Math.floor(Date.now() / 1000) });
    }
    await ch.waitForConfirms();
    await sleep(2000);
    const headSentAt = Date.now();
    for (let i = 0; i < 6000; i++) {
      ch.sendToQueue(queue, Buffer.from(`b${i}`), { timestamp: Math.floor(Date.now() / 1000) });
    }
    await ch.waitForConfirms();
    assert.ok(headSentAt - firstBatchAt >= 2000);

    const consumer = await conn.channel();
    await consumer.prefetch(500);
    let consumed = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed only ${consumed}`)), 30_000);
      void consumer.consume(queue, (m) => {
        if (!m || consumed >= 4000) return;
        consumed++;
        consumer.ack(m);
        if (consumed === 4000) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await consumer.close(); // unacked deliveries beyond 4,000 go back to the queue
    const holder = await conn.channel();
    await holder.prefetch(100);
    await holder.consume(queue, () => undefined); // takes 100, never acks

    // Management values (unacked, head_message_timestamp) are sampled every few seconds, and the head
    // timestamp is refreshed a sample after the counts: wait until the broker's own statistics show the
    // state the test created (bounded), then take the snapshot.
    for (let i = 0; i < 120; i++) {
      const q = await conn.management.get<{
        messages_ready?: number;
        messages_unacknowledged?: number;
        head_message_timestamp?: number;
      }>(`/api/queues/${conn.vhostPath}/${encodeURIComponent(queue)}`);
      if (
        q.messages_ready === 5900 &&
        q.messages_unacknowledged === 100 &&
        (q.head_message_timestamp ?? 0) >= Math.floor(headSentAt / 1000)
      )
        break;
      await sleep(250);
    }
    const report: LagReport | undefined = new LagHistory().observe(
      await source.snapshot({ groups: [queue], topics: [], timeLag: true }),
    );
    const row = report!.rows[0]!;
    assert.equal(row.ready, 5900);
    assert.equal(row.unacked, 100);
    assert.equal(row.lag, 6000);
    assert.equal(row.consumers, 1);
    assert.equal(report!.groups[0]!.totalLag, 6000);
    assert.equal(row.timeLagSource, 'head-timestamp');
    const truth = report!.takenAt - headSentAt;
    assert.ok(Math.abs(row.timeLagMs! - truth) < 1000, `time lag ${row.timeLagMs} vs truth ${truth}`);
    assert.equal(evaluateThresholds(report!, { maxLag: 6000 }).length, 0);
    assert.equal(evaluateThresholds(report!, { maxLag: 5999 }).length, 1);
    await holder.close();

    const described = await groupAdmin.describeGroup(queue);
    assert.equal(described.group, queue);
    assert.ok((await groupAdmin.listGroups()).some((g) => g.group === queue));
    await assert.rejects(groupAdmin.planReset(), (e: MqctlError) => e.exitCode === 2);
  });

  it('without a timestamp property the time lag is unknown, not guessed; a missing queue is exit 3', async () => {
    const queue = uniqueName('lag-q');
    queues.push(queue);
    const ch = await conn.confirmChannel();
    await ch.assertQueue(queue, { durable: false });
    for (let i = 0; i < 10; i++) ch.sendToQueue(queue, Buffer.from(`x${i}`));
    await ch.waitForConfirms();
    const report = new LagHistory().observe(
      await source.snapshot({ groups: [], topics: [queue], timeLag: true }),
    );
    assert.equal(report.rows[0]!.ready, 10);
    assert.equal(report.rows[0]!.timeLagMs, null);
    assert.equal(report.rows[0]!.timeLagSource, 'unknown');
    await assert.rejects(
      source.snapshot({ groups: [uniqueName('missing')], topics: [], timeLag: true }),
      (e: MqctlError) => e.exitCode === 3,
    );
  });
});
