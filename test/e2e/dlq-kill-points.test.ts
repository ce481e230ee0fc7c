import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as amqp from 'amqplib';
import { request } from 'undici';
import { Kafka, logLevel } from '../../src/brokers/kafka/kafkajs';
import { PulsarWebSocketClient } from '../../src/brokers/pulsar/websocket';
import { buildFilter } from '../../src/dlq/filter';
import { replayJobId } from '../../src/dlq/replay';
import { LOCAL, requireKafka, requirePulsar, requireRabbit, uniqueName } from '../helpers/brokers';
import { BIN, isolatedConfigEnv, runCli } from '../helpers/cli';
import {
  createTopics,
  deleteTopics,
  produceAll,
  rabbitCleanup,
  rabbitDrain,
  readAllCommitted,
  runUntilPaused,
  springDltHeaders,
} from '../helpers/dlq-fixtures';
import { forgetReplayProgress } from '../helpers/leftovers';

/**
 * SIGKILL at the risky moments of a replay, not at random instants: MQCTL_TEST_PAUSE_AT (src/core/test-pause.ts)
 * freezes the replay at a named step, the test checks the broker state there and kills it, then runs the same
 * command again. `<step>@2` is the second time the step is reached: the kill lands mid-replay, after a first chunk.
 */

const kafka = new Kafka({
  brokers: [LOCAL.kafka.brokers],
  clientId: 'dlq-kill-points',
  logLevel: logLevel.NOTHING,
});

/** Data records (not transaction markers) in a topic, as a read_uncommitted reader sees them: copies of open or aborted transactions too. */
async function countUncommitted(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const end = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const done = new Set([...end].filter(([, h]) => h === 0n).map(([p]) => p));
  if (done.size === end.size) return 0;
  const seen = new Set<string>();
  const groupId = uniqueName('kp-count');
  const consumer = kafka.consumer({ groupId, readUncommitted: true, maxWaitTimeInMs: 250 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`count ${topic}: timeout`)), 60_000);
      let idle: NodeJS.Timeout | undefined;
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) seen.add(`${batch.partition}:${m.offset}`);
          // The last offsets of a partition can be markers: once nothing more comes for 3 s, that is all.
          clearTimeout(idle);
          if (BigInt(batch.lastOffset()) + 1n >= (end.get(batch.partition) ?? 0n)) done.add(batch.partition);
          if (done.size === end.size) {
            clearTimeout(timer);
            resolve();
          } else
            idle = setTimeout(() => {
              clearTimeout(timer);
              resolve();
            }, 3000);
        },
      });
    });
  } finally {
    await consumer.disconnect();
    const admin2 = kafka.admin();
    await admin2.connect();
    await admin2.deleteGroups([groupId]).catch(() => undefined);
    await admin2.disconnect();
  }
  return seen.size;
}

describe('dlq replay on Kafka: SIGKILL at each step of a transaction, then a re-run: every record once', () => {
  const origin = uniqueName('kp-orders');
  const dlq = `${origin}-dlt`;
  const TOTAL = 12_000;
  const env = isolatedConfigEnv();
  const args = ['dlq', 'replay', dlq, '--kind', 'kafka', '--output', 'json'];
  const jobId = replayJobId(dlq, undefined, buildFilter({}), 3);

  before(async () => {
    await requireKafka();
    await createTopics(kafka, [
      { topic: origin, partitions: 3 },
      { topic: dlq, partitions: 3 },
    ]);
    await produceAll(
      kafka,
      dlq,
      Array.from({ length: TOTAL }, (_, i) => ({
        key: `k${i}`,
        value: JSON.stringify({ i }),
        partition: i % 3,
        headers: springDltHeaders({
          topic: origin,
          partition: i % 3,
          offset: i,
          exceptionClass: 'java.net.SocketTimeoutException',
          exceptionMessage: `failure ${i}`,
        }),
      })),
    );
  });

  after(async () => {
    await forgetReplayProgress([dlq]);
    await deleteTopics(kafka, [origin, dlq]);
  });

  const committedPosition = async (): Promise<number> => {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: jobId, topics: [dlq] });
    await admin.disconnect();
    return offsets[0]!.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
  };

  it(
    'killed after the copies were sent, while EndTxn is in flight, and right after the commit: 0 lost, 0 duplicates (read_committed)',
    { timeout: 900_000 },
    async () => {
      const report: string[] = [];
      for (const step of ['kafka:sent', 'kafka:committing', 'kafka:committed'] as const) {
        const positionBefore = await committedPosition();
        const writtenBefore = await countUncommitted(origin);
        // --rate 4000: a chunk (one transaction) is 500 ms of copies; @2 is the run's second transaction.
        const run = await runUntilPaused(BIN, [...args, '--rate', '4000'], env, `${step}@2`);
        // What the frozen run says: copies committed by its first transaction, copies in the second.
        const { committed, inTransaction } = run.detail as { committed: number; inTransaction: number };
        assert.ok(committed > 0 && inTransaction > 0, `${step}: ${JSON.stringify(run.detail)}`);
        // The broker: the job's position (group offsets, committed in each transaction) and the copies in the log.
        const expectedPosition = step === 'kafka:sent' ? committed : committed + inTransaction;
        let position = (await committedPosition()) - positionBefore;
        // kafka:committing: EndTxn reached the broker, which completes the commit without the frozen client.
        for (let i = 0; i < 100 && position !== expectedPosition; i++) {
          await new Promise((r) => setTimeout(r, 100));
          position = (await committedPosition()) - positionBefore;
        }
        const written = (await countUncommitted(origin)) - writtenBefore;
        await run.kill();
        const positionAfterKill = (await committedPosition()) - positionBefore;
        report.push(
          `${step}@2: committed ${committed} + ${inTransaction} in the transaction; the broker: ${written} copies in the log, position +${position} (+${positionAfterKill} after the kill)`,
        );
        assert.equal(written, committed + inTransaction, `${step}: copies in the log`);
        assert.equal(position, expectedPosition, `${step}: the job's position`);
        assert.equal(positionAfterKill, position, `${step}: the kill moved the position`);
      }
      const final = await runCli(args, { env, timeoutMs: 180_000 });
      assert.equal(final.code, 0, final.stderr);
      const copies = await readAllCommitted(kafka, origin, 180_000);
      const count = new Map<string, number>();
      for (const c of copies) {
        assert.ok(c.key, 'a copy without its key');
        count.set(c.key, (count.get(c.key) ?? 0) + 1);
      }
      const doubled = [...count].filter(([, n]) => n > 1);
      assert.deepEqual(doubled.slice(0, 5), [], `${doubled.length} keys copied more than once`);
      assert.equal(count.size, TOTAL, 'every record copied');
      process.stderr.write(
        `kafka kill points:\n  ${report.join('\n  ')}\n  ${copies.length} copies, 0 duplicates\n`,
      );
    },
  );
});

describe('dlq replay on RabbitMQ: SIGKILL before, during and after a transaction commit: 0 lost, 0 duplicates', () => {
  const base = uniqueName('kp-rabbit');
  const names = { source: `${base}.src`, dlx: `${base}.dlx`, dlq: `${base}.dlq`, target: `${base}.target` };
  const TOTAL = 6000;
  const env = isolatedConfigEnv();
  const args = ['dlq', 'replay', names.dlq, '--kind', 'rabbitmq', '--to', names.target, '--output', 'json'];

  before(async () => {
    await requireRabbit();
    const conn = await amqp.connect(LOCAL.rabbitmq.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange(names.dlx, 'fanout', { durable: true });
    await ch.assertQueue(names.dlq, { durable: true });
    await ch.bindQueue(names.dlq, names.dlx, '');
    await ch.assertQueue(names.target, { durable: true });
    await ch.assertQueue(names.source, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': names.dlx, 'x-message-ttl': 0 },
    });
    for (let i = 0; i < TOTAL; i++) {
      ch.sendToQueue(names.source, Buffer.from(JSON.stringify({ i })), { persistent: true });
      if (i % 1000 === 999) await ch.waitForConfirms();
    }
    await ch.waitForConfirms();
    const deadline = Date.now() + 60_000;
    while ((await ch.checkQueue(names.dlq)).messageCount < TOTAL && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await conn.close();
  });

  after(async () => {
    await rabbitCleanup(LOCAL.rabbitmq.url, [names.source, names.dlq, names.target], [names.dlx]);
  });

  /** Target depth and DLQ depth once no consumer is left on the DLQ (the broker requeued the killed run's deliveries). */
  const settled = async (): Promise<{ target: number; dlq: number }> => {
    const conn = await amqp.connect(LOCAL.rabbitmq.url);
    try {
      const ch = await conn.createChannel();
      const deadline = Date.now() + 30_000;
      for (;;) {
        const d = await ch.checkQueue(names.dlq);
        if (d.consumerCount === 0)
          return { target: (await ch.checkQueue(names.target)).messageCount, dlq: d.messageCount };
        assert.ok(Date.now() < deadline, 'the killed run still consumes the DLQ after 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await conn.close();
    }
  };

  it(
    'killed with a transaction published but not committed, with tx.commit in flight, and after commit-ok',
    { timeout: 600_000 },
    async () => {
      const report: string[] = [];
      let previousTarget = 0;
      const targetDepth = async (): Promise<number> => {
        const conn = await amqp.connect(LOCAL.rabbitmq.url);
        try {
          return (await (await conn.createChannel()).checkQueue(names.target)).messageCount;
        } finally {
          await conn.close();
        }
      };
      for (const step of ['rabbitmq:published', 'rabbitmq:committing', 'rabbitmq:committed'] as const) {
        // --rate 3000: a transaction is 250 ms of copies; @2 is the run's second one.
        const run = await runUntilPaused(BIN, [...args, '--rate', '3000'], env, `${step}@2`);
        const { committed, inTransaction } = run.detail as { committed: number; inTransaction: number };
        assert.ok(committed > 0 && inTransaction > 0, `${step}: ${JSON.stringify(run.detail)}`);
        // The open transaction's copies reach the target only once the broker has its tx.commit.
        const expected = previousTarget + committed + (step === 'rabbitmq:published' ? 0 : inTransaction);
        let atPause = await targetDepth();
        for (let i = 0; i < 100 && atPause !== expected; i++) {
          await new Promise((r) => setTimeout(r, 100));
          atPause = await targetDepth();
        }
        await run.kill();
        const state = await settled();
        report.push(
          `${step}@2: committed ${committed} + ${inTransaction} in the transaction; target ${atPause} at the pause, ${state.target} after the kill, DLQ ${state.dlq}`,
        );
        assert.equal(atPause, expected, `${step}: target at the pause`);
        assert.equal(state.target, atPause, `${step}: the kill changed the target`);
        // Every message is in exactly one place: copied (target) or not (back in the DLQ).
        assert.equal(state.target + state.dlq, TOTAL, `${step}: ${state.target} + ${state.dlq} != ${TOTAL}`);
        previousTarget = state.target;
      }
      const final = await runCli(args, { env, timeoutMs: 180_000 });
      assert.equal(final.code, 0, final.stderr);
      const copies = await rabbitDrain(LOCAL.rabbitmq.url, names.target);
      const seen = new Map<number, number>();
      for (const c of copies) {
        const i = (JSON.parse(c.body) as { i: number }).i;
        seen.set(i, (seen.get(i) ?? 0) + 1);
      }
      assert.equal(copies.length, TOTAL, `${copies.length} copies for ${TOTAL} messages`);
      assert.equal(seen.size, TOTAL, 'every message copied');
      assert.equal((await settled()).dlq, 0, 'the DLQ is empty');
      process.stderr.write(
        `rabbitmq kill points:\n  ${report.join('\n  ')}\n  ${copies.length} copies, 0 duplicates\n`,
      );
    },
  );
});

describe('dlq replay on Pulsar: SIGKILL with a send in flight, and between a send receipt and the DLQ ack', () => {
  const origin = uniqueName('kp-pulsar');
  const originFull = `persistent://public/default/${origin}`;
  const dlq = `${origin}-billing-DLQ`;
  const TOTAL = 6000;
  /** Sends in flight at most (MAX_IN_FLIGHT in src/brokers/pulsar/dlq.ts): the most one kill can duplicate. */
  const WINDOW = 100;
  const env = isolatedConfigEnv();
  const BASE = `${LOCAL.pulsar.adminUrl}/admin/v2/persistent/public/default`;
  const args = ['dlq', 'replay', dlq, '--kind', 'pulsar', '--output', 'json'];

  before(async () => {
    await requirePulsar();
    for (const [t, sub] of [
      [origin, 'verify'],
      [dlq, 'audit'],
    ] as const) {
      await (await request(`${BASE}/${t}`, { method: 'PUT' })).body.text();
      await (
        await request(`${BASE}/${t}/subscription/${sub}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ledgerId: -1, entryId: -1, partitionIndex: -1 }),
        })
      ).body.text();
    }
    const ws = new PulsarWebSocketClient({ adminUrl: LOCAL.pulsar.adminUrl, timeoutMs: 10_000 });
    const producer = await ws.producer(dlq);
    const pending: Array<Promise<string>> = [];
    for (let i = 0; i < TOTAL; i++) {
      pending.push(
        producer.send({
          payload: Buffer.from(JSON.stringify({ i })),
          key: `k${i}`,
          properties: { REAL_TOPIC: originFull, ORIGIN_MESSAGE_ID: `7:${i}:-1`, RECONSUMETIMES: '16' },
        }),
      );
      if (pending.length >= 500) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    await producer.close();
  });

  after(async () => {
    for (const t of [dlq, origin])
      await request(`${BASE}/${t}?force=true`, { method: 'DELETE' }).then(
        (r) => r.body.text(),
        () => undefined,
      );
  });

  const copiesIn = async (): Promise<number> =>
    ((await (await request(`${BASE}/${origin}/stats`)).body.json()) as { msgInCounter: number }).msgInCounter;

  it(
    '0 lost; a duplicate only where the copy was stored and its DLQ ack not sent, each with its mqctl-replayed-from',
    { timeout: 600_000 },
    async () => {
      const perKill: string[] = [];
      for (const step of ['pulsar:sent@1500', 'pulsar:receipt@1500'] as const) {
        const before = await copiesIn();
        const run = await runUntilPaused(BIN, [...args, '--rate', '2000'], env, step);
        await run.kill();
        perKill.push(`${step}: ${(await copiesIn()) - before} copies stored by the killed run`);
      }
      const final = await runCli(args, { env, timeoutMs: 180_000 });
      assert.equal(final.code, 0, final.stderr);
      const ws = new PulsarWebSocketClient({ adminUrl: LOCAL.pulsar.adminUrl, timeoutMs: 10_000 });
      const c = await ws.consumer(origin, 'verify', { subscriptionType: 'Shared', receiverQueueSize: 1000 });
      const byI = new Map<number, string[]>();
      // Every copy stored in the origin (the broker's count), not "until 3 s of silence".
      const stored = await copiesIn();
      let read = 0;
      while (read < stored) {
        const m = await c.receive(30_000);
        assert.ok(m, `read ${read} of the ${stored} copies stored`);
        c.ack(m.messageId);
        read++;
        const from = m.properties['mqctl-replayed-from'];
        assert.ok(from, `a copy without mqctl-replayed-from: ${m.payload.toString()}`);
        const i = (JSON.parse(m.payload.toString()) as { i: number }).i;
        byI.set(i, [...(byI.get(i) ?? []), from]);
      }
      await c.close();
      for (let i = 0; i < TOTAL; i++) assert.ok(byI.has(i), `message ${i} lost`);
      const duplicates = read - byI.size;
      for (const [i, froms] of byI)
        assert.equal(new Set(froms).size, 1, `copies of ${i} name different DLQ messages`);
      // The receipt kill leaves at least the paused message copied and unacked: it is copied again.
      assert.ok(
        duplicates >= 1,
        'the kill between a send receipt and its ack duplicated nothing: the pause is not there',
      );
      assert.ok(duplicates <= 2 * WINDOW, `${duplicates} duplicates over 2 kills exceed ${WINDOW} per kill`);
      process.stderr.write(
        `pulsar kill points: ${perKill.join('; ')}; ${byI.size} distinct, ${duplicates} duplicates\n`,
      );
    },
  );
});
