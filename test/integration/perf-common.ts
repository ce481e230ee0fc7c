import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect } from '../../src/brokers';
import type { BrokerConnection } from '../../src/brokers/types';
import { ConfigStore } from '../../src/config/store';
import { resolveContext } from '../../src/config/resolve';
import type { BrokerKind } from '../../src/config/types';
import { runConsume, runProduce, type ConsumeOptions, type ProduceOptions } from '../../src/perf/run';
import { runConsumeThreads } from '../../src/perf/threads/consume-main';
import { writeResultFile } from '../../src/perf/files';
import { readResultFile } from '../../src/gates';
import type { ResolvedContext } from '../../src/config/types';
import { tempDir } from '../helpers/tmp';

/** The local broker of `kind` as a context, ignoring the user's contexts and MQCTL_* environment. */
export function localContext(kind: BrokerKind): ResolvedContext {
  const store = new ConfigStore(join(tempDir('mqctl-perf-'), 'config.yaml'));
  return resolveContext({ kind }, {}, store);
}

/** A connection to the local broker of `kind`, ignoring the user's contexts and MQCTL_* environment. */
export function localConnection(kind: BrokerKind): BrokerConnection {
  return connect(localContext(kind), { timeoutMs: 10_000 });
}

export function produceOptions(topic: string, overrides: Partial<ProduceOptions> = {}): ProduceOptions {
  return {
    topic,
    rate: 5000,
    numRecords: Infinity,
    durationMs: 10_000,
    warmupMs: 0,
    warmupRecords: 0,
    recordSize: 100,
    keyPattern: 'none',
    keySpace: 1000,
    producers: 1,
    intervalMs: 5000,
    maxSendDelayMs: 5,
    flushTimeoutMs: 30_000,
    create: { partitions: 1, replicationFactor: 1 },
    kafka: {
      acks: -1,
      batchBytes: 256 * 1024,
      lingerMs: 0,
      compression: 'none',
      idempotent: false,
      maxInFlight: 5,
    },
    // client bounds well above rate × latency: the rate-limiter check must not measure a busy broker's
    // confirm/receipt round trips on a shared machine (those show up as back-pressure, a separate verdict)
    rabbitmq: { exchange: '', confirm: 20_000, persistent: false, queueType: 'classic' },
    pulsar: { batching: true, batchDelayMs: 1, maxPending: 20_000 },
    ...overrides,
  };
}

export function consumeOptions(topic: string, numRecords: number): ConsumeOptions {
  return {
    topic,
    from: 'earliest',
    prefetch: 1000,
    numRecords,
    durationMs: Infinity,
    warmupMs: 0,
    warmupRecords: 0,
    idleTimeoutMs: 20_000,
    intervalMs: 5000,
  };
}

/**
 * The acceptance check of the perf issue on one broker: produce at 5,000 msg/s for 10 s (50,000 records,
 * after a 2 s warm-up of 10,000),
 * every record acknowledged, the achieved rate within ±2 % overall, then consume exactly those records
 * back, each with an end-to-end sample from its stamp.
 */
export async function produceAtRateThenConsume(kind: BrokerKind, baseTopic: string): Promise<void> {
  // "Within ±2 %" is a claim about a generator that had the CPU it needed. When an attempt misses it AND
  // the run itself reports it was generator-bound, or the broker could not take 5,000 msg/s (starved by
  // other work on this 2-core machine), that attempt says nothing about the rate limiter: try again, at most
  // 3 times, on a fresh topic. Every assertion below applies to the final attempt, whatever it reports.
  let produced;
  let topic = baseTopic;
  for (let attempt = 1; attempt <= 3; attempt++) {
    topic = attempt === 1 ? baseTopic : `${baseTopic}-retry${attempt}`;
    const producerConnection = localConnection(kind);
    try {
      // 2 s warm-up (connections, JIT) excluded, then the measured 10 s
      produced = await runProduce(producerConnection, produceOptions(topic, { warmupMs: 2000 }));
    } finally {
      await producerConnection.close();
    }
    const result = produced.result;
    const rateHeld = result.sent === 50_000 && Math.abs((result.sendRate ?? 0) - 5000) / 5000 <= 0.02;
    const starved = result.valid === false || result.sent < 50_000;
    if (rateHeld || !starved) break;
    console.error(
      `attempt ${attempt} on ${kind}: ${produced.result.invalidReason ?? `the broker took only ${produced.result.sent} of 50000 records`}; retrying`,
    );
  }
  const r = produced!.result;
  assert.equal(r.errors, 0, `errors: ${(r.errorMessages ?? []).join('; ')}`);
  assert.equal(r.warmup?.records, 10_000);
  assert.equal(r.sent, 50_000);
  assert.equal(r.acked, 50_000);
  assert.equal(r.latency.latency?.count, 50_000);
  assert.equal(r.latency.service?.count, 50_000);
  assert.equal(r.latency.send_delay?.count, 50_000);
  // the rate limiter's achieved rate (records handed to the client per second of schedule)
  assert.ok(
    Math.abs((r.sendRate ?? 0) - 5000) / 5000 <= 0.02,
    `achieved ${r.sendRate} msg/s, not within ±2 % of 5000 (acknowledged: ${r.throughput} msg/s over ${r.durationSeconds} s; generator ${JSON.stringify(r.generator)})`,
  );
  assert.ok(r.intervals.length >= 2, 'progress intervals recorded');
  assert.equal(
    r.intervals.reduce((n, i) => n + i.acked, 0),
    50_000,
    'interval counts add up to the total',
  );

  const consumerConnection = localConnection(kind);
  let consumed;
  try {
    consumed = await runConsume(consumerConnection, consumeOptions(topic, 60_000));
  } finally {
    await consumerConnection.close();
  }
  assert.equal(consumed.result.received, 60_000, 'warm-up and measured records, each exactly once');
  assert.equal(consumed.result.latency.e2e?.count, 60_000, 'every record carried its mqctl-ts stamp');
  assert.ok((consumed.result.latency.e2e?.min ?? -1) >= 0);
}

/**
 * `perf consume --threads 2` on one broker: 20,000 stamped records produced as fast as the broker takes them
 * (Kafka: a topic of 4 partitions, so both members of the group get some), then two consumer threads with
 * `--num-records 20000`: exactly 20,000 received between them, each timed from its stamp, and the result
 * document reads back as a valid mqctl perf result.
 */
export async function produceThenConsumeWithThreads(kind: BrokerKind, topic: string): Promise<void> {
  const producerConnection = localConnection(kind);
  let produced;
  try {
    produced = await runProduce(
      producerConnection,
      produceOptions(topic, {
        rate: 0,
        numRecords: 20_000,
        durationMs: Infinity,
        create: { partitions: kind === 'kafka' ? 4 : 1, replicationFactor: 1 },
      }),
    );
  } finally {
    await producerConnection.close();
  }
  assert.equal(produced.result.acked, 20_000, `errors: ${(produced.result.errorMessages ?? []).join('; ')}`);

  const ctx = localContext(kind);
  const connection = connect(ctx, { timeoutMs: 10_000 });
  const notes: string[] = [];
  let consumed;
  try {
    consumed = await runConsumeThreads(connection, ctx, 10_000, 2, consumeOptions(topic, 20_000), {
      onNote: (text) => notes.push(text),
    });
  } finally {
    await connection.close();
  }
  const r = consumed.result;
  assert.equal(
    r.received,
    20_000,
    `received exactly --num-records between the threads (${notes.join(' | ')})`,
  );
  assert.equal(r.latency.e2e?.count, 20_000, 'every record timed from its mqctl-ts stamp');
  assert.ok((r.latency.e2e?.min ?? -1) >= 0);
  assert.equal(r.settings.threads, 2);
  assert.equal(r.interrupted, undefined);
  assert.deepEqual(r.errorMessages, []);
  assert.equal(
    r.intervals.reduce((n, i) => n + (i.received ?? 0), 0),
    20_000,
    'interval counts add up to the total',
  );
  const perThread = notes.find((n) => n.startsWith('received per thread:'));
  assert.ok(perThread, `a per-thread note (${notes.join(' | ')})`);
  const counts = perThread.replace('received per thread:', '').split(',').map(Number);
  assert.equal(counts.length, 2);
  assert.equal(counts[0]! + counts[1]!, 20_000);
  if (kind === 'kafka')
    assert.ok(
      counts.every((n) => n > 0),
      `both group members got partitions: ${perThread}`,
    );

  const file = join(tempDir('mqctl-perf-'), 'consume.json');
  writeResultFile(file, r);
  const back = await readResultFile(file);
  assert.equal(back.received, 20_000);
  assert.equal(back.command, 'consume');
}
