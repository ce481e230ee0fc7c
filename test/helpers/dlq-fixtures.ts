import { request } from 'undici';
import { PulsarWebSocketClient } from '../../src/brokers/pulsar/websocket';
import { MessageIdDataType, toNumber, type MessageIdData } from '../../src/brokers/pulsar/binary/proto';
import { pulsarTopicPath } from './pulsar-admin';
import type { Admin, Consumer, Kafka, Message } from 'kafkajs';
import { uniqueName } from './brokers';
import { deleteKafkaGroups, highWatermarks } from './leftovers';
import { createKafkaTopics } from './topics';
import { waitFor } from './wait';
import { recordChild } from './cli';

/** Headers exactly as Spring Kafka's DeadLetterPublishingRecoverer writes them (binary ints for numbers). */
export function springDltHeaders(o: {
  topic: string;
  partition: number;
  offset: number;
  timestamp?: number;
  group?: string;
  exceptionClass: string;
  exceptionMessage: string;
}): Record<string, Buffer> {
  const partition = Buffer.alloc(4);
  partition.writeInt32BE(o.partition);
  const offset = Buffer.alloc(8);
  offset.writeBigInt64BE(BigInt(o.offset));
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigInt64BE(BigInt(o.timestamp ?? Date.now()));
  const headers: Record<string, Buffer> = {
    'kafka_dlt-original-topic': Buffer.from(o.topic),
    'kafka_dlt-original-partition': partition,
    'kafka_dlt-original-offset': offset,
    'kafka_dlt-original-timestamp': timestamp,
    'kafka_dlt-original-timestamp-type': Buffer.from('CreateTime'),
    'kafka_dlt-exception-fqcn': Buffer.from(o.exceptionClass),
    'kafka_dlt-exception-message': Buffer.from(o.exceptionMessage),
    'kafka_dlt-exception-stacktrace': Buffer.from(
      `${o.exceptionClass}: ${o.exceptionMessage}\n\tat com.example.Listener.onMessage(Listener.java:42)`,
    ),
  };
  if (o.group) headers['kafka_dlt-original-consumer-group'] = Buffer.from(o.group);
  return headers;
}

/** Java's BigInteger.valueOf(n).toByteArray(): minimal big-endian two's complement. */
export function javaBigIntegerBytes(n: bigint): Buffer {
  const bytes: number[] = [];
  let v = n;
  for (;;) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
    const sign = bytes[0]! & 0x80;
    if ((v === 0n && !sign) || (v === -1n && sign)) break;
  }
  return Buffer.from(bytes);
}

/**
 * Headers as Spring Kafka's non-blocking retry (@RetryableTopic) writes them on a retry-topic or -dlt record, after
 * `attempts - 1` hops (main topic → retry-0 → … ; `attempts` is the last retry_topic-attempts value). Sources
 * (spring-projects/spring-kafka): RetryTopicPublishingRecoverer.getHeaderNames names the headers with KafkaHeaders
 * ORIGINAL_TOPIC/PARTITION/OFFSET/TIMESTAMP/TIMESTAMP_TYPE/CONSUMER_GROUP ("kafka_original-topic", "-partition",
 * "-offset", "-timestamp", "-timestamp-type", "-consumer-group") and EXCEPTION_FQCN/CAUSE_FQCN/MESSAGE/STACKTRACE
 * ("kafka_exception-fqcn", "-cause-fqcn", "-message", "-stacktrace"; the -dlt-prefixed KafkaHeaders.DLT_* names,
 * such as "kafka_dlt-exception-stacktrace", are the plain DeadLetterPublishingRecoverer's: springDltHeaders).
 * DeadLetterPublishingRecoverer.maybeAddOriginalHeaders writes partition as a 4-byte int, offset and timestamp as
 * 8-byte longs, the timestamp type as its name ("CreateTime") and the group (from ListenerExecutionFailedException)
 * as UTF-8; DeadLetterPublishingRecovererFactory.create sets appendOriginalHeaders(false), so they are written once,
 * at the first hop. The exception headers are replaced at each hop (stripPreviousExceptionHeaders, true by
 * default); the stack trace is Throwable.printStackTrace of the ListenerExecutionFailedException, and
 * kafka_exception-cause-fqcn its root cause. DeadLetterPublishingRecovererFactory.addHeaders appends
 * retry_topic-original-timestamp (the first hop's BigInteger.toByteArray() of the record's timestamp, copied on),
 * retry_topic-attempts (4-byte int: 2 at the first hop, +1 each) and retry_topic-backoff-timestamp
 * (BigInteger.toByteArray() of the due time) at every hop: retainAllRetryHeaderValues is true by default (2.9.6+),
 * so each of the three holds one value per hop, the last one current.
 */
export function springRetryHeaders(o: {
  topic: string;
  partition: number;
  offset: number;
  attempts: number;
  backoffTimestamp: number;
  originalTimestamp: number;
  group?: string;
  exceptionClass: string;
  causeClass?: string;
  exceptionMessage: string;
}): Record<string, Buffer | Buffer[]> {
  const partition = Buffer.alloc(4);
  partition.writeInt32BE(o.partition);
  const offset = Buffer.alloc(8);
  offset.writeBigInt64BE(BigInt(o.offset));
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigInt64BE(BigInt(o.originalTimestamp));
  // One value per hop: attempts 2, 3, …, o.attempts; the due times a minute apart, the last one o.backoffTimestamp.
  const hops = Math.max(1, o.attempts - 1);
  const attempts = Array.from({ length: hops }, (_, i) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(o.attempts - hops + 1 + i);
    return b;
  });
  const backoffs = Array.from({ length: hops }, (_, i) =>
    javaBigIntegerBytes(BigInt(o.backoffTimestamp - (hops - 1 - i) * 60_000)),
  );
  const stacktrace =
    `${o.exceptionClass}: ${o.exceptionMessage}\n` +
    '\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.decorateException(KafkaMessageListenerContainer.java:2867)\n' +
    (o.causeClass
      ? `Caused by: ${o.causeClass}: ${o.exceptionMessage}\n\tat com.example.Listener.onMessage(Listener.java:42)\n\t... 14 more\n`
      : '');
  const headers: Record<string, Buffer | Buffer[]> = {
    'kafka_original-topic': Buffer.from(o.topic),
    'kafka_original-partition': partition,
    'kafka_original-offset': offset,
    'kafka_original-timestamp': timestamp,
    'kafka_original-timestamp-type': Buffer.from('CreateTime'),
    'kafka_exception-fqcn': Buffer.from(o.exceptionClass),
    'kafka_exception-message': Buffer.from(o.exceptionMessage),
    'kafka_exception-stacktrace': Buffer.from(stacktrace),
    'retry_topic-original-timestamp': attempts.map(() => javaBigIntegerBytes(BigInt(o.originalTimestamp))),
    'retry_topic-attempts': attempts,
    'retry_topic-backoff-timestamp': backoffs,
  };
  if (o.group) headers['kafka_original-consumer-group'] = Buffer.from(o.group);
  if (o.causeClass) headers['kafka_exception-cause-fqcn'] = Buffer.from(o.causeClass);
  return headers;
}

/** Headers exactly as Kafka Connect's DeadLetterQueueReporter writes them (all UTF-8 strings). */
export function connectDlqHeaders(o: {
  topic: string;
  partition: number;
  offset: number;
  exceptionClass: string;
  exceptionMessage: string;
}): Record<string, string> {
  return {
    '__connect.errors.topic': o.topic,
    '__connect.errors.partition': String(o.partition),
    '__connect.errors.offset': String(o.offset),
    '__connect.errors.connector.name': 'jdbc-sink',
    '__connect.errors.task.id': '0',
    '__connect.errors.stage': 'VALUE_CONVERTER',
    '__connect.errors.class.name': 'org.apache.kafka.connect.json.JsonConverter',
    '__connect.errors.exception.class.name': o.exceptionClass,
    '__connect.errors.exception.message': o.exceptionMessage,
    '__connect.errors.exception.stacktrace': `${o.exceptionClass}: ${o.exceptionMessage}`,
  };
}

/** Creates topics and waits until they have leaders. */
export async function createTopics(
  kafka: Kafka,
  topics: Array<{ topic: string; partitions: number; configs?: Record<string, string> }>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createKafkaTopics(
      admin,
      topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: 1,
        configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics, and first the consumer groups holding offsets on them (see deleteKafkaGroups). */
/**
 * Waits until a read_committed reader sees `offset` as the end of partition 0 of `topic`. A transaction's
 * commit or abort returns once the coordinator has logged it; the marker reaches the partition a moment
 * later (the coordinator writes it asynchronously), and until then the last stable offset stays at the
 * transaction's first record.
 */
export async function awaitStableEnd(kafka: Kafka, topic: string, offset: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let seen = '?';
    await waitFor(
      () => `the last stable offset of ${topic} reached ${offset} (it is ${seen})`,
      async () => {
        const [p] = await admin.fetchTopicOffsets(topic);
        seen = p?.high ?? '?';
        return seen === String(offset);
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  await deleteKafkaGroups(topics);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces in batches of 1000 (acks=all) with an idempotent producer. kafkajs retries a produce request as a
 * whole when one partition in it fails (a just-created partition its leader does not host yet): a plain
 * producer writes the partitions that had succeeded a second time, an idempotent one is deduplicated by the
 * broker. No resend here: a resend is a new write, which idempotence cannot recognise.
 */
export async function produceAll(kafka: Kafka, topic: string, messages: Message[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000)
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
  } finally {
    await producer.disconnect();
  }
}

/**
 * The end offsets of a topic once no transaction is pending on it. A transaction's commit returns before the
 * broker has written its commit markers: until then the last stable offset (what a read_committed reader, and
 * kafkajs' admin, see as the end) stays below the high watermark. Waits (bounded) until the two meet.
 */
async function settledEnd(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  timeoutMs: number,
): Promise<Map<number, bigint>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stable = await admin.fetchTopicOffsets(topic);
    const hw = await highWatermarks(kafka, topic);
    if (stable.every((o) => BigInt(o.high) >= (hw.get(o.partition) ?? 0n)))
      return new Map(stable.map((o) => [o.partition, BigInt(o.high)]));
    if (Date.now() > deadline)
      throw new Error(
        `${topic}: a transaction still open after ${timeoutMs / 1000} s (last stable offset below the high watermark)`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Reads every message of a topic as a read_committed consumer, each partition to the end offset it had when
 * the read began, in a consumer group of its own (deleted afterwards; nothing is committed). A partition is
 * done when kafkajs reports a batch reaching its end: END_BATCH_PROCESS also fires for a batch of transaction
 * markers only, which eachBatch never sees, so the markers at the end of a transactional log end the read
 * without waiting for silence.
 */
export async function readAllCommitted(
  kafka: Kafka,
  topic: string,
  timeoutMs = 60_000,
): Promise<
  Array<{
    partition: number;
    offset: string;
    timestamp: number;
    key: string | undefined;
    value: string;
    headers: Record<string, string>;
  }>
> {
  const admin = kafka.admin();
  await admin.connect();
  const out: Array<{
    partition: number;
    offset: string;
    timestamp: number;
    key: string | undefined;
    value: string;
    headers: Record<string, string>;
  }> = [];
  const groupId = uniqueName('read-all');
  let consumer: Consumer | undefined;
  try {
    const end = await settledEnd(kafka, admin, topic, timeoutMs);
    const done = new Set<number>([...end].filter(([, h]) => h === 0n).map(([p]) => p));
    const seen = new Set<string>();
    if (done.size === end.size) return out;
    consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 250 });
    const c = consumer;
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const left = [...end.keys()].filter((p) => !done.has(p));
        reject(
          new Error(
            `read ${topic}: partitions ${left.join(', ')} not read to their end within ${timeoutMs / 1000} s, ${out.length} read`,
          ),
        );
      }, timeoutMs);
      c.on(c.events.CRASH, (e) => {
        clearTimeout(timer);
        reject(e.payload.error);
      });
      c.on(c.events.END_BATCH_PROCESS, (e) => {
        if (BigInt(e.payload.lastOffset) + 1n >= (end.get(e.payload.partition) ?? 0n))
          done.add(e.payload.partition);
        if (done.size === end.size) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            // A rebalance of this reader (nothing is committed) delivers records again: a record is one
            // partition and offset, counted once; copies written twice have different offsets.
            const at = `${batch.partition}:${m.offset}`;
            if (seen.has(at)) continue;
            seen.add(at);
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(m.headers ?? {}))
              headers[k] = String(Array.isArray(v) ? v[v.length - 1] : v);
            out.push({
              partition: batch.partition,
              offset: m.offset,
              timestamp: Number(m.timestamp),
              key: m.key?.toString(),
              value: m.value?.toString() ?? '',
              headers,
            });
          }
        },
      }).catch((error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      });
    });
    return out;
  } finally {
    await consumer?.disconnect();
    if (consumer) await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * A RabbitMQ source queue whose dead letters go through a real fanout dead-letter exchange into a DLQ.
 * Messages are dead-lettered by the broker itself: `reject` ones by nack(requeue=false), `expire` ones by
 * per-message TTL.
 */
export async function rabbitDeadLetters(
  url: string,
  names: { source: string; dlx: string; dlq: string },
  messages: Array<{
    body: string;
    headers?: Record<string, unknown>;
    routingKey?: string;
    how: 'reject' | 'expire';
  }>,
  sourceArgs: Record<string, unknown> = {},
): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const amqp = require('amqplib') as typeof import('amqplib');
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange(names.dlx, 'fanout', { durable: true });
    await ch.assertQueue(names.dlq, { durable: true });
    await ch.bindQueue(names.dlq, names.dlx, '');
    await ch.assertQueue(names.source, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': names.dlx, ...sourceArgs },
    });
    for (const m of messages) {
      ch.sendToQueue(names.source, Buffer.from(m.body), {
        headers: m.headers,
        persistent: true,
        contentType: 'application/json',
        expiration: m.how === 'expire' ? '1' : undefined,
      });
    }
    await ch.waitForConfirms();
    // Reject the ones meant to be rejected; the expiring ones die of TTL once they reach the head.
    const toReject = messages.filter((m) => m.how === 'reject').length;
    let rejected = 0;
    const deadline = Date.now() + 30_000;
    while (rejected < toReject && Date.now() < deadline) {
      const got = await ch.get(names.source, { noAck: false });
      if (!got) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      ch.nack(got, false, false);
      rejected++;
    }
    // Wait until every message reached the DLQ.
    while (Date.now() < deadline) {
      const ok = await ch.checkQueue(names.dlq);
      if (ok.messageCount >= messages.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await ch.close();
  } finally {
    await conn.close();
  }
}

export async function rabbitCleanup(url: string, queues: string[], exchanges: string[]): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const amqp = require('amqplib') as typeof import('amqplib');
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
  for (const e of exchanges) await ch.deleteExchange(e).catch(() => undefined);
  await conn.close().catch(() => undefined);
}

/** Takes every message of a queue (acking), in order. */
export async function rabbitDrain(
  url: string,
  queue: string,
): Promise<
  Array<{ body: string; headers: Record<string, unknown>; messageId?: string; redelivered: boolean }>
> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const amqp = require('amqplib') as typeof import('amqplib');
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  const out: Array<{
    body: string;
    headers: Record<string, unknown>;
    messageId?: string;
    redelivered: boolean;
  }> = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (!m) break;
    out.push({
      body: m.content.toString(),
      headers: (m.properties.headers ?? {}) as Record<string, unknown>,
      messageId: m.properties.messageId as string | undefined,
      redelivered: m.fields.redelivered,
    });
  }
  await conn.close();
  return out;
}

/**
 * Real Pulsar dead letters: a Shared consumer with a dead-letter policy (maxRedeliverCount 1) negatively
 * acknowledges every message, and the client moves each to `<topic>-<subscription>-DLQ` itself. The DLQ topic
 * is created first with `dlqSubscription`, as a dead-letter policy's initialSubscriptionName would.
 */
export async function pulsarDeadLetters(
  adminUrl: string,
  topic: string,
  subscription: string,
  dlqSubscription: string,
  messages: Array<{ payload: string; key?: string; properties?: Record<string, string> }>,
): Promise<string> {
  const dlq = `${topic}-${subscription}-DLQ`;
  const base = `${adminUrl}/admin/v2/persistent/public/default`;
  await (await request(`${base}/${dlq}`, { method: 'PUT' })).body.text();
  await (
    await request(`${base}/${dlq}/subscription/${dlqSubscription}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ledgerId: -1, entryId: -1, partitionIndex: -1 }),
    })
  ).body.text();
  const ws = new PulsarWebSocketClient({ adminUrl, timeoutMs: 10_000 });
  const consumer = await ws.consumer(topic, subscription, {
    subscriptionType: 'Shared',
    maxRedeliverCount: 1,
    negativeAckRedeliveryDelay: 100,
    deadLetterTopic: `persistent://public/default/${dlq}`,
  });
  const producer = await ws.producer(topic);
  for (const m of messages)
    await producer.send({ payload: Buffer.from(m.payload), key: m.key, properties: m.properties });
  await producer.close();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = await consumer.receive(300);
    if (m) consumer.nack(m.messageId);
    const stats = (await (await request(`${base}/${dlq}/stats`)).body.json()) as {
      subscriptions: Record<string, { msgBacklog: number }>;
    };
    if ((stats.subscriptions[dlqSubscription]?.msgBacklog ?? 0) >= messages.length) break;
    if (Date.now() > deadline) throw new Error(`dead letters did not reach ${dlq}`);
  }
  await consumer.close();
  return dlq;
}

/**
 * Every message of a (non-partitioned) Pulsar topic from the earliest, via a reader, up to the topic's last
 * message id as the broker reports it when the read begins: done on the last message itself, not on silence.
 */
export async function pulsarReadAll(
  adminUrl: string,
  topic: string,
  timeoutMs = 30_000,
): Promise<Array<{ payload: string; key?: string; properties: Record<string, string> }>> {
  const path = pulsarTopicPath(topic);
  const last = (await (await request(`${adminUrl}/admin/v2/${path}/lastMessageId`)).body.json()) as {
    ledgerId: number;
    entryId: number;
    batchIndex?: number;
  };
  const out: Array<{ payload: string; key?: string; properties: Record<string, string> }> = [];
  if (last.entryId < 0) return out;
  const ws = new PulsarWebSocketClient({ adminUrl, timeoutMs: 10_000 });
  const reader = await ws.reader(topic, { messageId: 'earliest', receiverQueueSize: 1000 });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await reader.receive(Math.max(1, deadline - Date.now()));
      if (!m)
        throw new Error(
          `read ${topic}: ${out.length} read, message ${last.ledgerId}:${last.entryId} not reached within ${timeoutMs / 1000} s`,
        );
      reader.ack(m.messageId);
      out.push({ payload: m.payload.toString(), key: m.key, properties: m.properties });
      const id = MessageIdDataType.decode(Buffer.from(m.messageId, 'base64')) as unknown as MessageIdData & {
        batchSize?: number;
      };
      const ledger = toNumber(id.ledgerId);
      const entry = toNumber(id.entryId);
      const reached = ledger > last.ledgerId || (ledger === last.ledgerId && entry >= last.entryId);
      // Within a batch entry, the last message is the one with the last batch index.
      const batchDone =
        id.batchSize === undefined || id.batchIndex === undefined || id.batchIndex >= id.batchSize - 1;
      if (reached && batchDone) break;
    }
  } finally {
    await reader.close();
  }
  return out;
}

/** Starts bin/run.js and SIGKILLs it after `killAfterMs`; resolves with whether the kill landed. */
export function runAndKill(
  bin: string,
  args: string[],
  env: Record<string, string>,
  killAfterMs: number,
  /**
   * When given, the kill clock starts only once this says the run has made progress (polled every 100 ms),
   * so every kill lands mid-replay rather than during process start-up.
   */
  startedWhen?: () => Promise<boolean>,
): Promise<{ killed: boolean; code: number | null }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve, reject) => {
    // streams piped (and recorded) for the suite's secret grep, not shown
    const child = recordChild(
      spawn(process.execPath, [bin, ...args], {
        env: { ...process.env, ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let killed = false;
    let exited = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(() => {
        killed = child.kill('SIGKILL');
      }, killAfterMs);
    };
    if (startedWhen) {
      const poll = async () => {
        if (exited) return;
        if (await startedWhen().catch(() => false)) arm();
        else setTimeout(() => void poll(), 100);
      };
      void poll();
    } else arm();
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      exited = true;
      if (timer) clearTimeout(timer);
      resolve({ killed: killed && signal === 'SIGKILL', code });
    });
  });
}

/**
 * Runs bin/run.js with MQCTL_TEST_PAUSE_AT=`step` (src/core/test-pause.ts) and resolves once the process froze
 * there (its `mqctl-test-paused <step>` line on stderr). `kill()` SIGKILLs it and resolves at its exit. A run that
 * ends without reaching the step, or does not reach it within `deadlineMs`, rejects (with its stderr): a kill
 * test that never killed must fail, not pass.
 */
export function runUntilPaused(
  bin: string,
  args: string[],
  env: Record<string, string>,
  step: string,
  deadlineMs = 180_000,
): Promise<{ kill: () => Promise<void>; stderr: () => string; detail: Record<string, number> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = recordChild(
      spawn(process.execPath, [bin, ...args], {
        env: { ...process.env, ...env, NO_COLOR: '1', MQCTL_TEST_PAUSE_AT: step },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let stderr = '';
    let paused = false;
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${step}: not reached within ${deadlineMs} ms\n${stderr}`));
    }, deadlineMs);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const line = new RegExp(`mqctl-test-paused ${step.replace(/@\d+$/, '')} \\d+ (\\{.*\\})\\n`).exec(
        stderr,
      );
      if (!paused && line) {
        paused = true;
        clearTimeout(guard);
        resolve({
          detail: JSON.parse(line[1]!) as Record<string, number>,
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
          },
          stderr: () => stderr,
        });
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (!paused) reject(new Error(`${step}: the run ended (exit ${code}, ${signal}) before it\n${stderr}`));
    });
  });
}

/**
 * A Pulsar retry chain built the way the Java client's retry-enabled consumer builds it (ConsumerImpl
 * doReconsumeLater/getPropertiesMap, RetryMessageUtil; apache/pulsar master): `reconsumeLater(msg, delay)` sends
 * the message to `<topic>-<subscription>-RETRY` with its properties plus REAL_TOPIC (the original topic),
 * ORIGIN_MESSAGE_ID and ORIGIN_MESSAGE_IDY_TIME (the original id, `ledger:entry:partition`), RECONSUMETIMES (1,
 * then +1 each time) and DELAY_TIME (the delay in ms), with deliverAfter(delay) when the delay is positive, and
 * acks the original; once RECONSUMETIMES would exceed maxRedeliverCount it sends that property map to
 * `<topic>-<subscription>-DLQ` instead. The consumer reads the retry topic with its own subscription name.
 *
 * `plan[i]` is the delays message i gets, one reconsumeLater per entry; a plan longer than maxRedeliverCount
 * ends in the DLQ. Returns the topic names and, per message, when its last retry was sent (ms).
 */
export async function pulsarRetryChain(
  adminUrl: string,
  topic: string,
  subscription: string,
  maxRedeliverCount: number,
  plan: number[][],
): Promise<{ retry: string; dlq: string; sentAt: Array<{ before: number; after: number }> }> {
  const base = `${adminUrl}/admin/v2/persistent/public/default`;
  const full = `persistent://public/default/${topic}`;
  const retry = `${topic}-${subscription}-RETRY`;
  const dlq = `${topic}-${subscription}-DLQ`;
  const put = async (path: string, body?: object) =>
    (
      await request(`${base}/${path}`, {
        method: 'PUT',
        ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      })
    ).body.text();
  for (const t of [topic, retry, dlq]) await put(t);
  const earliest = { ledgerId: -1, entryId: -1, partitionIndex: -1 };
  await put(`${topic}/subscription/${subscription}`, earliest);
  await put(`${retry}/subscription/${subscription}`, earliest);
  // The dead-letter policy's initialSubscriptionName: the DLQ keeps its messages for that subscription.
  await put(`${dlq}/subscription/dlq-audit`, earliest);
  const ws = new PulsarWebSocketClient({ adminUrl, timeoutMs: 10_000 });
  const input = await ws.producer(topic);
  for (let i = 0; i < plan.length; i++)
    await input.send({
      payload: Buffer.from(JSON.stringify({ i })),
      key: `k${i}`,
      properties: { n: String(i) },
    });
  await input.close();
  const retryProducer = await ws.producer(retry);
  const dlqProducer = await ws.producer(dlq);
  const sentAt: Array<{ before: number; after: number }> = plan.map(() => ({ before: 0, after: 0 }));
  const idOf = (wsId: string) => {
    const d = MessageIdDataType.decode(Buffer.from(wsId, 'base64')) as unknown as {
      ledgerId: unknown;
      entryId: unknown;
    };
    return `${String(d.ledgerId)}:${String(d.entryId)}:-1`;
  };
  const reconsumeLater = async (
    m: { messageId: string; payload: Buffer; key?: string; properties: Record<string, string> },
    delayMs: number,
  ) => {
    const i = (JSON.parse(m.payload.toString()) as { i: number }).i;
    const properties: Record<string, string> = { ...m.properties };
    properties.REAL_TOPIC ??= full;
    properties.ORIGIN_MESSAGE_IDY_TIME ??= idOf(m.messageId);
    properties.ORIGIN_MESSAGE_ID ??= idOf(m.messageId);
    const times = m.properties.RECONSUMETIMES ? Number(m.properties.RECONSUMETIMES) + 1 : 1;
    properties.RECONSUMETIMES = String(times);
    properties.DELAY_TIME = String(Math.max(0, delayMs));
    const before = Date.now();
    if (times > maxRedeliverCount) await dlqProducer.send({ payload: m.payload, key: m.key, properties });
    else
      await retryProducer.send({
        payload: m.payload,
        key: m.key,
        properties,
        ...(delayMs > 0 ? { deliverAfterMs: delayMs } : {}),
      });
    sentAt[i] = { before, after: Date.now() };
  };
  // The retry-enabled consumer: the topic and its retry topic, one subscription name.
  for (const [source, expected] of [
    [topic, plan.length],
    [retry, plan.reduce((n, p) => n + p.filter((d, k) => k < p.length - 1 && d === 0).length, 0)],
  ] as const) {
    if (expected === 0) continue;
    const consumer = await ws.consumer(source, subscription, {
      subscriptionType: 'Shared',
      receiverQueueSize: 100,
    });
    const deadline = Date.now() + 60_000;
    let handled = 0;
    while (handled < expected) {
      if (Date.now() > deadline)
        throw new Error(`retry chain: ${handled} of ${expected} handled on ${source}`);
      const m = await consumer.receive(1000);
      if (!m) continue;
      const i = (JSON.parse(m.payload.toString()) as { i: number }).i;
      const round = m.properties.RECONSUMETIMES ? Number(m.properties.RECONSUMETIMES) : 0;
      await reconsumeLater(m, plan[i]![round]!);
      consumer.ack(m.messageId);
      handled++;
    }
    await consumer.close();
  }
  await retryProducer.close();
  await dlqProducer.close();
  return { retry, dlq, sentAt };
}

/** Throwable.printStackTrace of a listener's SocketTimeoutException as a Spring AMQP listener container wraps it. */
export const SPRING_AMQP_LISTENER_FAILURE = [
  "org.springframework.amqp.rabbit.support.ListenerExecutionFailedException: Listener method 'public void com.example.OrderListener.handle(java.lang.String)' threw exception",
  '\tat org.springframework.amqp.rabbit.listener.adapter.MessagingMessageListenerAdapter.invokeHandler(MessagingMessageListenerAdapter.java:280)',
  '\tat org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer.doInvokeListener(AbstractMessageListenerContainer.java:1662)',
  'Caused by: java.net.SocketTimeoutException: Read timed out',
  '\tat com.example.OrderListener.handle(OrderListener.java:42)',
  '\t... 24 more',
  '',
].join('\n');

/**
 * A RabbitMQ retry chain of TTL queues, built the way applications build exponential back-off without a plugin:
 * the work queue's dead-letter exchange (direct, no dead-letter routing key: the message keeps its routing key)
 * routes rejected messages by key to a retry queue with a message TTL, whose own dead-letter exchange is the work
 * exchange, so the broker puts each expired message back in the work queue (x-death counts both hops per queue).
 * The "application" rejects (basic.nack, requeue false) a `fast` message until the x-death count of the work
 * queue is `maxAttempts - 1`, then republishes it to the DLQ (a parking-lot queue) the way Spring AMQP's
 * RepublishMessageRecoverer does, and acks it; it rejects each `slow` message once (it waits in the slow retry
 * queue). Returns when every message is in the DLQ or the slow stage, with the instants around the slow
 * rejections.
 *
 * RepublishMessageRecoverer.recover (spring-projects/spring-amqp,
 * spring-rabbit/src/main/java/org/springframework/amqp/rabbit/retry/RepublishMessageRecoverer.java) keeps the
 * message's properties and headers (x-death included) and adds exactly four headers: `x-exception-stacktrace`
 * (Throwable.printStackTrace of what it was handed: in a listener container, Spring's
 * ListenerExecutionFailedException with the listener's exception as its cause), `x-exception-message` (the
 * cause's message when there is a cause, else the exception's), `x-original-exchange` and `x-original-routingKey`
 * (the received exchange and routing key). It writes no class header. Here it is constructed with the default
 * exchange and the DLQ's name as the error routing key.
 */
export async function rabbitRetryChain(
  url: string,
  names: {
    work: string;
    workExchange: string;
    retryExchange: string;
    fast: string;
    slow: string;
    dlq: string;
  },
  o: { fastTtlMs: number; slowTtlMs: number; maxAttempts: number; fast: number; slow: number },
): Promise<{ slowRejected: { before: number; after: number } }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const amqp = require('amqplib') as typeof import('amqplib');
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange(names.workExchange, 'direct', { durable: true });
    await ch.assertExchange(names.retryExchange, 'direct', { durable: true });
    await ch.assertQueue(names.work, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': names.retryExchange },
    });
    for (const key of ['fast', 'slow']) await ch.bindQueue(names.work, names.workExchange, key);
    for (const [queue, ttl, key] of [
      [names.fast, o.fastTtlMs, 'fast'],
      [names.slow, o.slowTtlMs, 'slow'],
    ] as const) {
      await ch.assertQueue(queue, {
        durable: true,
        arguments: { 'x-message-ttl': ttl, 'x-dead-letter-exchange': names.workExchange },
      });
      await ch.bindQueue(queue, names.retryExchange, key);
    }
    await ch.assertQueue(names.dlq, { durable: true });
    for (let i = 0; i < o.fast + o.slow; i++)
      ch.publish(names.workExchange, i < o.fast ? 'fast' : 'slow', Buffer.from(JSON.stringify({ i })), {
        persistent: true,
        messageId: `m${i}`,
      });
    await ch.waitForConfirms();
    const slowRejected = { before: 0, after: 0 };
    const deadline = Date.now() + 60_000;
    for (;;) {
      const parked = (await ch.checkQueue(names.dlq)).messageCount;
      const waiting = (await ch.checkQueue(names.slow)).messageCount;
      if (parked >= o.fast && waiting >= o.slow) break;
      if (Date.now() > deadline)
        throw new Error(`retry chain: ${parked} parked, ${waiting} waiting after 60 s`);
      const m = await ch.get(names.work, { noAck: false });
      if (!m) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const deaths = (m.properties.headers?.['x-death'] ?? []) as Array<{ queue: string; count: number }>;
      const attempts = deaths.filter((d) => d.queue === names.work).reduce((n, d) => n + Number(d.count), 0);
      if (m.fields.routingKey === 'slow') {
        slowRejected.before ||= Date.now();
        ch.nack(m, false, false);
        slowRejected.after = Date.now();
      } else if (attempts < o.maxAttempts - 1) ch.nack(m, false, false);
      else {
        ch.publish('', names.dlq, m.content, {
          ...m.properties,
          headers: {
            ...m.properties.headers,
            'x-exception-stacktrace': SPRING_AMQP_LISTENER_FAILURE,
            'x-exception-message': 'Read timed out',
            'x-original-exchange': m.fields.exchange,
            'x-original-routingKey': m.fields.routingKey,
          },
        });
        await ch.waitForConfirms();
        ch.ack(m);
      }
    }
    await ch.close();
    return { slowRejected };
  } finally {
    await conn.close();
  }
}
