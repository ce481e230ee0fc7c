import { request } from 'undici';
import { PulsarWebSocketClient } from '../../src/brokers/pulsar/websocket';
import type { Kafka, Message } from 'kafkajs';

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
  topics: Array<{ topic: string; partitions: number }>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** Produces in batches of 1000 (acks=all). */
export async function produceAll(kafka: Kafka, topic: string, messages: Message[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads every message of a topic as a read_committed consumer (each partition to its end offset). */
export async function readAllCommitted(
  kafka: Kafka,
  topic: string,
  timeoutMs = 60_000,
): Promise<
  Array<{ partition: number; key: string | undefined; value: string; headers: Record<string, string> }>
> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const end = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const out: Array<{
    partition: number;
    key: string | undefined;
    value: string;
    headers: Record<string, string>;
  }> = [];
  const done = new Set<number>([...end].filter(([, h]) => h === 0n).map(([p]) => p));
  if (done.size === end.size) return out;
  const consumer = kafka.consumer({
    groupId: `verify-${Date.now()}-${Math.random().toString(16).slice(2)}`,
    readUncommitted: false,
    maxWaitTimeInMs: 250,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`read ${topic}: timeout, ${out.length} read`)),
      timeoutMs,
    );
    let idle: NodeJS.Timeout | undefined;
    const finishSoon = () => {
      clearTimeout(idle);
      // Transaction markers occupy the last offsets: once nothing more arrives, the read is complete.
      idle = setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 2000);
    };
    finishSoon();
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.headers ?? {}))
            headers[k] = String(Array.isArray(v) ? v[v.length - 1] : v);
          out.push({
            partition: batch.partition,
            key: m.key?.toString(),
            value: m.value?.toString() ?? '',
            headers,
          });
        }
        const last = BigInt(batch.lastOffset()) + 1n;
        if (last >= (end.get(batch.partition) ?? 0n)) done.add(batch.partition);
        if (done.size === end.size) {
          clearTimeout(timer);
          clearTimeout(idle);
          resolve();
        } else finishSoon();
      },
    });
  });
  await consumer.disconnect();
  return out;
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

/** Every message of a Pulsar topic from the earliest, via a reader. */
export async function pulsarReadAll(
  adminUrl: string,
  topic: string,
): Promise<Array<{ payload: string; key?: string; properties: Record<string, string> }>> {
  const ws = new PulsarWebSocketClient({ adminUrl, timeoutMs: 10_000 });
  const reader = await ws.reader(topic, { messageId: 'earliest', receiverQueueSize: 1000 });
  const out: Array<{ payload: string; key?: string; properties: Record<string, string> }> = [];
  for (;;) {
    const m = await reader.receive(1500);
    if (!m) break;
    reader.ack(m.messageId);
    out.push({ payload: m.payload.toString(), key: m.key, properties: m.properties });
  }
  await reader.close();
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
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
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
