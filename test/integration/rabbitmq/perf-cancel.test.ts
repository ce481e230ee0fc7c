import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPerfConsumer } from '../../../src/brokers/perf';
import { requireRabbit, uniqueName } from '../../helpers/brokers';
import { rabbitConnection } from '../../helpers/topics';

/**
 * The broker cancels a consumer (basic.cancel) when its queue is deleted, when a classic queue's node goes
 * down, or when a quorum queue moves. The perf/verify consumer subscribes again when the queue is back; it
 * used to stop receiving for good (found by `npm run bench -- verify`: a classic queue's node restarted, the
 * records published after the restart counted as lost while they sat in the queue with 0 consumers).
 */
describe('RabbitMQ perf consumer after a broker-side cancel', () => {
  before(() => requireRabbit());
  const conn = rabbitConnection();
  const queue = uniqueName('perf-cancel');
  after(async () => {
    const ch = await conn.channel();
    await ch.deleteQueue(queue).catch(() => undefined);
    await ch.close().catch(() => undefined);
    await conn.close();
  });

  it('subscribes again when the queue comes back, and receives what is published after the cancel', async () => {
    const admin = await conn.channel();
    await admin.assertQueue(queue, { durable: true });
    const consumer = await createPerfConsumer(conn, { topic: queue, from: 'earliest', prefetch: 100 });
    const received: string[] = [];
    await consumer.start((_size, _stamp, payload) => received.push(String(payload)));
    admin.sendToQueue(queue, Buffer.from('before'));
    const deadline = (ms: number) => Date.now() + ms;
    const until = async (cond: () => boolean, ms: number, what: string) => {
      const end = deadline(ms);
      while (!cond()) {
        if (Date.now() > end) assert.fail(`${what}: received ${JSON.stringify(received)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(() => received.includes('before'), 5000, 'the first message');
    // the broker cancels the consumer: its queue is deleted, then declared again
    await admin.deleteQueue(queue);
    await admin.assertQueue(queue, { durable: true });
    for (let i = 0; i < 10; i++) admin.sendToQueue(queue, Buffer.from(`after-${i}`));
    await until(
      () => received.filter((r) => r.startsWith('after-')).length === 10,
      10_000,
      'messages after the cancel',
    );
    assert.equal((consumer as unknown as { cancellations: number }).cancellations, 1);
    await consumer.close();
    await admin.close();
  });
});
