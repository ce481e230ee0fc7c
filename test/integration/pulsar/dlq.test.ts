import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { dlqFor } from '../../../src/brokers/dlq';
import { PulsarConnection } from '../../../src/brokers/pulsar/connection';
import { buildFilter } from '../../../src/dlq/filter';
import { peekDlq, statsDlq } from '../../../src/dlq/inspect';
import { UNPACED } from '../../../src/dlq/rate';
import type { ReplayOptions } from '../../../src/dlq/replay';
import { LOCAL, requirePulsar, uniqueName } from '../../helpers/brokers';
import { PulsarWebSocketClient } from '../../../src/brokers/pulsar/websocket';
import { pulsarDeadLetters, pulsarReadAll, pulsarRetryChain } from '../../helpers/dlq-fixtures';
import { pulsarSubscription } from '../../helpers/pulsar-admin';
import { waitFor } from '../../helpers/wait';

function connection(): PulsarConnection {
  return new PulsarConnection(
    {
      name: '(test)',
      kind: 'pulsar',
      serviceUrl: LOCAL.pulsar.serviceUrl,
      adminUrl: LOCAL.pulsar.adminUrl,
      dataPath: 'websocket',
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

describe("dlq on Pulsar (real dead letters from the client's dead-letter policy)", () => {
  const topic = uniqueName('pdlq-orders');
  const full = `persistent://public/default/${topic}`;
  let dlq = '';
  const conn = connection();

  before(async () => {
    await requirePulsar();
    dlq = await pulsarDeadLetters(LOCAL.pulsar.adminUrl, topic, 'billing', 'audit', [
      ...Array.from({ length: 6 }, (_, i) => ({
        payload: JSON.stringify({ id: i, amount: i * 10 }),
        key: `order-${i}`,
        properties: { tenant: i < 3 ? 'acme' : 'globex' },
      })),
      { payload: '{"id":6}', key: 'order-6', properties: { tenant: 'acme', 'mqctl-replay-count': '3' } },
    ]);
  });

  after(async () => {
    await conn.close();
    for (const t of [dlq, topic])
      await request(`${LOCAL.pulsar.adminUrl}/admin/v2/persistent/public/default/${t}?force=true`, {
        method: 'DELETE',
      }).then(
        (r) => r.body.text(),
        () => undefined,
      );
  });

  it('list finds <topic>-<subscription>-DLQ with its depth and source topic', async () => {
    const rows = await dlqFor(conn).list({ sample: 20 });
    const row = rows.find((r) => r.name === `persistent://public/default/${dlq}`);
    assert.ok(row, `${dlq} not listed`);
    assert.equal(row.depth, 7);
    assert.deepEqual(row.sources, [full]);
    assert.ok(row.newestAgeMs !== undefined && row.newestAgeMs < 120_000);
  });

  it('peek decodes REAL_TOPIC / ORIGIN_MESSAGE_ID and acks nothing', async () => {
    const access = dlqFor(conn);
    const result = await peekDlq(access, dlq, { limit: 100, scan: 100, filter: buildFilter({}) });
    assert.equal(result.messages.length, 7);
    for (const m of result.messages) {
      assert.equal(m.origin.convention, 'pulsar');
      assert.equal(m.origin.topic, full);
      assert.match(m.origin.messageId ?? '', /^\d+:\d+:-?\d+/);
    }
    assert.deepEqual(
      result.messages.map((m) => m.key?.toString()).sort(),
      Array.from({ length: 7 }, (_, i) => `order-${i}`),
    );
    assert.equal(await access.depth(dlq), 7);
  });

  it('filters select the expected subset; stats count by source', async () => {
    const keys = async (where: string[]) =>
      (await peekDlq(dlqFor(conn), dlq, { limit: 100, scan: 100, filter: buildFilter({ where }) })).messages
        .map((m) => m.key?.toString())
        .sort();
    assert.deepEqual(await keys(['header.tenant == globex']), ['order-3', 'order-4', 'order-5']);
    assert.deepEqual(await keys(['payload.amount >= 20 and header.tenant == acme']), ['order-2']);
    const stats = await statsDlq(dlqFor(conn), dlq, { scan: 100, filter: buildFilter({}) });
    assert.deepEqual(
      stats.bySource.map((g) => [g.value, g.count]),
      [[full, 7]],
    );
  });

  it('replay sends the selected messages to their origin with their keys; the rest stay', async () => {
    const access = dlqFor(conn);
    const dry = await access.replay(dlq, options({ where: ['header.tenant == acme'], dryRun: true }));
    assert.equal(dry.replayed, 3);
    assert.equal(dry.skippedByLoopGuard, 1);
    assert.equal(await access.depth(dlq), 7);
    const summary = await access.replay(dlq, options({ where: ['header.tenant == acme'] }));
    assert.equal(summary.replayed, 3);
    assert.equal(summary.skippedByFilter, 3);
    assert.equal(summary.skippedByLoopGuard, 1);
    assert.deepEqual(summary.targets, { [full]: 3 });
    const copies = (await pulsarReadAll(LOCAL.pulsar.adminUrl, topic)).filter(
      (m) => m.properties['mqctl-replayed-from'],
    );
    assert.deepEqual(copies.map((c) => c.key).sort(), ['order-0', 'order-1', 'order-2']);
    for (const c of copies) {
      assert.equal(c.properties['mqctl-replay-count'], '1');
      assert.equal(c.properties.REAL_TOPIC, full);
      assert.equal(JSON.parse(c.payload).id, Number(c.key!.split('-')[1]));
    }
    // The replay's acks reach the broker asynchronously: wait until it counts them (the 3 copied).
    await waitFor(
      `the 3 replayed messages acknowledged on ${dlq}`,
      async () => (await pulsarSubscription(dlq, 'audit'))?.backlog === 4,
    );
    const left = await peekDlq(access, dlq, { limit: 100, scan: 100, filter: buildFilter({}) });
    assert.deepEqual(left.messages.map((m) => m.key?.toString()).sort(), [
      'order-3',
      'order-4',
      'order-5',
      'order-6',
    ]);
  });

  it('purge --where acks only the selected messages', async () => {
    const access = dlqFor(conn);
    const result = await access.purge(dlq, { filter: buildFilter({ where: ['key == order-4'] }) });
    assert.equal(result.purged, 1);
    assert.equal(result.kept, 3);
    await waitFor(
      `the purged message acknowledged on ${dlq}`,
      async () => (await pulsarSubscription(dlq, 'audit'))?.backlog === 3,
    );
    assert.equal(await access.depth(dlq), 3);
    await access.purge(dlq, {});
    assert.equal(await access.depth(dlq), 0);
  });
});

describe('dlq on Pulsar: a DLQ topic without a subscription (older clients), and one message-id form', () => {
  const topic = uniqueName('pdlq-legacy');
  const full = `persistent://public/default/${topic}`;
  const dlq = `${topic}-legacy-DLQ`;
  const dlqFull = `persistent://public/default/${dlq}`;
  const conn = connection();
  const admin = `${LOCAL.pulsar.adminUrl}/admin/v2/persistent/public/default`;
  type SubStats = Record<string, { isDurable?: boolean }>;
  const subscriptionStats = async (t: string): Promise<SubStats> =>
    ((await (await request(`${admin}/${t}/stats`)).body.json()) as { subscriptions: SubStats }).subscriptions;
  const subscriptions = async (t: string): Promise<string[]> => Object.keys(await subscriptionStats(t));
  /**
   * What inspection may leave: nothing durable, ever. A reader's cursor is non-durable and the broker
   * drops it when the reader's WebSocket closes, which it does after the close frame is answered (so a
   * stats call right after can still list it): those may be seen, and must be gone within 5 s.
   */
  const assertNoSubscriptionLeft = async (t: string): Promise<void> => {
    const first = await subscriptionStats(t);
    const durable = Object.keys(first).filter((name) => first[name]!.isDurable !== false);
    assert.deepEqual(durable, [], 'inspection created a subscription');
    const deadline = Date.now() + 5_000;
    let left = Object.keys(first);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      left = await subscriptions(t);
    }
    assert.deepEqual(left, [], 'a reader cursor outlived its reader by 5 s');
  };

  before(async () => {
    await requirePulsar();
    // What an older client's dead-letter producer leaves: the DLQ topic and its messages, no subscription.
    const ws = new PulsarWebSocketClient({ adminUrl: LOCAL.pulsar.adminUrl, timeoutMs: 10_000 });
    const producer = await ws.producer(dlqFull);
    for (const i of [0, 1])
      await producer.send({
        payload: Buffer.from(`{"id":${i}}`),
        key: `legacy-${i}`,
        properties: { REAL_TOPIC: full, ORIGIN_MESSAGE_ID: `${100 + i}:0:-1:-1` },
      });
    await producer.close();
    assert.deepEqual(await subscriptions(dlq), []);
  });

  after(async () => {
    await conn.close();
    for (const t of [dlq, topic])
      await request(`${admin}/${t}?force=true`, { method: 'DELETE' }).then(
        (r) => r.body.text(),
        () => undefined,
      );
  });

  it('list, peek, stats and the dry run see its messages without creating a subscription', async () => {
    const access = dlqFor(conn);
    const row = (await access.list({ sample: 20 })).find((r) => r.name === dlqFull);
    assert.ok(row, `${dlq} not listed`);
    assert.equal(row.depth, 2);
    assert.deepEqual(row.sources, [full]);
    const peeked = await peekDlq(access, dlq, { limit: 10, scan: 10, filter: buildFilter({}) });
    assert.deepEqual(
      peeked.messages.map((m) => m.key?.toString()),
      ['legacy-0', 'legacy-1'],
    );
    const stats = await statsDlq(access, dlq, { scan: 10, filter: buildFilter({}) });
    assert.equal(stats.matched, 2);
    const dry = await access.replay(dlq, options({ dryRun: true }));
    assert.equal(dry.replayed, 2, 'the dry run must plan what the replay copies');
    await assertNoSubscriptionLeft(dlq);
  });

  it('the replay copies them; mqctl-replayed-from holds the id peek shows', async () => {
    const access = dlqFor(conn);
    const peeked = await peekDlq(access, dlq, { limit: 10, scan: 10, filter: buildFilter({}) });
    for (const m of peeked.messages) assert.match(m.position, /^\d+:\d+$/);
    const summary = await access.replay(dlq, options());
    assert.equal(summary.replayed, 2);
    const copies = (await pulsarReadAll(LOCAL.pulsar.adminUrl, topic)).filter(
      (m) => m.properties['mqctl-replayed-from'],
    );
    assert.deepEqual(
      copies.map((c) => c.properties['mqctl-replayed-from']).sort(),
      peeked.messages.map((m) => `${dlqFull}:${m.position}`).sort(),
    );
  });
});

describe("dlq on Pulsar understands the retry letter topic (<topic>-<subscription>-RETRY) of the Java client's reconsumeLater", () => {
  const topic = uniqueName('pdlq-retry');
  const conn = connection();
  const HOUR = 3_600_000;
  let names: Awaited<ReturnType<typeof pulsarRetryChain>>;

  before(async () => {
    await requirePulsar();
    // maxRedeliverCount 2. Messages 0-2: one reconsumeLater(1 h), waiting (RECONSUMETIMES 1). Messages 3-4: a
    // retry without delay, then reconsumeLater(2 h), waiting (RECONSUMETIMES 2). Messages 5-8: three retries
    // without delay: the third exceeds maxRedeliverCount and goes to the DLQ (RECONSUMETIMES 3).
    names = await pulsarRetryChain(LOCAL.pulsar.adminUrl, topic, 'billing', 2, [
      [HOUR],
      [HOUR],
      [HOUR],
      [0, 2 * HOUR],
      [0, 2 * HOUR],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  after(async () => {
    await conn.close();
    for (const t of [names.dlq, names.retry, topic])
      await request(`${LOCAL.pulsar.adminUrl}/admin/v2/persistent/public/default/${t}?force=true`, {
        method: 'DELETE',
      }).then(
        (r) => r.body.text(),
        () => undefined,
      );
  });

  it('list shows the retry stage: what waits, the attempts so far, the next due time; the DLQ depth is what reached the end', async () => {
    const row = (await dlqFor(conn).list({ sample: 100 })).find(
      (r) => r.name === `persistent://public/default/${names.dlq}`,
    );
    assert.ok(row, `${names.dlq} not listed`);
    assert.equal(row.depth, 4);
    assert.deepEqual(row.sources, [`persistent://public/default/${topic}`]);
    const [stage, ...more] = row.retryChain ?? [];
    assert.deepEqual(more, []);
    assert.ok(stage, 'no retry chain');
    const earliestSend = Math.min(...names.sentAt.slice(0, 3).map((s) => s.before));
    const latestSend = Math.max(...names.sentAt.slice(0, 3).map((s) => s.after));
    assert.deepEqual(
      { ...stage, nextDueAt: undefined },
      {
        topic: `persistent://public/default/${names.retry}`,
        subscription: 'billing',
        depth: 5,
        sampled: 5,
        notYetDue: 5,
        maxAttempts: 2,
        nextDueAt: undefined,
      },
    );
    // The first of the 1 h retries: sent between these instants, delivered an hour later.
    assert.ok(
      stage.nextDueAt! >= earliestSend + HOUR && stage.nextDueAt! <= latestSend + HOUR,
      `next due ${new Date(stage.nextDueAt!).toISOString()}`,
    );
  });

  it('stats shows the chain too; the DLQ messages carry the attempts and replay to REAL_TOPIC', async () => {
    const stats = await statsDlq(dlqFor(conn), names.dlq, { scan: 100, filter: buildFilter({}) });
    assert.equal(stats.total, 4);
    assert.deepEqual(
      stats.retryChain?.map((s) => [s.depth, s.notYetDue, s.maxAttempts]),
      [[5, 5, 2]],
    );
    const peeked = await peekDlq(dlqFor(conn), names.dlq, { limit: 10, scan: 10, filter: buildFilter({}) });
    assert.deepEqual(
      peeked.messages.map((m) => [m.key?.toString(), m.origin.topic, m.origin.deaths]),
      ['k5', 'k6', 'k7', 'k8'].map((k) => [k, `persistent://public/default/${topic}`, 3]),
    );
    assert.match(peeked.messages[0]!.origin.messageId!, /^\d+:\d+:-1$/);
    const summary = await dlqFor(conn).replay(names.dlq, options());
    assert.equal(summary.replayed, 4);
    assert.deepEqual(summary.targets, { [`persistent://public/default/${topic}`]: 4 });
  });
});
