import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dlqFor } from '../../../src/brokers/dlq';
import { RabbitConnection } from '../../../src/brokers/rabbitmq/connection';
import { buildFilter } from '../../../src/dlq/filter';
import { peekDlq, statsDlq } from '../../../src/dlq/inspect';
import { UNPACED } from '../../../src/dlq/rate';
import type { ReplayOptions } from '../../../src/dlq/replay';
import { LOCAL, requireRabbit, uniqueName } from '../../helpers/brokers';
import { rabbitCleanup, rabbitDeadLetters, rabbitDrain, rabbitRetryChain } from '../../helpers/dlq-fixtures';

function connection(): RabbitConnection {
  return new RabbitConnection(
    {
      name: '(test)',
      kind: 'rabbitmq',
      url: LOCAL.rabbitmq.url,
      managementUrl: LOCAL.rabbitmq.managementUrl,
    } as never,
    { timeoutMs: 10_000 },
  );
}

function options(extra: Partial<ReplayOptions> & { where?: string[] } = {}): ReplayOptions {
  return {
    filter: buildFilter({ where: extra.where }),
    maxReplays: 3,
    pacer: UNPACED,
    dryRun: false,
    jobId: uniqueName('job'),
    ...extra,
  };
}

describe('dlq on RabbitMQ (real dead letters through a dead-letter exchange)', () => {
  const base = uniqueName('rmq');
  const names = { source: `${base}.orders`, dlx: `${base}.dlx`, dlq: `${base}.dead-letters` };
  const conn = connection();

  before(async () => {
    await requireRabbit();
    await rabbitDeadLetters(LOCAL.rabbitmq.url, names, [
      ...Array.from({ length: 4 }, (_, i) => ({
        body: JSON.stringify({ id: i, tier: i % 2 ? 'gold' : 'basic' }),
        headers: { tenant: i < 2 ? 'acme' : 'globex' },
        how: 'reject' as const,
      })),
      { body: '{"id":4}', headers: { tenant: 'acme' }, how: 'expire' as const },
      { body: '{"id":5}', headers: { tenant: 'acme' }, how: 'expire' as const },
      { body: '{"id":6}', headers: { 'mqctl-replay-count': '3' }, how: 'reject' as const },
    ]);
  });

  after(async () => {
    await conn.close();
    await rabbitCleanup(LOCAL.rabbitmq.url, [names.source, names.dlq], [names.dlx]);
  });

  it('list finds the DLQ through the dead-letter exchange, with its source queue and depth', async () => {
    const rows = await dlqFor(conn).list({ sample: 0 });
    const row = rows.find((r) => r.name === names.dlq);
    assert.ok(row, `${names.dlq} not listed`);
    assert.equal(row.recognisedBy, 'dead-letter exchange');
    assert.deepEqual(row.sources, [names.source]);
    assert.equal(row.depth, 7);
  });

  it('peek decodes x-death and leaves every message in the queue, in order', async () => {
    const access = dlqFor(conn);
    const result = await peekDlq(access, names.dlq, { limit: 100, scan: 100, filter: buildFilter({}) });
    assert.equal(result.messages.length, 7);
    const rejected = result.messages.filter((m) => m.origin.reason === 'rejected');
    const expired = result.messages.filter((m) => m.origin.reason === 'expired');
    assert.equal(rejected.length, 5);
    assert.equal(expired.length, 2);
    for (const m of result.messages) {
      assert.equal(m.origin.convention, 'rabbitmq');
      assert.equal(m.origin.topic, names.source);
      assert.equal(m.origin.exchange, '');
      assert.deepEqual(m.origin.routingKeys, [names.source]);
      assert.equal(m.origin.deaths, 1);
      assert.ok(m.timestamp && Math.abs(Date.now() - m.timestamp) < 120_000);
    }
    assert.equal(await access.depth(names.dlq), 7);
    const again = await peekDlq(access, names.dlq, { limit: 100, scan: 100, filter: buildFilter({}) });
    assert.deepEqual(
      again.messages.map((m) => m.payload.toString()),
      result.messages.map((m) => m.payload.toString()),
    );
  });

  it('filters select exactly the expected subset, and stats count by reason', async () => {
    const ids = async (where: string[]) =>
      (
        await peekDlq(dlqFor(conn), names.dlq, { limit: 100, scan: 100, filter: buildFilter({ where }) })
      ).messages
        .map((m) => JSON.parse(m.payload.toString()).id as number)
        .sort();
    assert.deepEqual(await ids(['reason == expired']), [4, 5]);
    assert.deepEqual(await ids(['header.tenant == acme and error == rejected']), [0, 1]);
    assert.deepEqual(await ids(['payload.tier == gold']), [1, 3]);
    const stats = await statsDlq(dlqFor(conn), names.dlq, { scan: 100, filter: buildFilter({}) });
    assert.deepEqual(
      stats.byErrorClass.map((g) => [g.value, g.count]),
      [
        ['rejected', 5],
        ['expired', 2],
      ],
    );
    assert.deepEqual(stats.bySource, [{ ...stats.bySource[0]!, value: names.source, count: 7 }]);
  });

  it('replay acks each message in the transaction of its copy, sends each to its origin queue, keeps the rest', async () => {
    const access = dlqFor(conn);
    const dry = await access.replay(names.dlq, options({ where: ['error == rejected'], dryRun: true }));
    assert.equal(dry.replayed, 4);
    assert.equal(dry.skippedByLoopGuard, 1);
    assert.equal(await access.depth(names.dlq), 7);
    const summary = await access.replay(names.dlq, options({ where: ['error == rejected'] }));
    assert.equal(summary.replayed, 4);
    assert.equal(summary.skippedByFilter, 2);
    assert.equal(summary.skippedByLoopGuard, 1);
    assert.equal(summary.failed, 0);
    assert.deepEqual(summary.targets, { [names.source]: 4 });
    const copies = await rabbitDrain(LOCAL.rabbitmq.url, names.source);
    assert.deepEqual(copies.map((c) => JSON.parse(c.body).id).sort(), [0, 1, 2, 3]);
    for (const c of copies) {
      assert.equal(String(c.headers['mqctl-replay-count']), '1');
      assert.match(String(c.headers['mqctl-replayed-from']), new RegExp(`^${names.dlq}:\\d+$`));
      assert.ok(c.headers.tenant, 'original headers kept');
      assert.match(c.messageId ?? '', /^mqctl-[0-9a-f]{32}$/);
    }
    assert.equal(new Set(copies.map((c) => c.messageId)).size, 4);
    const left = await peekDlq(access, names.dlq, { limit: 100, scan: 100, filter: buildFilter({}) });
    assert.deepEqual(left.messages.map((m) => JSON.parse(m.payload.toString()).id).sort(), [4, 5, 6]);
  });

  it('purge --where removes only the selected messages', async () => {
    const access = dlqFor(conn);
    const result = await access.purge(names.dlq, { filter: buildFilter({ where: ['reason == expired'] }) });
    assert.equal(result.purged, 2);
    assert.equal(result.kept, 1);
    const left = await peekDlq(access, names.dlq, { limit: 100, scan: 100, filter: buildFilter({}) });
    assert.deepEqual(
      left.messages.map((m) => JSON.parse(m.payload.toString()).id),
      [6],
    );
    const all = await access.purge(names.dlq, {});
    assert.equal(all.purged, 1);
    assert.equal(await access.depth(names.dlq), 0);
  });
});

describe('dlq replay on RabbitMQ: --route queue (default) or exchange (the original route)', () => {
  const base = uniqueName('rmq-route');
  const names = {
    exchange: `${base}.orders-ex`,
    source: `${base}.orders`,
    audit: `${base}.audit`,
    dlx: `${base}.dlx`,
    dlq: `${base}.dlq`,
  };
  const conn = connection();

  before(async () => {
    await requireRabbit();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const amqp = require('amqplib') as typeof import('amqplib');
    const c = await amqp.connect(LOCAL.rabbitmq.url);
    const ch = await c.createConfirmChannel();
    await ch.assertExchange(names.exchange, 'direct', { durable: true });
    await ch.assertExchange(names.dlx, 'fanout', { durable: true });
    await ch.assertQueue(names.dlq, { durable: true });
    await ch.bindQueue(names.dlq, names.dlx, '');
    // The orders queue dead-letters (TTL 0, no consumer); the audit queue, bound to the same key, keeps its copy.
    await ch.assertQueue(names.source, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': names.dlx, 'x-message-ttl': 0 },
    });
    await ch.assertQueue(names.audit, { durable: true });
    await ch.bindQueue(names.source, names.exchange, 'order.created');
    await ch.bindQueue(names.audit, names.exchange, 'order.created');
    for (const i of [0, 1])
      ch.publish(names.exchange, 'order.created', Buffer.from(`{"id":${i}}`), { persistent: true });
    await ch.waitForConfirms();
    const deadline = Date.now() + 30_000;
    while ((await ch.checkQueue(names.dlq)).messageCount < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    // Start from an empty audit queue: only what replay sends counts.
    await ch.purgeQueue(names.audit);
    // The orders queue must keep what replay sends it: a TTL-0 queue would dead-letter it again, so it is
    // re-declared without TTL under the same bindings.
    await ch.deleteQueue(names.source);
    await ch.assertQueue(names.source, { durable: true });
    await ch.bindQueue(names.source, names.exchange, 'order.created');
    await c.close();
  });

  after(async () => {
    await conn.close();
    await rabbitCleanup(
      LOCAL.rabbitmq.url,
      [names.source, names.audit, names.dlq],
      [names.exchange, names.dlx],
    );
  });

  it('--route queue copies to the queue it died in only; --route exchange reaches every queue bound there', async () => {
    const access = dlqFor(conn);
    const one = await access.replay(names.dlq, options({ limit: 1 }));
    assert.equal(one.replayed, 1);
    assert.deepEqual(one.targets, { [names.source]: 1 });
    assert.equal((await rabbitDrain(LOCAL.rabbitmq.url, names.source)).length, 1);
    assert.equal((await rabbitDrain(LOCAL.rabbitmq.url, names.audit)).length, 0);
    const two = await access.replay(names.dlq, options({ route: 'exchange' }));
    assert.equal(two.replayed, 1);
    assert.deepEqual(two.targets, { [`exchange "${names.exchange}" (routing keys order.created)`]: 1 });
    assert.equal((await rabbitDrain(LOCAL.rabbitmq.url, names.source)).length, 1);
    assert.equal((await rabbitDrain(LOCAL.rabbitmq.url, names.audit)).length, 1);
  });
});

describe('dlq on RabbitMQ understands TTL + dead-letter retry queues (x-death counts per queue)', () => {
  const base = uniqueName('rmq-chain');
  const names = {
    work: `${base}.orders`,
    workExchange: `${base}.orders.in`,
    retryExchange: `${base}.orders.retry`,
    fast: `${base}.orders.retry.fast`,
    slow: `${base}.orders.retry.slow`,
    dlq: `${base}.orders.dlq`,
  };
  const HOUR = 3_600_000;
  const conn = connection();
  let slowRejected = { before: 0, after: 0 };

  before(async () => {
    await requireRabbit();
    // 4 messages go round the fast stage (200 ms) until their third failure, then to the DLQ; 3 wait an hour in
    // the slow stage after one rejection.
    ({ slowRejected } = await rabbitRetryChain(LOCAL.rabbitmq.url, names, {
      fastTtlMs: 200,
      slowTtlMs: HOUR,
      maxAttempts: 3,
      fast: 4,
      slow: 3,
    }));
  });

  after(async () => {
    await conn.close();
    await rabbitCleanup(
      LOCAL.rabbitmq.url,
      [names.work, names.fast, names.slow, names.dlq],
      [names.workExchange, names.retryExchange],
    );
  });

  it('list shows the chain per stage (depth, TTL) without taking a message; retry queues are not listed as DLQs', async () => {
    const rows = await dlqFor(conn).list({ sample: 100 });
    const names_ = rows.map((r) => r.name);
    assert.ok(!names_.includes(names.fast) && !names_.includes(names.slow), `listed: ${names_.join(', ')}`);
    const row = rows.find((r) => r.name === names.dlq);
    assert.ok(row, `${names.dlq} not listed`);
    assert.equal(row.depth, 4);
    assert.deepEqual(row.retryChain, [
      { topic: names.fast, depth: 0, sampled: 0, notYetDue: 0, ttlMs: 200 },
      { topic: names.slow, depth: 3, sampled: 0, notYetDue: 3, ttlMs: HOUR },
    ]);
  });

  it('stats reads the stages: attempts (x-death count of the work queue) and when the next is due', async () => {
    const stats = await statsDlq(dlqFor(conn), names.dlq, { scan: 100, filter: buildFilter({}) });
    assert.equal(stats.total, 4);
    const [fast, slow] = stats.retryChain ?? [];
    assert.deepEqual(fast, { topic: names.fast, depth: 0, sampled: 0, notYetDue: 0, ttlMs: 200 });
    assert.deepEqual(
      { ...slow, nextDueAt: undefined },
      {
        topic: names.slow,
        depth: 3,
        sampled: 3,
        notYetDue: 3,
        maxAttempts: 1,
        ttlMs: HOUR,
        nextDueAt: undefined,
      },
    );
    // x-death times have whole seconds: the first rejection's second, plus the hour.
    const earliest = Math.floor(slowRejected.before / 1000) * 1000 + HOUR;
    assert.ok(
      slow!.nextDueAt! >= earliest && slow!.nextDueAt! <= slowRejected.after + HOUR,
      `next due ${new Date(slow!.nextDueAt!).toISOString()}`,
    );
    // Reading requeued them: the stage still holds all three.
    assert.equal(await dlqFor(conn).depth(names.slow), 3);
    // The parked messages: the work queue's x-death count is 2 (rejected twice), the fast stage's 2 (expired twice).
    const peeked = await peekDlq(dlqFor(conn), names.dlq, { limit: 10, scan: 10, filter: buildFilter({}) });
    assert.deepEqual(
      peeked.messages.map((m) => m.origin.deathsByQueue),
      Array.from({ length: 4 }, () => ({ [names.work]: 2, [names.fast]: 2 })),
    );
    // Parked by RepublishMessageRecoverer, which writes a stack trace and no class header: the class is the
    // trace's cause, the listener container's wrapper is kept.
    assert.deepEqual(
      peeked.messages.map((m) => m.error),
      Array.from({ length: 4 }, () => ({
        className: 'java.net.SocketTimeoutException',
        message: 'Read timed out',
        wrapperClassName: 'org.springframework.amqp.rabbit.support.ListenerExecutionFailedException',
        wrapperMessage:
          "Listener method 'public void com.example.OrderListener.handle(java.lang.String)' threw exception",
      })),
    );
    assert.deepEqual(
      stats.byErrorClass.map((g) => [g.value, g.count]),
      [['java.net.SocketTimeoutException', 4]],
    );
  });
});
