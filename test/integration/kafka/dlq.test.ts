import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { dlqFor } from '../../../src/brokers/dlq';
import { KafkaConnection } from '../../../src/brokers/kafka/connection';
import { buildFilter } from '../../../src/dlq/filter';
import { peekDlq, statsDlq } from '../../../src/dlq/inspect';
import { UNPACED } from '../../../src/dlq/rate';
import { replayJobId, type ReplayOptions } from '../../../src/dlq/replay';
import { LOCAL, requireKafka, uniqueName } from '../../helpers/brokers';
import {
  connectDlqHeaders,
  createTopics,
  deleteTopics,
  produceAll,
  readAllCommitted,
  springDltHeaders,
} from '../../helpers/dlq-fixtures';

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
    const result = await peekDlq(dlqFor(conn), dlq, { limit: 20, scan: 100, filter: buildFilter({}) });
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
    // Nothing committed anywhere for the DLQ: no group lists it.
    const admin = await conn.admin();
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    for (const g of groups.filter((id) => id.startsWith('mqctl-dlq-'))) {
      const offsets = await admin.fetchOffsets({ groupId: g, topics: [dlq] });
      assert.ok(
        offsets.every((t) => t.partitions.every((p) => p.offset === '-1')),
        `group ${g} committed offsets on ${dlq}`,
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
    assert.equal(summary.skippedByLoopGuard, 1);
    assert.equal(summary.failed, 1);
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
