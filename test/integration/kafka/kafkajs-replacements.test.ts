import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPerfProducer, type PerfChunk } from '../../../src/brokers/perf';
import { replacementCalls } from '../../../src/brokers/kafka/kafkajs';
import { requireKafka, uniqueName } from '../../helpers/brokers';
import { kafkaConnection } from '../../helpers/topics';

describe('kafkajs replacements in the running producer (issue 12 item 14)', () => {
  before(() => requireKafka());
  const conn = kafkaConnection();
  const topic = uniqueName('perftruth-kjs');
  after(async () => {
    const admin = await conn.admin();
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
    await conn.close();
  });

  it("perf produce's kafkajs producer groups and encodes its records with mqctl's replacements", async () => {
    const producer = await createPerfProducer(conn, {
      topic,
      create: { partitions: 2, replicationFactor: 1 },
      kafka: {
        acks: -1,
        batchBytes: 256 * 1024,
        lingerMs: 0,
        compression: 'none',
        idempotent: false,
        maxInFlight: 5,
      },
      rabbitmq: { exchange: '', confirm: 0, persistent: false, queueType: 'classic' },
      pulsar: { batching: true, batchDelayMs: 1, maxPending: 1000 },
    });
    const before = { ...replacementCalls };
    const records = Array.from({ length: 100 }, (_, i) => ({ value: Buffer.from(`r${i}`), stamp: '1' }));
    const settled: Array<Error | undefined> = [];
    const done = new Promise<void>((resolve) => {
      const chunk: PerfChunk = {
        records,
        settle: (_i, e) => settled.push(e),
        settleRange: (from, to, e) => {
          for (let i = from; i < to; i++) settled.push(e);
          if (settled.length === records.length) resolve();
        },
      };
      producer.send(chunk);
    });
    await done;
    await producer.close();
    assert.deepEqual(settled.filter(Boolean), []);
    assert.ok(
      replacementCalls.groupMessagesPerPartition > before.groupMessagesPerPartition,
      'grouping not replaced',
    );
    assert.ok(replacementCalls.encodeRecord - before.encodeRecord >= 100, 'record encoder not replaced');
  });
});

describe('kafkajs request queue fix (tulios/kafkajs#1751)', () => {
  before(() => requireKafka());

  it('an idle, connected admin client sets no timers: no 1 ms wake-up loop and no TimeoutNegativeWarning', async () => {
    const conn = kafkaConnection();
    const admin = await conn.admin();
    await admin.listTopics();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const original = globalThis.setTimeout;
    let shortTimers = 0;
    globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
      if (ms === undefined || ms <= 1) shortTimers++;
      return original(fn, ms, ...rest);
    }) as typeof setTimeout;
    try {
      await admin.listTopics(); // a response arrives while counting: kafkajs schedules its queue check here
      await new Promise((r) => original(r, 1000));
    } finally {
      globalThis.setTimeout = original;
      process.off('warning', onWarning);
      await conn.close();
    }
    // Without the fix: several hundred 1 ms (or negative) timers in this second, one after another.
    assert.ok(shortTimers < 5, `${shortTimers} timers of <= 1 ms while idle`);
    assert.deepEqual(
      warnings.filter((w) => w.startsWith('TimeoutNegativeWarning')),
      [],
    );
  });
});
