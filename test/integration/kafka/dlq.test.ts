import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from '../../../src/brokers/kafka/kafkajs';
import { dlqFor } from '../../../src/brokers/dlq';
import { KafkaConnection } from '../../../src/brokers/kafka/connection';
import { buildFilter } from '../../../src/dlq/filter';
import { peekDlq, statsDlq } from '../../../src/dlq/inspect';
import { readKafkaRange } from '../../../src/brokers/kafka/dlq-reader';
import { UNPACED } from '../../../src/dlq/rate';
import { replayJobId, type ReplayOptions } from '../../../src/dlq/replay';
import { LOCAL, requireKafka, uniqueName } from '../../helpers/brokers';
import {
  awaitStableEnd,
  connectDlqHeaders,
  createTopics,
  deleteTopics,
  produceAll,
  readAllCommitted,
  springDltHeaders,
  springRetryHeaders,
} from '../../helpers/dlq-fixtures';
import { forgetReplayProgress } from '../../helpers/leftovers';

const kafka = new Kafka({ brokers: [LOCAL.kafka.brokers], clientId: 'dlq-test', logLevel: logLevel.NOTHING });

function connection(): KafkaConnection {
  return new KafkaConnection({ name: '(test)', kind: 'kafka', brokers: [LOCAL.kafka.brokers] } as never, {
    timeoutMs: 10_000,
  });
}

function options(
  dlq: string,
  extra: Partial<ReplayOptions> & { where?: string[]; exception?: string } = {},
): ReplayOptions {
  const filter = buildFilter({ where: extra.where, exception: extra.exception });
  return {
    filter,
    maxReplays: 3,
    pacer: UNPACED,
    dryRun: false,
    jobId: replayJobId(dlq, extra.to, filter, 3) + uniqueName('-t'),
    ...extra,
  };
}

describe('dlq on Kafka (Spring and Kafka Connect dead letters)', () => {
  const orders = uniqueName('orders');
  const payments = uniqueName('payments');
  const dlq = `${orders}-dlt`;
  const originalPartitionOfKey = new Map<string, number>();
  const conn = connection();

  before(async () => {
    await requireKafka();
    await createTopics(kafka, [
      { topic: orders, partitions: 3 },
      { topic: payments, partitions: 2 },
      { topic: dlq, partitions: 1 },
    ]);
    // The originals, produced by key: their partitions are what replay must reproduce.
    await produceAll(
      kafka,
      orders,
      Array.from({ length: 6 }, (_, i) => ({ key: `order-${i}`, value: JSON.stringify({ id: i }) })),
    );
    for (const m of await readAllCommitted(kafka, orders)) originalPartitionOfKey.set(m.key!, m.partition);
    const dead = [
      ...Array.from({ length: 6 }, (_, i) => ({
        key: `order-${i}`,
        value: JSON.stringify({ id: i, amount: i * 100, customer: { tier: i % 2 ? 'gold' : 'basic' } }),
        headers: {
          traceparent: `00-trace-${i}`,
          ...springDltHeaders({
            topic: orders,
            partition: originalPartitionOfKey.get(`order-${i}`)!,
            offset: 1000 + i,
            group: 'order-service',
            exceptionClass:
              i < 4
                ? 'org.springframework.kafka.KafkaException$TimeoutException'
                : 'com.example.ValidationException',
            exceptionMessage: i < 4 ? `timed out after 30000 ms (order ${i})` : 'amount must be positive',
          }),
        },
      })),
      {
        key: 'pay-1',
        value: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]),
        headers: connectDlqHeaders({
          topic: payments,
          partition: 1,
          offset: 77,
          exceptionClass: 'org.apache.kafka.connect.errors.DataException',
          exceptionMessage: 'Converting byte[] to Kafka Connect data failed',
        }),
      },
      { key: 'orphan', value: 'no headers at all' },
      {
        key: 'order-looping',
        value: '{"id":99}',
        headers: {
          ...springDltHeaders({
            topic: orders,
            partition: 0,
            offset: 5,
            exceptionClass: 'java.lang.IllegalStateException',
            exceptionMessage: 'still broken',
          }),
          'mqctl-replay-count': '3',
        },
      },
    ];
    await produceAll(kafka, dlq, dead);
  });

  after(async () => {
    await conn.close();
    await forgetReplayProgress([dlq]);
    await deleteTopics(kafka, [orders, payments, dlq]);
  });

  it('list finds the DLQ by name with depth and the sources from its headers', async () => {
    const rows = await dlqFor(conn).list({ sample: 100 });
    const row = rows.find((r) => r.name === dlq);
    assert.ok(row, `${dlq} not listed`);
    assert.equal(row.depth, 9);
    assert.deepEqual(row.sources, [orders, payments].sort());
    assert.ok(row.oldestAgeMs !== undefined && row.oldestAgeMs >= 0 && row.oldestAgeMs < 120_000);
    assert.ok(row.newestAgeMs !== undefined && row.newestAgeMs <= row.oldestAgeMs);
  });

  it('peek decodes Spring binary headers and Kafka Connect string headers, and commits nothing', async () => {
    // The reader's throwaway group is deleted when peek ends, which would also erase any offsets it committed:
    // look at the broker's committed offsets of every group peek deletes, just before its deletion.
    const admin = await conn.admin();
    const groupsBefore = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    const deleted: Array<{ group: string; committed: string[] }> = [];
    const deleteGroups = admin.deleteGroups.bind(admin);
    admin.deleteGroups = async (groupIds: string[]) => {
      for (const group of groupIds) {
        const offsets = await admin.fetchOffsets({ groupId: group, topics: [dlq] });
        deleted.push({
          group,
          committed: offsets.flatMap((t) =>
            t.partitions.filter((p) => p.offset !== '-1').map((p) => `${t.topic}:${p.partition}@${p.offset}`),
          ),
        });
      }
      return deleteGroups(groupIds);
    };
    let result;
    try {
      result = await peekDlq(dlqFor(conn), dlq, { limit: 20, scan: 100, filter: buildFilter({}) });
    } finally {
      admin.deleteGroups = deleteGroups;
    }
    assert.equal(result.messages.length, 9);
    const first = result.messages[0]!;
    assert.equal(first.origin.convention, 'spring');
    assert.equal(first.origin.topic, orders);
    assert.equal(first.origin.partition, originalPartitionOfKey.get('order-0'));
    assert.equal(first.origin.offset, '1000');
    assert.equal(first.origin.consumerGroup, 'order-service');
    assert.equal(first.error.className, 'org.springframework.kafka.KafkaException$TimeoutException');
    assert.equal(first.error.message, 'timed out after 30000 ms (order 0)');
    assert.equal(first.key?.toString(), 'order-0');
    assert.equal(first.headers['kafka_dlt-original-offset'], '1000');
    const connect = result.messages[6]!;
    assert.equal(connect.origin.convention, 'connect');
    assert.equal(connect.origin.topic, payments);
    assert.equal(connect.origin.partition, 1);
    assert.equal(connect.origin.offset, '77');
    assert.equal(connect.error.className, 'org.apache.kafka.connect.errors.DataException');
    assert.deepEqual([...connect.payload], [0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]);
    assert.equal(result.messages[7]!.origin.convention, 'unknown');
    assert.equal(result.messages[8]!.replay.count, 3);
    // Peek read through one throwaway group, which had committed nothing when it was deleted...
    assert.equal(deleted.length, 1, `groups deleted by peek: ${JSON.stringify(deleted)}`);
    assert.match(deleted[0]!.group, /^mqctl-dlq-read-/);
    assert.deepEqual(deleted[0]!.committed, [], `the reader group committed offsets on ${dlq}`);
    // ...and no group that peek left behind holds a commit on the DLQ (nor does any group at all).
    const groupsAfter = (await admin.listGroups()).groups.map((g) => g.groupId);
    assert.ok(!groupsAfter.includes(deleted[0]!.group), `${deleted[0]!.group} still exists`);
    for (const g of groupsAfter.filter((id) => !groupsBefore.has(id))) {
      const offsets = await admin.fetchOffsets({ groupId: g, topics: [dlq] });
      assert.ok(
        offsets.every((t) => t.partitions.every((p) => p.offset === '-1')),
        `group ${g}, new since peek, committed offsets on ${dlq}`,
      );
    }
  });

  it('filters select exactly the expected subset (where, exception, JSON path, key)', async () => {
    const access = dlqFor(conn);
    const keys = async (f: Parameters<typeof buildFilter>[0]) =>
      (await peekDlq(access, dlq, { limit: 100, scan: 100, filter: buildFilter(f) })).messages.map((m) =>
        m.key?.toString(),
      );
    assert.deepEqual(await keys({ exception: 'TimeoutException' }), [
      'order-0',
      'order-1',
      'order-2',
      'order-3',
    ]);
    assert.deepEqual(await keys({ where: ['payload.customer.tier == gold'] }), [
      'order-1',
      'order-3',
      'order-5',
    ]);
    assert.deepEqual(await keys({ where: ['payload.amount >= 300 and error ~ validation'] }), [
      'order-4',
      'order-5',
    ]);
    assert.deepEqual(await keys({ where: ['origin == ' + payments] }), ['pay-1']);
    assert.deepEqual(await keys({ where: ['key =~ ^order-[0-2]$'] }), ['order-0', 'order-1', 'order-2']);
    assert.deepEqual(await keys({ where: ['header.traceparent == 00-trace-2'] }), ['order-2']);
    assert.deepEqual(await keys({ where: ['not header.traceparent exists and replays < 1'] }), [
      'pay-1',
      'orphan',
    ]);
  });

  it('stats counts by error class and source', async () => {
    const stats = await statsDlq(dlqFor(conn), dlq, { scan: 1000, filter: buildFilter({}) });
    assert.equal(stats.total, 9);
    assert.equal(stats.byErrorClass[0]!.value, 'org.springframework.kafka.KafkaException$TimeoutException');
    assert.equal(stats.byErrorClass[0]!.count, 4);
    assert.deepEqual(
      stats.bySource.map((g) => [g.value, g.count]),
      [
        [orders, 7],
        ['(unknown)', 1],
        [payments, 1],
      ],
    );
  });

  it('dry run plans exactly what would go where and changes nothing', async () => {
    const opts = options(dlq, { dryRun: true });
    const summary = await dlqFor(conn).replay(dlq, opts);
    assert.equal(summary.replayed, 7);
    // "orphan" (offset 7) has no origin and there is no --to: no run of this job could ever route it, so the job
    // would move past it (reported, exit 1) and "order-looping" after it is examined (the loop guard keeps it).
    assert.equal(summary.failed, 1);
    assert.equal(summary.unroutable, 1);
    assert.equal(summary.skippedByLoopGuard, 1);
    assert.match(
      summary.failures[0]!,
      new RegExp(`^${dlq}:0:7: no origin in its headers \\(unknown\\) and no --to`),
    );
    assert.match(
      summary.notes.join('\n'),
      /partition 0: 1 record\(s\) with no origin and no --to would be moved past, at offset\(s\) 7;/,
    );
    assert.doesNotMatch(summary.notes.join('\n'), /would stop/);
    assert.deepEqual(summary.targets, { [orders]: 6, [payments]: 1 });
    assert.deepEqual(
      summary.plan!.map((p) => `${p.key}→${p.target}`),
      [...Array.from({ length: 6 }, (_, i) => `order-${i}→${orders}`), `pay-1→${payments}`],
    );
    const admin = await conn.admin();
    const offsets = await admin.fetchOffsets({ groupId: opts.jobId, topics: [dlq] });
    assert.ok(offsets.every((t) => t.partitions.every((p) => p.offset === '-1')));
    assert.equal((await readAllCommitted(kafka, orders)).length, 6);
  });

  it('replay sends each selected message to its origin with its key, headers and partition affinity', async () => {
    const opts = options(dlq, { exception: 'TimeoutException' });
    const summary = await dlqFor(conn).replay(dlq, opts);
    assert.equal(summary.replayed, 4);
    assert.equal(summary.skippedByFilter, 5);
    assert.equal(summary.failed, 0);
    const copies = (await readAllCommitted(kafka, orders)).filter((m) => m.headers['mqctl-replay-count']);
    assert.deepEqual(copies.map((m) => m.key).sort(), ['order-0', 'order-1', 'order-2', 'order-3']);
    for (const c of copies) {
      assert.equal(c.partition, originalPartitionOfKey.get(c.key!), `partition affinity for ${c.key}`);
      assert.equal(c.headers['mqctl-replay-count'], '1');
      assert.match(c.headers['mqctl-replayed-from']!, new RegExp(`^${dlq}:0:[0-3]$`));
      assert.ok(!Number.isNaN(Date.parse(c.headers['mqctl-replayed-at']!)));
      assert.equal(c.headers['kafka_dlt-original-topic'], orders);
      assert.ok(c.headers.traceparent?.startsWith('00-trace-'));
      assert.equal(JSON.parse(c.value).id, Number(c.key!.split('-')[1]));
    }
    // The same job again resumes after its committed position: nothing doubled.
    const again = await dlqFor(conn).replay(dlq, opts);
    assert.equal(again.replayed, 0);
    assert.equal(again.examined, 0);
    assert.equal(
      (await readAllCommitted(kafka, orders)).filter((m) => m.headers['mqctl-replay-count']).length,
      4,
    );
  });

  it('--to sends everything selected to one topic; loop guard and missing origin are counted', async () => {
    const target = uniqueName('retry');
    await createTopics(kafka, [{ topic: target, partitions: 2 }]);
    try {
      const summary = await dlqFor(conn).replay(dlq, options(dlq, { to: target, limit: 100 }));
      assert.equal(summary.replayed, 8);
      assert.equal(summary.skippedByLoopGuard, 1);
      assert.equal(summary.failed, 0);
      const copies = await readAllCommitted(kafka, target);
      assert.equal(copies.length, 8);
      assert.ok(copies.some((c) => c.key === 'orphan'));
      assert.ok(!copies.some((c) => c.key === 'order-looping'));
    } finally {
      await deleteTopics(kafka, [target]);
    }
  });

  it('purge --where is refused on Kafka; purge deletes all records', async () => {
    const access = dlqFor(conn);
    await assert.rejects(
      access.purge(dlq, { filter: buildFilter({ where: ['key == x'] }) }),
      /cannot delete individual/,
    );
    const result = await access.purge(dlq, {});
    assert.equal(result.purged, 9);
    assert.equal(await access.depth(dlq), 0);
  });
});

describe('dlq replay on Kafka keeps its progress and never commits past a failed record', () => {
  const conn = connection();
  const created: string[] = [];

  before(async () => {
    await requireKafka();
  });

  after(async () => {
    await conn.close();
    await forgetReplayProgress(created);
    await deleteTopics(kafka, created);
  });

  it('replay, delete the job group, replay again: 0 duplicates', async () => {
    const origin = uniqueName('dlq-groupdel');
    const dlq = `${origin}-dlt`;
    created.push(origin, dlq);
    await createTopics(kafka, [
      { topic: origin, partitions: 2 },
      { topic: dlq, partitions: 2 },
    ]);
    await produceAll(
      kafka,
      dlq,
      Array.from({ length: 30 }, (_, i) => ({
        key: `g${i}`,
        value: `v${i}`,
        partition: i % 2,
        headers: springDltHeaders({
          topic: origin,
          partition: i % 2,
          offset: i,
          exceptionClass: 'java.net.SocketTimeoutException',
          exceptionMessage: 'Read timed out',
        }),
      })),
    );
    const opts = options(dlq);
    const first = await dlqFor(conn).replay(dlq, opts);
    assert.equal(first.replayed, 30);
    // What a cleanup script, `kafka-consumer-groups --delete` or offsets.retention.minutes does.
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([opts.jobId]);
      const left = await admin.fetchOffsets({ groupId: opts.jobId, topics: [dlq] });
      assert.ok(
        left.every((t) => t.partitions.every((p) => p.offset === '-1')),
        'the group is gone',
      );
    } finally {
      await admin.disconnect();
    }
    const second = await dlqFor(conn).replay(dlq, opts);
    assert.equal(second.replayed, 0, 'the second run copied records again');
    // dlq list: the DLQ still holds 30 (Kafka keeps them); the job has 0 left.
    const row = (await dlqFor(conn).list({ sample: 0 })).find((r) => r.name === dlq);
    assert.equal(row?.depth, 30);
    assert.deepEqual(row?.replayJobs, [{ jobId: opts.jobId, left: 0 }]);
    const copies = await readAllCommitted(kafka, origin);
    assert.equal(copies.length, 30);
    assert.equal(new Set(copies.map((c) => c.key)).size, 30);
  });

  it('a failed record stays replayable: the run stops its partition there, a re-run after the fix copies it', async () => {
    const origin = uniqueName('dlq-failed');
    const ghost = uniqueName('dlq-ghost'); // the origin topic of some records, created only later
    const dlq = `${origin}-dlt`;
    created.push(origin, ghost, dlq);
    await createTopics(kafka, [
      { topic: origin, partitions: 1 },
      { topic: dlq, partitions: 2 },
    ]);
    const dead = (key: string, topic: string, partition: number) => ({
      key,
      value: key,
      partition,
      headers: springDltHeaders({
        topic,
        partition: 0,
        offset: 1,
        exceptionClass: 'java.net.SocketTimeoutException',
        exceptionMessage: 'Read timed out',
      }),
    });
    await produceAll(kafka, dlq, [
      dead('p0-ok-0', origin, 0),
      dead('p0-ghost-1', ghost, 0),
      dead('p0-ok-2', origin, 0),
      dead('p1-ok-0', origin, 1),
      dead('p1-ok-1', origin, 1),
    ]);
    const opts = options(dlq);
    const first = await dlqFor(conn).replay(dlq, opts);
    assert.equal(first.failed, 1);
    assert.equal(first.replayed, 3, 'p0-ok-0, p1-ok-0, p1-ok-1');
    assert.match(first.failures[0]!, new RegExp(`target topic "${ghost}" does not exist`));
    // The cause is fixed: the origin topic now exists.
    await createTopics(kafka, [{ topic: ghost, partitions: 1 }]);
    const second = await dlqFor(conn).replay(dlq, opts);
    assert.equal(second.failed, 0);
    assert.equal(second.replayed, 2, 'p0-ghost-1 and p0-ok-2');
    assert.deepEqual(
      (await readAllCommitted(kafka, ghost)).map((c) => c.key),
      ['p0-ghost-1'],
    );
    assert.deepEqual((await readAllCommitted(kafka, origin)).map((c) => c.key).sort(), [
      'p0-ok-0',
      'p0-ok-2',
      'p1-ok-0',
      'p1-ok-1',
    ]);
    const third = await dlqFor(conn).replay(dlq, opts);
    assert.equal(third.replayed + third.failed, 0);
  });
});

describe('dlq on Kafka reads partitions in one order: timestamp, partition, offset', () => {
  const conn = connection();
  const origin = uniqueName('dlq-order');
  const dlq = `${origin}-dlt`;

  before(async () => {
    await requireKafka();
    await createTopics(kafka, [
      { topic: origin, partitions: 1 },
      { topic: dlq, partitions: 3 },
    ]);
    const base = Date.now() - 60_000;
    // Partition 2 holds the oldest of each pair, partition 0 the newest.
    const dead = (key: string, partition: number, ts: number) => ({
      key,
      value: key,
      partition,
      timestamp: String(base + ts),
      headers: springDltHeaders({
        topic: origin,
        partition: 0,
        offset: 1,
        exceptionClass: 'java.net.SocketTimeoutException',
        exceptionMessage: 'Read timed out',
      }),
    });
    await produceAll(kafka, dlq, [
      dead('p0-a', 0, 3000),
      dead('p0-b', 0, 6000),
      dead('p1-a', 1, 2000),
      dead('p1-b', 1, 5000),
      dead('p2-a', 2, 1000),
      dead('p2-b', 2, 4000),
    ]);
  });

  after(async () => {
    await conn.close();
    await forgetReplayProgress([dlq]);
    await deleteTopics(kafka, [origin, dlq]);
  });

  it('peek, --limit and the dry-run plan take the oldest first across partitions, the same every run', async () => {
    const expected = ['p2-a', 'p1-a', 'p0-a', 'p2-b', 'p1-b', 'p0-b'];
    for (let run = 0; run < 2; run++) {
      const peeked = await peekDlq(dlqFor(conn), dlq, { limit: 10, scan: 10, filter: buildFilter({}) });
      assert.deepEqual(
        peeked.messages.map((m) => m.key?.toString()),
        expected,
      );
      const first = await peekDlq(dlqFor(conn), dlq, { limit: 1, scan: 10, filter: buildFilter({}) });
      assert.deepEqual(
        first.messages.map((m) => m.key?.toString()),
        ['p2-a'],
      );
    }
    const plan = await dlqFor(conn).replay(dlq, options(dlq, { dryRun: true, limit: 2 }));
    assert.deepEqual(
      plan.plan!.map((p) => p.key),
      ['p2-a', 'p1-a'],
    );
    const replay = await dlqFor(conn).replay(dlq, options(dlq, { limit: 2 }));
    assert.equal(replay.replayed, 2);
    assert.deepEqual((await readAllCommitted(kafka, origin)).map((c) => c.key).sort(), ['p1-a', 'p2-a']);
  });
});

describe('dlq on Kafka understands Spring retry-topic chains (<topic>-retry-N, then -dlt)', () => {
  const conn = connection();
  const base = uniqueName('dlq-chain');
  const stage0 = `${base}-retry-0`;
  const stage1 = `${base}-retry-1`;
  const dlt = `${base}-dlt`;
  const now = Date.now();
  const record = (key: string, attempts: number, dueInMs: number) => ({
    key,
    value: key,
    headers: springRetryHeaders({
      topic: base,
      partition: 0,
      offset: Number(key.replace(/\D/g, '')),
      attempts,
      backoffTimestamp: now + dueInMs,
      originalTimestamp: now - 10_000,
      group: 'order-service',
      exceptionClass: 'org.springframework.kafka.listener.ListenerExecutionFailedException',
      causeClass: 'java.net.SocketTimeoutException',
      exceptionMessage: 'Listener failed',
    }),
  });

  before(async () => {
    await requireKafka();
    await createTopics(kafka, [
      { topic: base, partitions: 1 },
      { topic: stage0, partitions: 1 },
      { topic: stage1, partitions: 1 },
      { topic: dlt, partitions: 1 },
    ]);
    await produceAll(kafka, stage0, [
      record('r1', 2, 3_600_000),
      record('r2', 2, 5_400_000),
      record('r3', 2, -5_000),
    ]);
    await produceAll(kafka, stage1, [record('r4', 3, 7_200_000)]);
    await produceAll(kafka, dlt, [record('r5', 4, -1_000), record('r6', 4, -1_000)]);
  });

  after(async () => {
    await conn.close();
    await forgetReplayProgress([base, stage0, stage1, dlt]);
    await deleteTopics(kafka, [base, stage0, stage1, dlt]);
  });

  it('list shows per stage what waits, the attempts so far, the next due time, and how many reached the -dlt', async () => {
    const row = (await dlqFor(conn).list({ sample: 100 })).find((r) => r.name === dlt);
    assert.ok(row, `${dlt} not listed`);
    assert.equal(row.depth, 2);
    assert.deepEqual(row.sources, [base]);
    assert.deepEqual(row.retryChain, [
      { topic: stage0, depth: 3, sampled: 3, notYetDue: 2, maxAttempts: 2, nextDueAt: now + 3_600_000 },
      { topic: stage1, depth: 1, sampled: 1, notYetDue: 1, maxAttempts: 3, nextDueAt: now + 7_200_000 },
    ]);
  });

  it('the -dlt records decode (origin, attempts, cause) and replay to the original topic', async () => {
    const peeked = await peekDlq(dlqFor(conn), dlt, { limit: 10, scan: 10, filter: buildFilter({}) });
    const first = peeked.messages[0]!;
    assert.equal(first.origin.topic, base);
    assert.equal(first.origin.deaths, 4);
    assert.equal(first.error.className, 'java.net.SocketTimeoutException');
    // Spring keeps one value per hop of each retry_topic-* header (three hops to the -dlt): the last one counts.
    assert.equal((first.rawHeaders?.['retry_topic-attempts'] as Buffer[]).length, 3);
    assert.equal(first.headers['retry_topic-attempts'], '4');
    assert.equal(first.headers['retry_topic-backoff-timestamp'], String(now - 1_000));
    assert.equal(first.headers['retry_topic-original-timestamp'], String(now - 10_000));
    assert.equal(first.origin.consumerGroup, 'order-service');
    assert.equal(first.origin.timestamp, now - 10_000);
    assert.equal(first.headers['kafka_original-timestamp-type'], 'CreateTime');
    assert.equal(
      first.error.wrapperClassName,
      'org.springframework.kafka.listener.ListenerExecutionFailedException',
    );
    assert.match(
      first.headers['kafka_exception-stacktrace']!,
      /\nCaused by: java\.net\.SocketTimeoutException: /,
    );
    const summary = await dlqFor(conn).replay(dlt, options(dlt));
    assert.equal(summary.replayed, 2);
    const copies = await readAllCommitted(kafka, base);
    assert.deepEqual(copies.map((c) => c.key).sort(), ['r5', 'r6']);
    // The copies keep every value of the repeated headers, in order.
    for await (const c of dlqFor(conn).browse(base, { limit: 10 }))
      assert.deepEqual(
        (c.rawHeaders?.['retry_topic-attempts'] as Buffer[]).map((v) => v.readInt32BE(0)),
        [2, 3, 4],
      );
  });
});

describe('dlq on Kafka reads to the end of a log that ends in transaction markers', () => {
  const dlq = uniqueName('dlq-txn-tail-dlt');
  const conn = connection();

  before(async () => {
    await requireKafka();
    await createTopics(kafka, [{ topic: dlq, partitions: 1 }]);
    // One record batch of ~1 MB (the reader's fetch takes it alone: it fills the 1 MiB per partition), then
    // a transaction of 64 KiB that is aborted: the next fetch holds only aborted records and the abort
    // marker, which a read_committed consumer never hands to eachBatch.
    await produceAll(
      kafka,
      dlq,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(100 * 1024, i) })),
    );
    const producer = kafka.producer({ transactionalId: dlq, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const transaction = await producer.transaction();
      await transaction.send({ topic: dlq, messages: [{ key: 'aborted', value: Buffer.alloc(64 * 1024) }] });
      await transaction.abort();
    } finally {
      await producer.disconnect();
    }
    await awaitStableEnd(kafka, dlq, 12);
  });

  after(async () => {
    await conn.close();
    await deleteTopics(kafka, [dlq]);
  });

  it('the range read ends complete at the abort marker, not incomplete on the idle timeout', async () => {
    const admin = await conn.admin();
    const [range] = await admin.fetchTopicOffsets(dlq);
    assert.equal(range!.high, '12', '10 records, 1 aborted record and its marker');
    const result = { complete: false };
    const keys: string[] = [];
    for await (const batch of readKafkaRange(conn, {
      topic: dlq,
      start: new Map([[0, 0n]]),
      end: new Map([[0, 12n]]),
      result,
    }))
      keys.push(...batch.messages.map((m) => m.key!.toString()));
    assert.deepEqual(
      keys,
      Array.from({ length: 10 }, (_, i) => `k${i}`),
    );
    assert.equal(result.complete, true, 'the read stopped before the end of the log');
  });
});

describe('dlq on Kafka: a DLQ (or the progress topic) that ends in transaction markers is read to its end', () => {
  const conn = connection();
  const origin = uniqueName('dlq-txmark');
  const dlq = `${origin}-dlt`;

  before(async () => {
    await requireKafka();
    await createTopics(kafka, [
      { topic: origin, partitions: 1 },
      { topic: dlq, partitions: 1 },
    ]);
    // Dead letters published in transactions, as Spring's DeadLetterPublishingRecoverer does with a
    // transactional KafkaTemplate: each commit leaves a marker after the records (offsets 0-2, marker 3).
    const producer = kafka.producer({
      transactionalId: uniqueName('dlq-txmark-writer'),
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({
      topic: dlq,
      messages: ['a', 'b', 'c'].map((key, i) => ({
        key,
        value: key,
        headers: springDltHeaders({
          topic: origin,
          partition: 0,
          offset: i,
          exceptionClass: 'java.net.SocketTimeoutException',
          exceptionMessage: 'Read timed out',
        }),
      })),
    });
    await tx.commit();
    await producer.disconnect();
    await awaitStableEnd(kafka, dlq, 4);
  });

  after(async () => {
    await conn.close();
    await forgetReplayProgress([dlq]);
    await deleteTopics(kafka, [origin, dlq]);
  });

  it('a re-run that starts at the final marker ends at once, complete (no "stopped before the end" note)', async () => {
    const opts = options(dlq);
    const first = await dlqFor(conn).replay(dlq, opts);
    assert.equal(first.replayed, 3);
    // The job's position is now the marker's offset: the next fetch holds the marker only, which kafkajs
    // filters out without handing over a batch. The reader used to wait it out and call the read incomplete.
    const started = Date.now();
    const again = await dlqFor(conn).replay(dlq, opts);
    const ms = Date.now() - started;
    assert.equal(again.examined, 0);
    assert.deepEqual(
      again.notes.filter((n) => /stopped before the end/.test(n)),
      [],
      `notes: ${again.notes.join(' | ')}`,
    );
    assert.ok(ms < 5000, `the re-run took ${ms} ms`);
    assert.deepEqual((await readAllCommitted(kafka, origin)).map((c) => c.key).sort(), ['a', 'b', 'c']);
  });
});
