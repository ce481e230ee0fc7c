import {
  AssignerProtocol,
  CompressionTypes,
  ConfigResourceTypes,
  KAFKAJS_VERSION,
  PartitionAssigners,
  Partitioners,
  type Consumer,
  type Message,
  type PartitionAssigner,
  type Producer,
} from './kafkajs';
import { NotFoundError, UsageError } from '../../core/errors';
import { redact } from '../../core/redact';
import type {
  PerfChunk,
  PerfConsumerDriver,
  PerfConsumerOptions,
  PerfProducerDriver,
  PerfProducerOptions,
  PerfRecord,
  PerfRecordListener,
} from '../contracts/perf';
import { PERF_STAMP_HEADER } from '../contracts/perf';
import type { KafkaConnection } from './connection';
import { waitForTopicLeaders } from './wait';
import { mapKafkaError } from './errors';
import { createRdkafkaPerfProducer } from './perf-rdkafka';
import { KafkaFetchConsumer } from './perf-fetch';

const COMPRESSION: Record<string, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
};

/** Record batch v2 header bytes (baseOffset … recordCount): counted once per batch. */
const BATCH_HEADER_BYTES = 61;
/** A record's own framing in a v2 batch, at most: length, attributes, timestamp and offset deltas, key and value lengths, header count (varints). */
const RECORD_OVERHEAD_BYTES = 1 + 5 * 5 + 10;
const STAMP_HEADER_BYTES = Buffer.byteLength(PERF_STAMP_HEADER) + 5 + 5;

/**
 * A record's bytes in a produce request (uncompressed, an upper bound): what the broker's
 * message.max.bytes limits per batch. Counting values alone let 26,214 records of 10 bytes (each ~60 bytes
 * on the wire) into one 1.5 MB batch, which the broker rejected with MESSAGE_TOO_LARGE.
 */
export function recordWireBytes(record: PerfRecord): number {
  return (
    RECORD_OVERHEAD_BYTES +
    record.value.length +
    (record.key === undefined ? 0 : Buffer.byteLength(record.key)) +
    STAMP_HEADER_BYTES +
    record.stamp.length
  );
}

/** The topic's max.message.bytes (the broker's message.max.bytes unless the topic overrides it). */
async function maxMessageBytes(connection: KafkaConnection, topic: string): Promise<number> {
  const admin = await connection.admin();
  const described = await connection.call(
    'describe topic configs',
    () =>
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
      }),
    topic,
  );
  const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes');
  const value = Number(entry?.configValue);
  // Kafka's default when the broker does not say (1 MiB + 12)
  return Number.isFinite(value) && value > 0 ? value : 1_048_588;
}

/** A part of a chunk that went into one produce request. */
interface Segment {
  chunk: PerfChunk;
  from: number;
  to: number;
}

/**
 * kafka-producer-perf-test's loop on kafkajs. kafkajs has no linger and no record accumulator, so this
 * driver is one: records queue here and leave as one `producer.send` per batch (up to `batchBytes`),
 * with up to `maxInFlight` requests outstanding. When every slot is busy the queue grows and the next
 * request carries everything that waited (adaptive batching, like librdkafka under load); `lingerMs`
 * additionally holds a non-full batch while a slot is free.
 */
export class KafkaPerfProducer implements PerfProducerDriver {
  readonly description: string;
  onReady?: () => void;
  private readonly queue: Segment[] = [];
  private queuedRecords = 0;
  private queuedBytes = 0;
  private inFlight = 0;
  private unsettled = 0;
  private lingerTimer?: NodeJS.Timeout;
  private oldestQueuedAt = 0;
  private readonly compression: CompressionTypes;
  private readonly maxQueuedRecords: number;
  /** bytes per request: --batch-size, and never more than the broker accepts in one batch */
  private readonly maxBatchBytes: number;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly producer: Producer,
    private readonly options: PerfProducerOptions,
    /** the topic's max.message.bytes */
    maxMessageBytes = 1_048_588,
  ) {
    const k = options.kafka;
    const compression = COMPRESSION[k.compression];
    if (compression === undefined) {
      throw new UsageError(`--compression ${k.compression} is not available with kafkajs`, {
        hint: 'use none or gzip',
      });
    }
    this.compression = compression;
    this.maxBatchBytes = Math.max(1, Math.min(k.batchBytes, maxMessageBytes - BATCH_HEADER_BYTES));
    // the client's buffer (like buffer.memory): beyond it the generator waits
    this.maxQueuedRecords = 200_000;
    this.description = `kafkajs ${KAFKAJS_VERSION}, acks=${k.acks === -1 ? 'all' : k.acks}, batch ${k.batchBytes} B, linger ${k.lingerMs} ms, ${k.maxInFlight} in flight, compression ${k.compression}${k.idempotent ? ', idempotent' : ''}${k.transactionalId ? `, transactional (${k.transactionalId})` : ''}`;
  }

  send(chunk: PerfChunk): void {
    if (chunk.records.length === 0) return;
    if (this.queuedRecords === 0) this.oldestQueuedAt = Date.now();
    this.queue.push({ chunk, from: 0, to: chunk.records.length });
    this.queuedRecords += chunk.records.length;
    this.unsettled += chunk.records.length;
    for (const r of chunk.records) this.queuedBytes += recordWireBytes(r);
    this.pump(false);
  }

  blocked(): boolean {
    return this.queuedRecords >= this.maxQueuedRecords;
  }

  private pump(flushing: boolean): void {
    const k = this.options.kafka;
    while (this.inFlight < k.maxInFlight && this.queuedRecords > 0) {
      const waited = Date.now() - this.oldestQueuedAt;
      if (!flushing && k.lingerMs > 0 && this.queuedBytes < this.maxBatchBytes && waited < k.lingerMs) {
        if (!this.lingerTimer) {
          this.lingerTimer = setTimeout(() => {
            this.lingerTimer = undefined;
            this.pump(false);
          }, k.lingerMs - waited);
        }
        return;
      }
      this.dispatch(this.takeBatch(this.maxBatchBytes));
    }
  }

  private takeBatch(maxBytes: number): Segment[] {
    const taken: Segment[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && (bytes < maxBytes || taken.length === 0)) {
      const seg = this.queue[0]!;
      let end = seg.from;
      const before = bytes;
      // a record joins the batch only if the batch stays within maxBytes (a batch holds at least one record)
      while (end < seg.to) {
        const size = recordWireBytes(seg.chunk.records[end]!);
        if (bytes + size > maxBytes && (taken.length > 0 || end > seg.from)) break;
        bytes += size;
        end++;
      }
      if (end === seg.from) break;
      taken.push({ chunk: seg.chunk, from: seg.from, to: end });
      this.queuedRecords -= end - seg.from;
      if (end === seg.to) this.queue.shift();
      else {
        seg.from = end;
        if (bytes > before) break; // the batch is full
      }
    }
    this.queuedBytes -= bytes;
    if (this.queuedRecords > 0) this.oldestQueuedAt = Date.now();
    return taken;
  }

  private dispatch(segments: Segment[]): void {
    const messages: Message[] = [];
    for (const seg of segments) {
      for (let i = seg.from; i < seg.to; i++) messages.push(toKafkaMessage(seg.chunk.records[i]!));
    }
    this.inFlight++;
    const k = this.options.kafka;
    const request = { topic: this.options.topic, messages, acks: k.acks, compression: this.compression };
    const sent = k.transactionalId
      ? this.sendInTransaction(request)
      : this.producer.send({ ...request, timeout: this.connection.timeoutMs });
    sent.then(
      () => this.complete(segments),
      (error: unknown) =>
        this.complete(segments, mapKafkaError(error, this.connection.target, this.options.topic)),
    );
  }

  /** kafka-producer-perf-test --transactional-id: here every batch is one committed transaction. */
  private async sendInTransaction(request: Parameters<Producer['send']>[0]): Promise<void> {
    const txn = await this.producer.transaction();
    try {
      await txn.send(request);
      await txn.commit();
    } catch (error) {
      await txn.abort().catch(() => undefined);
      throw error;
    }
  }

  private complete(segments: Segment[], error?: Error): void {
    this.inFlight--;
    for (const seg of segments) {
      seg.chunk.settleRange(seg.from, seg.to, error);
      this.unsettled -= seg.to - seg.from;
    }
    this.pump(false);
    this.onReady?.();
  }

  async flush(timeoutMs: number): Promise<void> {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    const deadline = Date.now() + timeoutMs;
    while (this.unsettled > 0 && Date.now() < deadline) {
      this.pump(true);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    await this.producer.disconnect().catch(() => undefined);
  }
}

function toKafkaMessage(record: PerfRecord): Message {
  return {
    key: record.key,
    value: record.value,
    headers: { [PERF_STAMP_HEADER]: record.stamp },
  };
}

async function ensureTopic(connection: KafkaConnection, options: PerfProducerOptions): Promise<void> {
  const admin = await connection.admin();
  const topics = await connection.call('list topics', () => admin.listTopics(), options.topic);
  if (topics.includes(options.topic)) return;
  if (!options.create) {
    throw new NotFoundError(`topic ${options.topic} not found on Kafka at ${connection.target}`, {
      hint: 'create it first, or pass --create-topic (with --partitions)',
    });
  }
  await connection.call(
    'create topic',
    () =>
      admin.createTopics({
        // waited for below: kafkajs gives up when the broker's metadata trails the controller
        waitForLeaders: false,
        topics: [
          {
            topic: options.topic,
            numPartitions: options.create!.partitions,
            replicationFactor: options.create!.replicationFactor,
          },
        ],
      }),
    options.topic,
  );
  await waitForTopicLeaders(connection, options.topic);
}

export async function createKafkaPerfProducer(
  connection: KafkaConnection,
  options: PerfProducerOptions,
): Promise<PerfProducerDriver> {
  const k = options.kafka;
  if (k.client === 'librdkafka') {
    await ensureTopic(connection, options);
    return createRdkafkaPerfProducer(connection, options);
  }
  if (k.transactionalId && k.acks !== -1)
    throw new UsageError('--transactional-id needs --acks all', { hint: 'drop --acks or pass --acks all' });
  if ((k.idempotent || k.transactionalId) && k.maxInFlight > 1) k.maxInFlight = 1;
  await ensureTopic(connection, options);
  const maxBytes = await maxMessageBytes(connection, options.topic);
  checkRecordFits(options, maxBytes);
  const producer = connection.kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: k.idempotent || Boolean(k.transactionalId),
    transactionalId: k.transactionalId,
    maxInFlightRequests: k.idempotent || k.transactionalId ? 1 : undefined,
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(k.retries !== undefined
      ? {
          retry: {
            retries: k.retries,
            initialRetryTime: k.retryBackoffMs ?? 100,
            maxRetryTime: k.retryBackoffMaxMs ?? 1000,
          },
        }
      : {}),
  });
  await connection.call('connect producer', () => producer.connect(), options.topic);
  const driver = new KafkaPerfProducer(connection, producer, options, maxBytes);
  connection.onClose(() => driver.close());
  return driver;
}

/** A record larger than the topic accepts would fail every send: refused before the load (exit 2). */
function checkRecordFits(options: PerfProducerOptions, maxBytes: number): void {
  if (options.maxRecordBytes === undefined) return;
  const wire =
    BATCH_HEADER_BYTES +
    recordWireBytes({ value: Buffer.alloc(0), stamp: '0000000000000000' }) +
    options.maxRecordBytes;
  if (wire > maxBytes) {
    throw new UsageError(
      `records of ${options.maxRecordBytes} bytes do not fit in topic ${options.topic}: its max.message.bytes is ${maxBytes} (a batch of one such record is ~${wire} bytes)`,
      { hint: 'lower --record-size, or raise max.message.bytes on the topic (mqctl topic config set)' },
    );
  }
}

export class KafkaPerfConsumer implements PerfConsumerDriver {
  readonly description: string;
  joinedAtEpochMs?: number;
  /** set by kill(): resolves when the hang is over */
  private killed?: Promise<void>;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly consumer: Consumer,
    private readonly options: PerfConsumerOptions & { group: string },
  ) {
    this.description = `kafkajs ${KAFKAJS_VERSION}, group ${options.group}, from ${options.from}`;
  }

  /** Checks the topic; for `from: latest` returns its end offsets as of now (fixed before producing starts). */
  static async startOffsets(
    connection: KafkaConnection,
    topic: string,
    from: 'earliest' | 'latest',
  ): Promise<Array<{ partition: number; offset: string }>> {
    const admin = await connection.admin();
    const topics = await connection.call('list topics', () => admin.listTopics(), topic);
    if (!topics.includes(topic)) {
      throw new NotFoundError(`topic ${topic} not found on Kafka at ${connection.target}`);
    }
    return from === 'latest'
      ? await connection.call('fetch offsets', () => admin.fetchTopicOffsets(topic), topic)
      : [];
  }

  async start(onRecord: PerfRecordListener): Promise<void> {
    const { topic, from } = this.options;
    // "latest" means the end as of now, fixed before producing starts (not whenever the group joins);
    // members of a shared group (--threads) start where preparePerfConsumerGroup committed instead
    const endOffsets = this.options.members
      ? []
      : await KafkaPerfConsumer.startOffsets(this.connection, topic, from);
    await this.connection.call('connect consumer', () => this.consumer.connect(), topic);
    await this.connection.call(
      'subscribe',
      () => this.consumer.subscribe({ topic, fromBeginning: true }),
      topic,
    );
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const partition = batch.partition;
        for (const m of batch.messages) {
          // killed: the batch is never resolved, so its offsets are not committed (a crash mid-batch)
          if (this.killed) await this.killed.then(() => Promise.reject(new Error('consumer killed')));
          const stamp = m.headers?.[PERF_STAMP_HEADER];
          onRecord(
            m.value?.length ?? 0,
            stamp === undefined ? undefined : String(stamp),
            m.value ?? undefined,
            `p${partition}@${m.offset}`,
          );
        }
      },
    });
    for (const p of endOffsets) this.consumer.seek({ topic, partition: p.partition, offset: p.offset });
  }

  /**
   * A crash: from now on no record reaches the listener and the batch in hand is never resolved (its
   * offsets stay uncommitted); after `hangMs` the consumer disconnects. Offsets resolved before the kill
   * may still be committed on the way out, as the auto-commit of a crashing client could have done.
   */
  async kill(hangMs: number): Promise<void> {
    let wake!: () => void;
    this.killed = new Promise<void>((resolve) => (wake = resolve));
    await new Promise((resolve) => setTimeout(resolve, hangMs));
    wake();
    await this.consumer.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}

export async function createKafkaPerfConsumer(
  connection: KafkaConnection,
  options: PerfConsumerOptions,
): Promise<PerfConsumerDriver> {
  if (options.directFetch && process.env.MQCTL_KAFKA_CONSUMER !== 'kafkajs') {
    return new KafkaFetchConsumer(connection, options, KAFKAJS_VERSION);
  }
  const group = options.group ?? `mqctl-perf-${process.pid}-${Date.now().toString(36)}`;
  const consumer = connection.kafka.consumer({
    groupId: group,
    ...(options.members ? { partitionAssigners: [completeGroupAssigner(options.members)] } : {}),
    sessionTimeout: Math.max(6000, connection.timeoutMs),
    rebalanceTimeout: Math.max(6000, connection.timeoutMs),
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    allowAutoTopicCreation: false,
  });
  const driver = new KafkaPerfConsumer(connection, consumer, { ...options, group });
  consumer.on(consumer.events.CRASH, (event) => {
    // kafkajs restarts the consumer after a retriable crash (e.g. "The coordinator is loading" on a fresh
    // broker): nothing for the user to act on. Only a crash it does not recover from reaches stderr.
    if (event.payload.restart) return;
    process.stderr.write(consumerStoppedLine(event.payload.error));
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    driver.joinedAtEpochMs ??= Date.now();
  });
  connection.onClose(() => driver.close());
  return driver;
}

/**
 * The partition assigner of `perf consume --threads N`: round robin once all N members have joined, nothing
 * before. A member that joined first would otherwise consume every partition until the others join, and
 * the rebalance would hand its uncommitted records to them again (duplicates).
 */
function completeGroupAssigner(members: number): PartitionAssigner {
  return (config) => {
    const roundRobin = PartitionAssigners.roundRobin(config);
    return {
      name: `MqctlPerfComplete${members}`,
      version: 0,
      async assign(group) {
        if (group.members.length < members) return [];
        return roundRobin.assign(group);
      },
      protocol({ topics }) {
        return {
          name: `MqctlPerfComplete${members}`,
          metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
        };
      },
    };
  };
}

/**
 * Before N consumers share one group (`perf consume --threads N`): checks the topic and, for `from: latest`,
 * commits the end offsets as of now for the group, so every member starts there whichever partitions it gets.
 */
export async function prepareKafkaPerfGroup(
  connection: KafkaConnection,
  options: PerfConsumerOptions & { group: string },
): Promise<void> {
  const offsets = await KafkaPerfConsumer.startOffsets(connection, options.topic, options.from);
  if (offsets.length === 0) return;
  const admin = await connection.admin();
  await connection.call(
    'set group offsets',
    () =>
      admin.setOffsets({
        groupId: options.group,
        topic: options.topic,
        partitions: offsets.map((p) => ({ partition: p.partition, offset: p.offset })),
      }),
    options.topic,
  );
}

/** The stderr line for a kafkajs consumer crash it does not recover from, through the one redactor. */
export function consumerStoppedLine(error: { message?: unknown } | undefined): string {
  return redact(`kafka consumer stopped: ${String(error?.message ?? '')}\n`);
}
