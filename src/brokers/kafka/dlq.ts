import type { IHeaders, KafkaMessage, Message, Producer } from './kafkajs';
import { NotFoundError, UsageError } from '../../cli/errors';
import { decodeKafkaOrigin, decodeReplayMark, kafkaHeadersToText } from '../../dlq/headers';
import {
  decideReplay,
  emptySummary,
  finishSummary,
  markHeaders,
  record,
  recordFailure,
  ReplayFailedError,
  type ReplayOptions,
  type ReplaySummary,
} from '../../dlq/replay';
import type { DlqMessage, DlqSummaryRow } from '../../dlq/types';
import {
  DEFAULT_KAFKA_DLQ_PATTERNS,
  globsToRegExp,
  type DlqAccess,
  type DlqBrowseOptions,
  type DlqListOptions,
  type PurgeOptions,
  type PurgeSummary,
} from '../dlq';
import type { KafkaConnection } from './connection';
import { readKafkaRange } from './dlq-reader';

interface PartitionRange {
  partition: number;
  low: bigint;
  high: bigint;
}

/** Messages per transaction: large enough for throughput, small enough that a kill loses little work. */
const CHUNK_MESSAGES = 2000;
/** A transaction is committed at least this often, so a rate-limited run makes steady progress. */
const CHUNK_MS = 500;

/**
 * Kafka DLQs. Browsing reads explicit offset ranges in a throwaway group that never commits. Replay copies
 * and commits the DLQ position in one transaction (transactional producer + sendOffsets to the job's
 * consumer group), so a kill at any instant followed by a re-run leaves each selected message in the
 * target exactly once for read_committed readers.
 */
export class KafkaDlq implements DlqAccess {
  constructor(private readonly connection: KafkaConnection) {}

  private async ranges(topic: string): Promise<PartitionRange[]> {
    const admin = await this.connection.admin();
    const offsets = await this.connection.call(
      'fetch offsets',
      () => admin.fetchTopicOffsets(topic),
      `DLQ topic ${topic}`,
    );
    return offsets
      .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  private async requireTopic(topic: string): Promise<void> {
    const admin = await this.connection.admin();
    const topics = await this.connection.call('list topics', () => admin.listTopics());
    if (!topics.includes(topic)) {
      throw new NotFoundError(`DLQ topic "${topic}" not found on Kafka at ${this.connection.target}`, {
        hint: 'see mqctl dlq list',
      });
    }
  }

  async depth(topic: string): Promise<number> {
    await this.requireTopic(topic);
    return (await this.ranges(topic)).reduce((sum, r) => sum + Number(r.high - r.low), 0);
  }

  async list(options: DlqListOptions): Promise<DlqSummaryRow[]> {
    const admin = await this.connection.admin();
    const pattern = globsToRegExp(options.patterns ?? DEFAULT_KAFKA_DLQ_PATTERNS);
    const topics = (await this.connection.call('list topics', () => admin.listTopics()))
      .filter((t) => !t.startsWith('__') && pattern.test(t))
      .sort();
    const rows: DlqSummaryRow[] = [];
    const now = Date.now();
    for (const topic of topics) {
      const ranges = await this.ranges(topic);
      const depth = ranges.reduce((sum, r) => sum + Number(r.high - r.low), 0);
      const sources = new Set<string>();
      let oldest: number | undefined;
      let newest: number | undefined;
      if (depth > 0) {
        // The head of each partition gives the oldest age; the sample gives sources; the tail the newest.
        const perPartition = Math.max(1, Math.ceil(options.sample / ranges.length));
        const start = new Map(ranges.map((r) => [r.partition, r.low]));
        const end = new Map(
          ranges.map((r) => [r.partition, r.low + BigInt(Math.min(perPartition, Number(r.high - r.low)))]),
        );
        for await (const batch of readKafkaRange(this.connection, { topic, start, end, idleMs: 1500 })) {
          for (const m of batch.messages) {
            const decoded = this.decode(topic, batch.partition, m);
            if (decoded.origin.topic) sources.add(decoded.origin.topic);
            if (decoded.timestamp !== undefined) {
              oldest = oldest === undefined ? decoded.timestamp : Math.min(oldest, decoded.timestamp);
              newest = newest === undefined ? decoded.timestamp : Math.max(newest, decoded.timestamp);
            }
          }
        }
        const tailStart = new Map(
          ranges.map((r) => [r.partition, r.high - 1n > (end.get(r.partition) ?? 0n) ? r.high - 1n : r.high]),
        );
        const tailEnd = new Map(ranges.map((r) => [r.partition, r.high]));
        for await (const batch of readKafkaRange(this.connection, {
          topic,
          start: tailStart,
          end: tailEnd,
          idleMs: 1500,
        })) {
          for (const m of batch.messages) {
            const ts = Number(m.timestamp);
            newest = newest === undefined ? ts : Math.max(newest, ts);
          }
        }
      }
      rows.push({
        name: topic,
        kind: 'kafka',
        recognisedBy: 'name pattern',
        depth,
        oldestTimestamp: oldest,
        newestTimestamp: newest,
        oldestAgeMs: oldest === undefined ? undefined : now - oldest,
        newestAgeMs: newest === undefined ? undefined : now - newest,
        sources: [...sources].sort(),
      });
    }
    return rows;
  }

  decode(topic: string, partition: number, m: KafkaMessage): DlqMessage {
    const { text, bytes } = kafkaHeadersToText(
      (m.headers ?? {}) as Record<string, Buffer | Buffer[] | undefined>,
    );
    const { origin, error } = decodeKafkaOrigin(text);
    return {
      dlq: topic,
      partition,
      position: m.offset,
      timestamp: Number(m.timestamp),
      key: m.key ?? undefined,
      payload: m.value ?? Buffer.alloc(0),
      headers: text,
      rawHeaders: bytes,
      origin,
      error,
      replay: decodeReplayMark(text),
    };
  }

  async *browse(topic: string, options: DlqBrowseOptions): AsyncGenerator<DlqMessage> {
    await this.requireTopic(topic);
    const ranges = await this.ranges(topic);
    const start = new Map(ranges.map((r) => [r.partition, r.low]));
    const end = new Map(ranges.map((r) => [r.partition, r.high]));
    let count = 0;
    for await (const batch of readKafkaRange(this.connection, {
      topic,
      start,
      end,
      signal: options.signal,
    })) {
      for (const m of batch.messages) {
        if (count >= options.limit) return;
        count++;
        yield this.decode(topic, batch.partition, m);
      }
    }
  }

  /** Where the job stopped last time (its committed offsets), never before the log start. */
  private async jobStart(
    topic: string,
    jobId: string,
    ranges: PartitionRange[],
  ): Promise<Map<number, bigint>> {
    const admin = await this.connection.admin();
    const committed = await this.connection.call('fetch the replay job offsets', () =>
      admin.fetchOffsets({ groupId: jobId, topics: [topic] }),
    );
    const byPartition = new Map<number, bigint>();
    for (const t of committed)
      for (const p of t.partitions)
        if (p.offset !== '-1' && p.offset !== '') byPartition.set(p.partition, BigInt(p.offset));
    return new Map(
      ranges.map((r) => {
        const c = byPartition.get(r.partition);
        return [r.partition, c !== undefined && c > r.low ? c : r.low];
      }),
    );
  }

  async replay(topic: string, options: ReplayOptions): Promise<ReplaySummary> {
    await this.requireTopic(topic);
    const startedAt = Date.now();
    const summary = emptySummary(topic, options);
    const ranges = await this.ranges(topic);
    let producer: Producer | undefined;
    if (!options.dryRun) {
      // Initialising the transactional id fences an earlier run of this job that was killed and aborts its
      // open transaction, so the offsets read next are the last ones committed together with their copies.
      producer = this.connection.kafka.producer({
        transactionalId: options.jobId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
        retry: { retries: 3 },
      });
      this.connection.onClose(async () => {
        await producer?.disconnect();
      });
      await this.connection.call('connect the transactional producer', () => producer!.connect());
    }
    const start = await this.jobStart(topic, options.jobId, ranges);
    const end = new Map(ranges.map((r) => [r.partition, r.high]));
    const knownTargets = new Map<string, boolean>();

    const targetExists = async (target: string): Promise<boolean> => {
      if (!knownTargets.has(target)) {
        const admin = await this.connection.admin();
        const topics = await this.connection.call('list topics', () => admin.listTopics());
        for (const t of topics) knownTargets.set(t, true);
        if (!knownTargets.has(target)) knownTargets.set(target, false);
      }
      return knownTargets.get(target)!;
    };

    // A chunk spans batches and partitions: its copies and the next offset of every partition it touched
    // go into one transaction.
    let chunk = newChunk();
    // One transaction commits while the next chunk is being read and paced (transactions stay sequential:
    // a chunk's transaction begins only after the previous one committed).
    let previous: Promise<void> = Promise.resolve();
    let commitError: unknown;
    const failChunk = (done: Chunk, error: unknown) => {
      for (const target of done.targets)
        recordFailure(summary, target, `transaction failed: ${(error as Error).message}`);
      commitError ??= error;
    };
    const raiseIfFailed = () => {
      if (commitError !== undefined) {
        finishSummary(summary, startedAt);
        throw new ReplayFailedError(summary, commitError);
      }
    };
    const flush = async (): Promise<void> => {
      raiseIfFailed();
      const done = chunk;
      chunk = newChunk();
      if (done.offsets.size > 0 && producer) {
        const p = producer;
        await previous;
        raiseIfFailed();
        previous = this.commitChunk(p, topic, done.offsets, done.outgoing, options.jobId).then(
          () => options.onProgress?.(summary),
          (error: unknown) => failChunk(done, error),
        );
      }
      options.onProgress?.(summary);
    };

    reading: for await (const batch of readKafkaRange(this.connection, {
      topic,
      start,
      end,
      signal: options.signal,
    })) {
      for (const raw of batch.messages) {
        if (options.signal?.aborted || (options.limit !== undefined && summary.replayed >= options.limit)) {
          break reading;
        }
        const message = this.decode(topic, batch.partition, raw);
        let decision = decideReplay(message, options);
        if (decision.action === 'replay' && !(await targetExists(decision.target))) {
          decision = {
            action: 'fail',
            reason: `${topic}:${batch.partition}:${raw.offset}: target topic "${decision.target}" does not exist`,
          };
        }
        if (decision.action === 'replay') await options.pacer.take(options.signal);
        record(summary, message, decision, options.planLimit);
        if (decision.action === 'replay') {
          chunk.targets.push(decision.target);
          const headers: IHeaders = { ...(message.rawHeaders ?? {}), ...markHeaders(message, options.jobId) };
          const list = chunk.outgoing.get(decision.target) ?? [];
          list.push({ key: raw.key, value: raw.value, headers });
          chunk.outgoing.set(decision.target, list);
        }
        if (chunk.offsets.size === 0) chunk.startedAt = Date.now();
        chunk.offsets.set(batch.partition, (BigInt(raw.offset) + 1n).toString());
        if (chunk.targets.length >= CHUNK_MESSAGES || Date.now() - chunk.startedAt > CHUNK_MS) await flush();
      }
      if (Date.now() - chunk.startedAt > CHUNK_MS) await flush();
    }
    await flush();
    await previous;
    raiseIfFailed();
    summary.interrupted = Boolean(options.signal?.aborted);
    if (producer) await producer.disconnect().catch(() => undefined);
    return finishSummary(summary, startedAt);
  }

  /** One transaction: the copies, and the DLQ position of the job's group, commit or abort together. */
  private async commitChunk(
    producer: Producer,
    topic: string,
    offsets: Map<number, string>,
    outgoing: Map<string, Message[]>,
    jobId: string,
  ): Promise<void> {
    const transaction = await this.connection.call('begin a transaction', () => producer.transaction());
    try {
      await this.connection.call('send the copies', async () => {
        if (outgoing.size > 0) {
          await transaction.sendBatch({
            topicMessages: [...outgoing.entries()].map(([t, messages]) => ({ topic: t, messages })),
          });
        }
        await transaction.sendOffsets({
          consumerGroupId: jobId,
          topics: [{ topic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset })) }],
        });
      });
      await this.connection.call('commit the transaction', () => transaction.commit());
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  async purge(topic: string, options: PurgeOptions): Promise<PurgeSummary> {
    if (options.filter) {
      throw new UsageError(
        'Kafka cannot delete individual records, so purge --where is not possible on Kafka',
        {
          hint: 'purge the whole DLQ (no --where), or replay the rest elsewhere first',
        },
      );
    }
    await this.requireTopic(topic);
    const admin = await this.connection.admin();
    const before = await this.ranges(topic);
    await this.connection.call(
      'delete records',
      () =>
        admin.deleteTopicRecords({
          topic,
          partitions: before.map((r) => ({ partition: r.partition, offset: r.high.toString() })),
        }),
      `DLQ topic ${topic}`,
    );
    return {
      dlq: topic,
      purged: before.reduce((sum, r) => sum + Number(r.high - r.low), 0),
      kept: 0,
      method: 'deleteRecords (log start moved to the end offset of each partition)',
      notes: [],
    };
  }
}

interface Chunk {
  startedAt: number;
  outgoing: Map<string, Message[]>;
  targets: string[];
  /** Partition → the next DLQ offset to read once this chunk commits. */
  offsets: Map<number, string>;
}

function newChunk(): Chunk {
  return { startedAt: Date.now(), outgoing: new Map(), targets: [], offsets: new Map() };
}
