import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from '../../../src/brokers';
import type { PulsarConnection } from '../../../src/brokers/pulsar/connection';
import { parsePulsarTopic } from '../../../src/brokers/pulsar/topic-name';
import { ExitCode, MqctlError } from '../../../src/core/errors';
import { resolveContext } from '../../../src/config/resolve';
import { ConfigStore } from '../../../src/config/store';
import { LOCAL, requirePulsar, uniqueName } from '../../helpers/brokers';
import { deletePulsarTopics, pulsarSubscription } from '../../helpers/pulsar-admin';
import { waitFor } from '../../helpers/wait';

function pulsar(): PulsarConnection {
  const ctx = resolveContext({ kind: 'pulsar' }, {}, new ConfigStore('/nonexistent/mqctl.yaml'));
  return connect(ctx, { timeoutMs: 10_000 }) as PulsarConnection;
}

describe('Pulsar WebSocket data path (pure JavaScript)', () => {
  let conn: PulsarConnection;
  const created: string[] = [];
  before(async () => {
    await requirePulsar();
    conn = pulsar();
  });
  after(async () => {
    await conn.close();
    await deletePulsarTopics(created);
  });

  it('reports the WebSocket path when the native client is absent', () => {
    assert.equal(conn.dataPath().path, 'websocket');
    assert.equal(conn.websocket.baseUrl, `${LOCAL.pulsar.adminUrl.replace('http', 'ws')}/ws/v2`);
  });

  it('produces with receipts, then consumes every message exactly with key, properties and payload', async () => {
    const topic = uniqueName('ws-roundtrip');
    created.push(topic);
    const consumer = await conn.websocket.consumer(topic, 'sub-1', { subscriptionType: 'Exclusive' });
    const producer = await conn.websocket.producer(topic);
    const count = 500;
    const ids = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        producer.send({
          payload: Buffer.from(`message-${i}`),
          key: `k${i % 7}`,
          properties: { seq: String(i), binary: 'no' },
        }),
      ),
    );
    assert.equal(new Set(ids).size, count, 'every send has its own message id');
    const seen = new Map<number, string>();
    for (let i = 0; i < count; i++) {
      const m = await consumer.receive(15_000);
      assert.ok(m, `message ${i} arrived`);
      const seq = Number(m.properties.seq);
      assert.equal(m.payload.toString(), `message-${seq}`);
      assert.equal(m.key, `k${seq % 7}`);
      seen.set(seq, m.messageId);
      consumer.ack(m.messageId);
    }
    assert.equal(seen.size, count);
    assert.deepEqual(
      [...seen.keys()],
      Array.from({ length: count }, (_, i) => i),
      'in order',
    );
    // Acked on the broker: the subscription's backlog drains to 0 (a 501st message, never acked, would keep
    // it above 0), and nothing more waits in the consumer.
    await waitFor(
      'the 500 acks counted by the broker (sub-1 backlog 0)',
      async () => (await pulsarSubscription(topic, 'sub-1'))?.backlog === 0,
    );
    assert.equal(await consumer.receive(1), undefined, 'nothing more');
    await producer.close();
    await consumer.close();
  });

  it('a reader inspects from the earliest message without creating a durable subscription', async () => {
    const topic = uniqueName('ws-reader');
    created.push(topic);
    const producer = await conn.websocket.producer(topic);
    for (let i = 0; i < 5; i++) await producer.send({ payload: Buffer.from([0, 1, 2, i]) });
    await producer.close();
    const reader = await conn.websocket.reader(topic, { messageId: 'earliest' });
    const payloads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await reader.receive(15_000);
      assert.ok(m);
      payloads.push(m.payload[3]!);
      reader.ack(m.messageId);
    }
    await reader.close();
    assert.deepEqual(payloads, [0, 1, 2, 3, 4], 'binary payloads survive base64');
    const t = parsePulsarTopic(topic);
    const stats = await conn.admin.get<{ subscriptions: Record<string, unknown> }>(
      `/admin/v2/${t.restPath}/stats`,
    );
    assert.deepEqual(
      Object.keys(stats.subscriptions).filter((s) => !s.startsWith('reader-')),
      [],
      'no durable subscription left behind',
    );
  });

  it('maps admin 404 to not found', async () => {
    await assert.rejects(
      conn.admin.get(`/admin/v2/persistent/public/default/${uniqueName('missing')}/stats`),
      (error: unknown) => error instanceof MqctlError && error.exitCode === ExitCode.NOT_FOUND,
    );
  });
});
