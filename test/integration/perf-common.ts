import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
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
import { Kafka, logLevel } from '../../src/brokers/kafka/kafkajs';
import { PERF_STAMP_HEADER } from '../../src/brokers/contracts/perf';
import { LOCAL, uniqueName } from '../helpers/brokers';
import { readAllCommitted } from '../helpers/dlq-fixtures';
import { createKafkaTopics } from '../helpers/topics';
import type { ObserverReply, ObserverStart } from '../helpers/rate-observer-process';

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

/** One record as an observer outside mqctl's producer saw it: when (ms, see observeRecords) and its stamp. */
interface Observed {
  atMs: number;
  stamp: string;
}

/**
 * A reader of the records `runProduce` writes to `topic`, timed by something other than the code under test,
 * set up before the producer starts:
 * - Kafka: the topic is created with `message.timestamp.type=LogAppendTime`, so every record carries the
 *   broker's clock at append; read after the run.
 * - Pulsar: the topic is created here and gets a subscription of its own before the first record; the
 *   arrival time on this process' clock (Pulsar pushes records as they are stored).
 * - RabbitMQ: the producer publishes to a fanout exchange bound to the measured queue and to an observer
 *   queue; the observer's arrival times (pushed with prefetch, acknowledged as they come).
 * `collect` waits until `expected` records were seen and then 2 s more of silence, so duplicates would show.
 */
async function observeRecords(
  kind: BrokerKind,
  topic: string,
): Promise<{
  produceOverrides: Partial<ProduceOptions>;
  collect(expected: number): Promise<Observed[]>;
  cleanup(): Promise<void>;
}> {
  if (kind === 'kafka') {
    const kafka = new Kafka({ brokers: [LOCAL.kafka.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await createKafkaTopics(admin, [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
        },
      ]);
    } finally {
      await admin.disconnect();
    }
    return {
      produceOverrides: {},
      collect: async () =>
        (await readAllCommitted(kafka, topic)).map((m) => ({
          atMs: m.timestamp,
          stamp: m.headers[PERF_STAMP_HEADER] ?? '',
        })),
      cleanup: async () => undefined,
    };
  }
  let exchange: string | undefined;
  let observerTopic = topic;
  let group: string | undefined;
  if (kind === 'rabbitmq') {
    exchange = `${topic}.fan`;
    observerTopic = `${topic}-observer`;
    const api = `${LOCAL.rabbitmq.managementUrl}/api`;
    const put = async (path: string, body: unknown, method = 'PUT') => {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: RABBIT_AUTH, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok)
        throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
      await response.body?.cancel();
    };
    await put(`/exchanges/%2F/${encodeURIComponent(exchange)}`, { type: 'fanout', durable: true });
    for (const q of [topic, observerTopic]) {
      await put(`/queues/%2F/${encodeURIComponent(q)}`, {
        durable: true,
        arguments: { 'x-queue-type': 'classic' },
      });
      await put(`/bindings/%2F/e/${encodeURIComponent(exchange)}/q/${encodeURIComponent(q)}`, {}, 'POST');
    }
  } else {
    // the observer's subscription needs the topic: create it as runProduce would (one partition)
    const response = await fetch(
      `${LOCAL.pulsar.adminUrl}/admin/v2/persistent/public/default/${encodeURIComponent(topic)}`,
      { method: 'PUT' },
    );
    if (!response.ok) throw new Error(`creating ${topic}: HTTP ${response.status} ${await response.text()}`);
    await response.body?.cancel();
    group = uniqueName('rate-observer');
  }
  const observer = await startObserverProcess({ kind, topic: observerTopic, group });
  return {
    produceOverrides: exchange
      ? { rabbitmq: { exchange, confirm: 20_000, persistent: false, queueType: 'classic' } }
      : {},
    collect: (expected) => observer.collect(expected),
    cleanup: async () => {
      observer.kill();
      if (exchange) {
        const response = await fetch(
          `${LOCAL.rabbitmq.managementUrl}/api/exchanges/%2F/${encodeURIComponent(exchange)}`,
          { method: 'DELETE', headers: { authorization: RABBIT_AUTH } },
        );
        await response.body?.cancel();
      }
    },
  };
}

/**
 * Forks test/helpers/rate-observer-process (see there why a process of its own) and waits until it is
 * subscribed. `collect` resolves with what it saw; `kill` ends it if the test ends first.
 */
async function startObserverProcess(start: ObserverStart): Promise<{
  collect(expected: number): Promise<Observed[]>;
  kill(): void;
}> {
  const child = fork(join(__dirname, '..', 'helpers', 'rate-observer-process.js'), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (child.pid) setPriority(child.pid, 10);
  const next = (what: string, timeoutMs: number) =>
    new Promise<ObserverReply>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the observer process: no ${what} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      const done = (fn: () => void) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        fn();
      };
      const onMessage = (m: ObserverReply) =>
        done(() =>
          m.type === 'error' ? reject(new Error(`the observer process: ${m.message}`)) : resolve(m),
        );
      const onExit = (code: number | null) =>
        done(() => reject(new Error(`the observer process exited (${code}) before its ${what}`)));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  try {
    child.send(start);
    await next('subscription', 30_000);
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    collect: async (expected) => {
      const timeoutMs = 60_000;
      const reply = next('records', timeoutMs + 15_000);
      child.send({ type: 'collect', expected, timeoutMs });
      const seen = await reply;
      if (seen.type !== 'seen') throw new Error(`the observer process replied ${seen.type}`);
      return seen.atMs.map((atMs, i) => ({ atMs, stamp: seen.stamps[i]! }));
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

const RABBIT_AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

/**
 * The send delay p99 the rate check allows (the run is invalid above it). Users get 5 ms by default
 * (`--max-send-delay`); the check runs on a 2-vCPU machine shared with three brokers, where mqctl's producer
 * at 5,000 msg/s measured 4.3-5.4 ms p99 on RabbitMQ and 2.6-5.8 ms on Pulsar (2026-12-02, the observer in
 * its own process): stalls of the main thread of 4-9 ms (young-generation collections, amqplib's socket
 * writes) and the brokers taking the CPUs. A generator that falls behind its schedule runs away far past
 * 10 ms; the rate itself is the observer's to judge.
 */
const RATE_CHECK_MAX_SEND_DELAY_MS = 10;

/**
 * The acceptance check of the perf issue on one broker, in one attempt: produce at 5,000 msg/s for 10 s
 * (50,000 records, after a 2 s warm-up of 10,000), every record acknowledged, the run valid (send delay p99
 * within RATE_CHECK_MAX_SEND_DELAY_MS); the rate as an observer outside mqctl's producer saw it (broker append times on
 * Kafka, arrival times elsewhere: see observeRecords) within ±2 % over the 10 s and within ±5 % in each 2 s
 * window (a burst or a stall shows there); then consume until 5 s of silence (past the count, so a duplicate
 * would show): exactly those 60,000 records, each with an end-to-end sample from its stamp.
 * A machine too busy to hold the schedule fails the run's own validity check, and the assertion says so.
 */
export async function produceAtRateThenConsume(kind: BrokerKind, topic: string): Promise<void> {
  const observer = await observeRecords(kind, topic);
  try {
    const producerConnection = localConnection(kind);
    let produced;
    try {
      // 2 s warm-up (connections, JIT) excluded, then the measured 10 s
      // Kafka at a fixed rate runs kafkajs on its own thread, as `perf produce` does by default (--client-thread)
      produced = await runProduce(
        producerConnection,
        produceOptions(topic, {
          warmupMs: 2000,
          maxSendDelayMs: RATE_CHECK_MAX_SEND_DELAY_MS,
          clientThread: kind === 'kafka',
          ...observer.produceOverrides,
        }),
      );
    } finally {
      await producerConnection.close();
    }
    const r = produced.result;
    assert.equal(r.errors, 0, `errors: ${(r.errorMessages ?? []).join('; ')}`);
    assert.equal(
      r.valid,
      true,
      `the run is not valid, so nothing about the rate can be concluded (the machine could not hold the schedule?): ${r.invalidReason}`,
    );
    assert.ok(
      (r.latency.sendDelay?.p99 ?? Infinity) <= RATE_CHECK_MAX_SEND_DELAY_MS,
      `send delay p99 ${r.latency.sendDelay?.p99} ms over the ${RATE_CHECK_MAX_SEND_DELAY_MS} ms allowed`,
    );
    assert.equal(r.warmup?.records, 10_000);
    assert.equal(r.sent, 50_000);
    assert.equal(r.acked, 50_000);
    assert.equal(r.latency.latency?.count, 50_000);
    assert.equal(r.latency.service?.count, 50_000);
    assert.equal(r.latency.sendDelay?.count, 50_000);
    assert.equal(
      r.intervals.reduce((n, i) => n + i.acked, 0),
      50_000,
      'interval counts add up to the total',
    );

    // The rate as the observer saw it: every record once, the last 50,000 (after the warm-up) spread evenly.
    const seen = await observer.collect(60_000);
    assert.equal(seen.length, 60_000, 'the observer saw each warm-up and measured record');
    assert.equal(new Set(seen.map((o) => o.stamp)).size, 60_000, 'with 60,000 distinct mqctl-ts stamps');
    const measured = seen
      .map((o) => o.atMs)
      .sort((x, y) => x - y)
      .slice(10_000);
    const spanS = (measured.at(-1)! - measured[0]!) / 1000;
    const rate = (measured.length - 1) / spanS;
    assert.ok(
      Math.abs(rate - 5000) / 5000 <= 0.02,
      `observed ${rate.toFixed(1)} msg/s over ${spanS.toFixed(3)} s, not within ±2 % of 5000`,
    );
    const windows = [0, 0, 0, 0, 0];
    for (const at of measured) {
      const w = Math.floor((at - measured[0]!) / 2000);
      if (w < windows.length) windows[w]!++;
    }
    for (const [i, n] of windows.entries())
      assert.ok(
        Math.abs(n - 10_000) / 10_000 <= 0.05,
        `${n} records in ${2 * i}-${2 * i + 2} s, not within ±5 % of 10,000 (windows: ${windows.join(', ')})`,
      );

    const consumerConnection = localConnection(kind);
    let consumed;
    try {
      consumed = await runConsume(consumerConnection, {
        ...consumeOptions(topic, Infinity),
        durationMs: 120_000,
        idleTimeoutMs: 5_000,
      });
    } finally {
      await consumerConnection.close();
    }
    assert.equal(consumed.result.received, 60_000, 'warm-up and measured records, each exactly once');
    assert.equal(consumed.result.latency.e2e?.count, 60_000, 'every record carried its mqctl-ts stamp');
    assert.ok((consumed.result.latency.e2e?.min ?? -1) >= 0);
  } finally {
    await observer.cleanup();
  }
}

/**
 * `perf consume --threads 2` on one broker: 20,000 stamped records produced as fast as the broker takes them
 * (Kafka: a topic of 4 partitions, so both members of the group get some), then two consumer threads until
 * 5 s of silence (no record count to stop at, so a duplicate would be counted): exactly 20,000 received
 * between them, each timed from its stamp, and the result document reads back as a valid mqctl perf result.
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
    consumed = await runConsumeThreads(
      connection,
      ctx,
      10_000,
      2,
      { ...consumeOptions(topic, Infinity), durationMs: 120_000, idleTimeoutMs: 5_000 },
      {
        onNote: (text) => notes.push(text),
      },
    );
  } finally {
    await connection.close();
  }
  const r = consumed.result;
  assert.equal(
    r.received,
    20_000,
    `received exactly the 20,000 produced between the threads (${notes.join(' | ')})`,
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
