import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin, Consumer } from 'kafkajs';
import { MqctlError } from '../../../src/core/errors';
import { KafkaGroupAdmin } from '../../../src/brokers/kafka/group-admin';
import { KafkaLagSource } from '../../../src/brokers/kafka/lag';
import type { KafkaConnection } from '../../../src/brokers/kafka/connection';
import type { LagReport } from '../../../src/lag/model';
import { LagHistory } from '../../../src/lag/report';
import { evaluateThresholds } from '../../../src/lag/thresholds';
import { requireKafka, uniqueName } from '../../helpers/brokers';
import { consumeExactly, kafkaConnection, produceWithTimestamps } from './lag-helpers';
import { createKafkaTopics } from '../../helpers/topics';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kafka lag against a real broker', () => {
  let conn: KafkaConnection;
  let admin: Admin;
  let source: KafkaLagSource;
  let groupAdmin: KafkaGroupAdmin;
  const topics: string[] = [];
  const groups: string[] = [];

  before(async () => {
    await requireKafka();
    conn = kafkaConnection();
    admin = await conn.admin();
    source = new KafkaLagSource(conn);
    groupAdmin = new KafkaGroupAdmin(conn);
  });

  after(async () => {
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => undefined);
    await conn.close();
  });

  async function createTopic(partitions: number): Promise<string> {
    const topic = uniqueName('lag');
    await createKafkaTopics(admin, [{ topic, numPartitions: partitions }]);
    topics.push(topic);
    return topic;
  }

  it('produce 10,000, consume 4,000, commit: exact lag per partition, totals and time lag within 1 s', async () => {
    const topic = await createTopic(3);
    const group = uniqueName('lag-g');
    groups.push(group);
    const perPartition = 3334; // 10,002 messages in all
    const base = Date.now() - 120_000;
    await produceWithTimestamps(conn.kafka, topic, 3, perPartition, base);
    const consumed = await consumeExactly(conn.kafka, topic, group, 4000);

    const report = new LagHistory().observe(
      await source.snapshot({ groups: [group], topics: [], timeLag: true }),
    );
    assert.equal(report.rows.length, 3);
    for (const row of report.rows) {
      const took = consumed.get(row.partition!) ?? 0;
      assert.equal(row.committedOffset, took === 0 ? null : took, `partition ${row.partition}`);
      assert.equal(row.logEndOffset, perPartition);
      assert.equal(row.logStartOffset, 0);
      if (took === 0) {
        // never committed: every retained record is unread, counted (not shown as zero, not left out)
        assert.equal(row.lag, perPartition, 'a partition never committed counts every retained record');
        assert.notEqual(row.status, 'OK');
        continue;
      }
      assert.equal(row.lag, perPartition - took, `exact lag of partition ${row.partition}`);
      if (row.lag === 0) {
        assert.deepEqual([row.timeLagMs, row.status], [0, 'OK']);
        continue;
      }
      // The oldest unconsumed record has timestamp base + committed offset.
      const truth = report.takenAt - (base + took);
      assert.equal(row.timeLagSource, 'record');
      assert.ok(Math.abs(row.timeLagMs! - truth) < 1000, `time lag ${row.timeLagMs} vs truth ${truth}`);
      assert.equal(row.status, 'LAGGING');
    }
    const g = report.groups.find((x) => x.group === group)!;
    const sumTook = [...consumed.values()].reduce((a, b) => a + b, 0);
    assert.equal(sumTook, 4000);
    // every partition counts, committed or not: 3 × 3,334 produced, 4,000 consumed
    assert.equal(g.totalLag, 3 * perPartition - 4000);
    assert.equal(report.topics.find((t) => t.topic === topic)!.totalLag, g.totalLag);
    assert.equal(g.state, 'Empty');

    // Thresholds: breached just below the total, not at it.
    assert.equal(evaluateThresholds(report, { maxLag: g.totalLag }).length, 0);
    assert.equal(evaluateThresholds(report, { maxLag: g.totalLag - 1 }).length, 1);
    assert.equal(evaluateThresholds(report, { maxTimeLagMs: 60_000 }).length, 1);
    assert.equal(evaluateThresholds(report, { maxTimeLagMs: 600_000 }).length, 0);
  });

  it('a committed offset below the log start reports the records that expired unread (ERR)', async () => {
    const topic = await createTopic(1);
    const group = uniqueName('lag-expired');
    groups.push(group);
    await produceWithTimestamps(conn.kafka, topic, 1, 10, Date.now());
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }] });
    // retention, simulated: records 0..5 deleted, so 4 records (2..5) were never read
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '6' }] });
    const report = new LagHistory().observe(
      await source.snapshot({ groups: [group], topics: [topic], timeLag: false }),
    );
    const row = report.rows[0]!;
    assert.deepEqual([row.committedOffset, row.logStartOffset, row.expiredUnread], [2, 6, 4]);
    assert.equal(row.status, 'ERR');
    assert.match(row.reason ?? '', /4 records expired unread/);
    assert.equal(report.groups.find((g) => g.group === group)!.expiredUnread, 4);
  });

  it('a partition the group never committed counts all its retained records as lag, and an unknown group is exit 3', async () => {
    const topic = await createTopic(3);
    const group = uniqueName('lag-partial');
    groups.push(group);
    await produceWithTimestamps(conn.kafka, topic, 3, 10, Date.now());
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '4' }] });
    const snap = await source.snapshot({ groups: [group], topics: [topic], timeLag: true });
    const rows = new LagHistory().observe(snap).rows;
    assert.deepEqual(
      rows.map((r) => [r.partition, r.committedOffset, r.lag, r.status]),
      [
        [0, 4, 6, 'LAGGING'],
        [1, null, 10, 'LAGGING'],
        [2, null, 10, 'LAGGING'],
      ],
    );
    // All groups filtered by topic: only the groups that consume it, with every partition of it.
    const byTopic = await source.snapshot({ groups: [], topics: [topic], timeLag: false });
    assert.deepEqual(
      byTopic.groups.map((g) => g.group),
      [group],
    );
    assert.equal(byTopic.rows.length, 3);
    const whole = await source.snapshot({ groups: [group], topics: [], timeLag: false });
    assert.equal(whole.rows.length, 3, 'partitions without a commit of a consumed topic are listed');
    await assert.rejects(
      source.snapshot({ groups: [uniqueName('nope')], topics: [topic], timeLag: true }),
      (e: MqctlError) => e.exitCode === 3,
    );
    await assert.rejects(
      source.snapshot({ groups: [uniqueName('nope')], topics: [], timeLag: true }),
      (e: MqctlError) => e.exitCode === 3,
    );
  });

  it('a consumer that stops committing is STALLED within the window; one that keeps up is OK; a rewind is ERR', async () => {
    const topic = await createTopic(1);
    const stalled = uniqueName('lag-stalled');
    const keepsUp = uniqueName('lag-live');
    groups.push(stalled, keepsUp);
    const producer = conn.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 50 }, (_, i) => ({ value: `a${i}` })) });
    // The stalled group consumed 20 and committed, then its consumer died.
    await admin.setOffsets({ groupId: stalled, topic, partitions: [{ partition: 0, offset: '20' }] });

    const live: Consumer = conn.kafka.consumer({ groupId: keepsUp, heartbeatInterval: 500 });
    await live.connect();
    await live.subscribe({ topic, fromBeginning: true });
    await live.run({ eachMessage: async () => undefined });

    const history = new LagHistory({ window: 6, minSamples: 3 });
    let report: LagReport | undefined;
    const producing = (async () => {
      for (let i = 0; i < 12; i++) {
        await producer.send({ topic, messages: [{ value: `b${i}` }, { value: `c${i}` }] });
        await sleep(250);
      }
    })();
    for (let i = 0; i < 8; i++) {
      await sleep(400);
      report = history.observe(
        await source.snapshot({ groups: [stalled, keepsUp], topics: [topic], timeLag: true }),
      );
    }
    await producing;
    await live.disconnect();
    await producer.disconnect();
    const status = (g: string) => report!.groups.find((x) => x.group === g)!;
    assert.equal(status(stalled).status, 'STALLED', status(stalled).reason);
    assert.equal(status(keepsUp).status, 'OK', status(keepsUp).reason);
    assert.equal(
      evaluateThresholds(report!, { failOn: 'stalled' })
        .map((b) => b.group)
        .join(),
      stalled,
    );

    // Rewind: the stalled group is moved back between samples.
    const rewinds = new LagHistory({ window: 6, minSamples: 3 });
    for (const offset of ['30', '35', '10']) {
      await admin.setOffsets({ groupId: stalled, topic, partitions: [{ partition: 0, offset }] });
      report = rewinds.observe(await source.snapshot({ groups: [stalled], topics: [topic], timeLag: false }));
    }
    assert.equal(report!.groups[0]!.status, 'ERR');
    assert.match(report!.groups[0]!.reason!, /went back from 35 to 10/);
  });

  it('reset-offsets: the plan changes nothing, execute moves exactly, an active group is refused', async () => {
    const topic = await createTopic(2);
    const group = uniqueName('lag-reset');
    groups.push(group);
    const base = Date.now() - 60_000;
    await produceWithTimestamps(conn.kafka, topic, 2, 100, base);
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '50' },
        { partition: 1, offset: '60' },
      ],
    });
    const committed = async () =>
      (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]!.partitions
        .sort((a, b) => a.partition - b.partition)
        .map((p) => Number(p.offset));

    const earliest = await groupAdmin.planReset(group, [{ topic, partitions: [] }], { to: 'earliest' });
    assert.deepEqual(
      earliest.rows.map((r) => [r.partition, r.currentOffset, r.newOffset]),
      [
        [0, 50, 0],
        [1, 60, 0],
      ],
    );
    assert.deepEqual(await committed(), [50, 60], 'a plan changes nothing');

    const shift = await groupAdmin.planReset(group, [{ topic, partitions: [1] }], { to: 'shift', by: -15 });
    await groupAdmin.executeReset(shift);
    assert.deepEqual(await committed(), [50, 45]);

    const byTime = await groupAdmin.planReset(group, [{ topic, partitions: [] }], {
      to: 'datetime',
      timestamp: base + 30,
    });
    await groupAdmin.executeReset(byTime);
    assert.deepEqual(await committed(), [30, 30], 'first record at or after the time');

    const clamp = await groupAdmin.planReset(group, [{ topic, partitions: [0] }], {
      to: 'offset',
      offset: 10_000,
    });
    assert.equal(clamp.rows[0]!.newOffset, 100, 'clamped to the log end');
    const latest = await groupAdmin.planReset(group, [{ topic, partitions: [] }], { to: 'latest' });
    await groupAdmin.executeReset(latest);
    assert.deepEqual(await committed(), [100, 100]);
    const fromFile = await groupAdmin.planReset(group, [], {
      to: 'file',
      entries: [
        { topic, partition: 0, offset: 7 },
        { topic, partition: 1, offset: 8 },
      ],
    });
    await groupAdmin.executeReset(fromFile);
    assert.deepEqual(await committed(), [7, 8]);

    const consumer = conn.kafka.consumer({ groupId: group, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic });
    await consumer.run({ eachMessage: async () => consumer.pause([{ topic }]) });
    try {
      for (let i = 0; i < 50; i++) {
        const d = await groupAdmin.describeGroup(group);
        if (d.state === 'Stable') break;
        await sleep(200);
      }
      await assert.rejects(
        groupAdmin.planReset(group, [{ topic, partitions: [] }], { to: 'earliest' }),
        (e: MqctlError) => e.exitCode === 2 && /active member/.test(e.message),
      );
      await assert.rejects(groupAdmin.deleteGroup(group), /active member/);
      const described = await groupAdmin.describeGroup(group);
      assert.equal(described.members, 1);
      assert.deepEqual(described.memberDetails[0]!.assignments, [{ topic, partitions: [0, 1] }]);
      const listed = await groupAdmin.listGroups();
      assert.equal(listed.find((g) => g.group === group)?.members, 1);
    } finally {
      await consumer.disconnect();
    }
    await groupAdmin.deleteGroup(group);
    await assert.rejects(groupAdmin.describeGroup(group), (e: MqctlError) => e.exitCode === 3);
  });

  it('memory stays flat over 1,000 watch refreshes against the broker: retained samples bounded by the window, heap growth under 3 MiB', async () => {
    const topic = await createTopic(4);
    const group = uniqueName('lag-mem');
    groups.push(group);
    await produceWithTimestamps(conn.kafka, topic, 4, 50, Date.now() - 5000);
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [0, 1, 2, 3].map((p) => ({ partition: p, offset: '10' })),
    });
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const history = new LagHistory({ window: 10 });
    const query = { groups: [group], topics: [], timeLag: true };
    let heapAt100 = 0;
    for (let i = 1; i <= 1000; i++) {
      const report = history.observe(await source.snapshot(query));
      assert.equal(report.groups[0]!.totalLag, 160);
      if (i === 100) {
        gc();
        heapAt100 = process.memoryUsage().heapUsed;
      }
    }
    gc();
    const growth = process.memoryUsage().heapUsed - heapAt100;
    console.log(`heap growth over refreshes 100..1000: ${(growth / 1024 / 1024).toFixed(2)} MiB`);
    // The heap of a process holding a kafkajs client moves by about 1 MiB over these refreshes whatever
    // mqctl does, so a leak of a few hundred bytes per refresh hides in it: the bound that proves "flat" is
    // on what the history retains, exactly; the heap bound only catches gross leaks (#18 item 7: was 8 MiB).
    assert.ok(growth < 3 * 1024 * 1024, `heap grew ${growth} bytes`);
    assert.equal(history.trackedRows, 4);
    const bound = 4 * (2 * history.options.window + history.options.interpolationPoints);
    assert.ok(history.retainedSamples <= bound, `retains ${history.retainedSamples} samples, bound ${bound}`);
  });
});
