import {
  Partitioners,
  type IHeaders,
  type KafkaMessage,
  type Message,
  type Producer,
  type ProducerConfig,
} from './kafkajs';
import { MqctlError, NotFoundError, UnavailableError, UsageError } from '../../core/errors';
import { setTestPauseDetail, testPause } from '../../core/test-pause';
import { refuseProtected } from '../contracts/protected';
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
import type { DlqMessage, DlqSummaryRow, RetryStage } from '../../dlq/types';
import {
  DEFAULT_KAFKA_DLQ_PATTERNS,
  globsToRegExp,
  type DlqAccess,
  type DlqBrowseOptions,
  type DlqListOptions,
  type PurgeOptions,
  type PurgeSummary,
} from '../contracts/dlq';
import type { KafkaConnection } from './connection';
import { readKafkaRange } from './dlq-reader';
import { waitForTopicLeaders } from './wait';

interface PartitionRange {
  partition: number;
  low: bigint;
  high: bigint;
}

/**
 * The job progress topic (compacted, one partition): key `<job id>:<DLQ>:<partition>`, value the next DLQ offset
 * of that partition, written in the same transaction as the copies and the job group's offsets. It is how Kafka
 * Connect keeps source offsets (its `connect-offsets` topic): the job's position survives the deletion or
 * expiry (`offsets.retention.minutes`) of its consumer group.
 */
export const PROGRESS_TOPIC = 'mqctl-dlq-progress';

/**
 * A transaction the coordinator aborts when it is not committed in time. A killed run's open transaction holds
 * back read_committed readers of every partition it wrote, the shared progress topic included, so every other
 * job that needs the progress topic (a new job, or one whose group was deleted) waits for it: until the
 * coordinator aborts it (this timeout plus its check interval, transaction.abort.timed.out.transaction.cleanup.
 * interval.ms, 10 s by default) or a new run of the same job fences it. 60 s made other jobs fail; a chunk
 * commits in well under a second.
 */
const TRANSACTION_TIMEOUT_MS = 15_000;
/** How long reading the progress topic waits for another job's open transaction (see TRANSACTION_TIMEOUT_MS). */
const PROGRESS_WAIT_MS = TRANSACTION_TIMEOUT_MS + 15_000;

/**
 * The replay job's transactional producer. Its produce requests keep kafkajs's own retry count for an idempotent
 * producer (unlimited: MAX_SAFE_INTEGER, so kafkajs does not warn "Limiting retries for the idempotent producer may
 * invalidate EoS guarantees"); the backoff (100 ms doubling, at most --timeout/3) comes from the client config,
 * which also sets `retries: 2` that `Kafka.producer()` would otherwise merge in (kafkajs 2.2.4 src/index.js).
 * Unlimited is bounded: every call goes through connection.call, which gives up after --timeout + 1 s, and a
 * give-up ends the transaction (aborted) and the run (exit 1).
 *
 * Why the count is not what keeps a replay exactly once: kafkajs rolls a partition's sequence number back when a
 * produce request fails (producer/sendMessages.js), so a plain idempotent producer that gives up on a batch the
 * broker did write, then sends the next batch, reuses that sequence number: the broker takes the new batch for a
 * duplicate of the old one and drops it. That is what the warning is about. A replay never sends again after a
 * give-up: the transaction is aborted and the run stops; the next run's InitProducerId bumps the epoch, which
 * resets every sequence. What unlimited buys is that a transient error (a leader moving, NOT_ENOUGH_REPLICAS, a
 * broker restarting) is retried for as long as --timeout allows instead of failing the run after two retries
 * (~0.3 s). Fencing errors (INVALID_PRODUCER_EPOCH, PRODUCER_FENCED) are not retriable in kafkajs: a fenced run
 * still stops at once. The setting covers the produce requests and the AddPartitionsToTxn sent with them
 * (sendMessages.js runs both under this retrier). InitProducerId and TxnOffsetCommit do not use it: kafkajs's
 * eosManager retries them with `createRetry(cluster.retry)`, and the cluster never sets `retry`, so that is
 * kafkajs's built-in default (5 retries from 300 ms, doubling: about 9 s); that is what lets the fencing
 * InitProducerId wait out CONCURRENT_TRANSACTIONS while the coordinator aborts an older run's transaction.
 * AddOffsetsToTxn and EndTxn are sent once (a failure aborts the chunk and stops the run).
 */
export function replayProducerOptions(jobId: string): ProducerConfig {
  return {
    // explicit, as in perf: kafkajs warns (--debug) about a producer created without a partitioner
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId: jobId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: TRANSACTION_TIMEOUT_MS,
    retry: { retries: Number.MAX_SAFE_INTEGER },
  };
}

/** Messages per transaction: large enough for throughput, small enough that a kill loses little work. */
const CHUNK_MESSAGES = 2000;
/** A transaction is committed at least this often, so a rate-limited run makes steady progress. */
const CHUNK_MS = 500;
/**
 * Bytes of copies per transaction (keys, values, header names and values). kafkajs sends a chunk's copies to
 * one partition as one record batch in one request, and brokers refuse a batch over `message.max.bytes`
 * (1 MiB by default) with MESSAGE_TOO_LARGE: 2,000 Spring dead letters (each carries its stack trace, often
 * several KiB) to a one-partition origin made every unthrottled replay fail. Half the default leaves room for
 * the record and batch overhead; a single record over the broker's limit still fails, with the broker's error.
 */
export const CHUNK_BYTES = 512 * 1024;

/** Bytes a copy adds to its record batch, roughly: key, value, header names and values, and a little framing. */
export function copyBytes(m: {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
}): number {
  let n = 24 + byteLength(m.key) + byteLength(m.value);
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    // a repeated header (one value per retry hop) is one record header per value, each with its name
    const nameBytes = Buffer.byteLength(name) + 4;
    for (const v of Array.isArray(value) ? value : [value]) n += nameBytes + byteLength(v);
  }
  return n;
}

function byteLength(v: Buffer | string | null | undefined): number {
  if (v == null) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

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

  /** Exit 3 when the topic is missing; exit 2 when `action` would change a topic the broker flags internal. */
  private async requireTopic(topic: string, action?: string): Promise<void> {
    const { names, internal } = await this.connection.listTopics();
    if (!names.includes(topic)) {
      throw new NotFoundError(`DLQ topic "${topic}" not found on Kafka at ${this.connection.target}`, {
        hint: 'see mqctl dlq list',
      });
    }
    if (action)
      refuseProtected(action, {
        kind: 'kafka',
        type: 'topic',
        name: topic,
        brokerInternal: internal.has(topic),
      });
  }

  async depth(topic: string, action?: string): Promise<number> {
    if (action) refuseProtected(action, { kind: 'kafka', type: 'topic', name: topic });
    await this.requireTopic(topic, action);
    return (await this.ranges(topic)).reduce((sum, r) => sum + Number(r.high - r.low), 0);
  }

  async list(options: DlqListOptions): Promise<DlqSummaryRow[]> {
    const admin = await this.connection.admin();
    const pattern = globsToRegExp(options.patterns ?? DEFAULT_KAFKA_DLQ_PATTERNS);
    const allTopics = await this.connection.call('list topics', () => admin.listTopics());
    const topics = allTopics
      .filter((t) => !t.startsWith('__') && t !== PROGRESS_TOPIC && pattern.test(t))
      .sort();
    const rows: DlqSummaryRow[] = [];
    const now = Date.now();
    const { progress } = topics.length > 0 ? await this.readAllProgress() : { progress: new Map() };
    for (const topic of topics) {
      // A topic deleted since the listing (a shared cluster) is left out, not a failure of the whole list.
      const ranges = await this.ranges(topic).catch(async (error: unknown) => {
        const now = await this.connection.call('list topics', () => admin.listTopics());
        if (now.includes(topic)) throw error;
        return undefined;
      });
      if (!ranges) continue;
      const depth = ranges.reduce((sum, r) => sum + Number(r.high - r.low), 0);
      const replayJobs = [...((progress.get(topic) as Map<string, Map<number, bigint>> | undefined) ?? [])]
        .filter(([, next]) => next.size > 0)
        .map(([jobId, next]) => ({
          jobId,
          left: ranges.reduce((sum, r) => {
            const n = next.get(r.partition);
            return sum + Number(r.high - (n !== undefined && n > r.low ? (n < r.high ? n : r.high) : r.low));
          }, 0),
        }))
        .sort((a, b) => a.left - b.left || a.jobId.localeCompare(b.jobId));
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
        ...(replayJobs.length > 0 ? { replayJobs } : {}),
      });
      const stages = retryStagesOf(topic, allTopics);
      if (stages.length > 0)
        rows[rows.length - 1]!.retryChain = await this.stagesInfo(stages, options.sample);
    }
    return rows;
  }

  async retryChain(dlq: string, sample: number): Promise<RetryStage[]> {
    const admin = await this.connection.admin();
    const topics = await this.connection.call('list topics', () => admin.listTopics());
    const stages = retryStagesOf(dlq, topics);
    return stages.length > 0 ? this.stagesInfo(stages, sample) : [];
  }

  /** Each retry stage's depth and, from up to `sample` of its records, attempts and due times. */
  private async stagesInfo(stages: string[], sample: number): Promise<RetryStage[]> {
    const now = Date.now();
    const out: RetryStage[] = [];
    for (const stage of stages) {
      const ranges = await this.ranges(stage);
      const depth = ranges.reduce((sum, r) => sum + Number(r.high - r.low), 0);
      const row: RetryStage = { topic: stage, depth, sampled: 0, notYetDue: 0 };
      const limit = BigInt(Math.max(1, Math.ceil(sample / Math.max(1, ranges.length))));
      if (depth > 0 && sample > 0) {
        for await (const batch of readKafkaRange(this.connection, {
          topic: stage,
          start: new Map(ranges.map((r) => [r.partition, r.low])),
          end: new Map(ranges.map((r) => [r.partition, r.high - r.low > limit ? r.low + limit : r.high])),
          idleMs: 1500,
        })) {
          for (const m of batch.messages) {
            const { origin } = this.decode(stage, batch.partition, m);
            row.sampled++;
            if (origin.deaths !== undefined) row.maxAttempts = Math.max(row.maxAttempts ?? 0, origin.deaths);
            if (origin.nextAttemptAt !== undefined && origin.nextAttemptAt > now) {
              row.notYetDue++;
              row.nextDueAt = Math.min(row.nextDueAt ?? Infinity, origin.nextAttemptAt);
            }
          }
        }
      }
      out.push(row);
    }
    return out;
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
      ordered: true,
    })) {
      for (const m of batch.messages) {
        if (count >= options.limit) return;
        count++;
        yield this.decode(topic, batch.partition, m);
      }
    }
  }

  /**
   * Where the job stopped last time, never before the log start: the job group's committed offsets and the
   * progress topic (both written in each of the job's transactions, so they agree while the group exists);
   * the progress topic is read only when the group lacks a partition (deleted or expired group).
   */
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
    if (ranges.some((r) => !byPartition.has(r.partition))) {
      for (const [partition, next] of await this.readProgress(topic, jobId)) {
        const c = byPartition.get(partition);
        if (c === undefined || next > c) byPartition.set(partition, next);
      }
    }
    return new Map(
      ranges.map((r) => {
        const c = byPartition.get(r.partition);
        return [r.partition, c !== undefined && c > r.low ? c : r.low];
      }),
    );
  }

  /** The job's latest progress records (partition → next offset), read_committed, to the end of the topic. */
  private async readProgress(topic: string, jobId: string): Promise<Map<number, bigint>> {
    const { progress, complete } = await this.readAllProgress(PROGRESS_WAIT_MS);
    const found = progress.get(topic)?.get(jobId) ?? new Map<number, bigint>();
    if (!complete) {
      throw new UnavailableError(
        `could not read ${PROGRESS_TOPIC} to its end on Kafka at ${this.connection.target} within ${PROGRESS_WAIT_MS / 1000} s (an open transaction of another replay job holds it)`,
        {
          hint: `the job's consumer group ${jobId} has no offsets, so its progress must come from ${PROGRESS_TOPIC}; a killed run's transaction is aborted by the broker within ${PROGRESS_WAIT_MS / 1000} s (older mqctl versions: 70 s): try again then`,
        },
      );
    }
    return found;
  }

  /**
   * Every job's latest progress: DLQ → job → partition → next offset (read_committed, to the end). An open
   * transaction of another job holds the reader back; it waits up to `waitMs` for more before giving up.
   */
  private async readAllProgress(waitMs = 10_000): Promise<{
    progress: Map<string, Map<string, Map<number, bigint>>>;
    complete: boolean;
  }> {
    const progress = new Map<string, Map<string, Map<number, bigint>>>();
    const admin = await this.connection.admin();
    const topics = await this.connection.call('list topics', () => admin.listTopics());
    if (!topics.includes(PROGRESS_TOPIC)) return { progress, complete: true };
    const ranges = await this.ranges(PROGRESS_TOPIC);
    const result = { complete: false };
    for await (const batch of readKafkaRange(this.connection, {
      topic: PROGRESS_TOPIC,
      start: new Map(ranges.map((r) => [r.partition, r.low])),
      end: new Map(ranges.map((r) => [r.partition, r.high])),
      result,
      // Other jobs' transactions hold read_committed readers back for up to a chunk (500 ms) each; a killed
      // run's, until the coordinator aborts it.
      idleMs: waitMs,
    })) {
      for (const m of batch.messages) {
        if (!m.value) {
          // A tombstone (null value) forgets a job's partition: key `<job>:<dlq>:<partition>` (neither a job
          // id nor a topic name holds a colon).
          const [job, dlq, partition] = m.key?.toString('utf8').split(':') ?? [];
          if (job && dlq && partition) progress.get(dlq)?.get(job)?.delete(Number(partition));
          continue;
        }
        const v = JSON.parse(m.value.toString('utf8')) as {
          job: string;
          dlq: string;
          partition: number;
          next: string;
        };
        const byJob = progress.get(v.dlq) ?? new Map<string, Map<number, bigint>>();
        const byPartition = byJob.get(v.job) ?? new Map<number, bigint>();
        byPartition.set(v.partition, BigInt(v.next));
        byJob.set(v.job, byPartition);
        progress.set(v.dlq, byJob);
      }
    }
    return { progress, complete: result.complete };
  }

  /** Creates the compacted progress topic if it is missing (a race with another run is fine). */
  private async ensureProgressTopic(): Promise<void> {
    const admin = await this.connection.admin();
    const topics = await this.connection.call('list topics', () => admin.listTopics());
    if (topics.includes(PROGRESS_TOPIC)) return;
    await this.connection
      .call(
        `create ${PROGRESS_TOPIC}`,
        () =>
          admin.createTopics({
            // waited for below: kafkajs gives up when a KRaft broker's metadata does not have the topic yet
            waitForLeaders: false,
            topics: [
              {
                topic: PROGRESS_TOPIC,
                numPartitions: 1,
                configEntries: [
                  { name: 'cleanup.policy', value: 'compact' },
                  { name: 'segment.ms', value: String(60 * 60 * 1000) },
                ],
              },
            ],
          }),
        `topic ${PROGRESS_TOPIC}`,
      )
      .catch((error: unknown) => {
        if (!/TOPIC_ALREADY_EXISTS/.test((error as Error).message)) throw error;
      });
    await waitForTopicLeaders(this.connection, PROGRESS_TOPIC);
  }

  async replay(topic: string, options: ReplayOptions): Promise<ReplaySummary> {
    if (options.route === 'exchange' && !options.to)
      throw new UsageError('--route exchange is for RabbitMQ (exchanges and routing keys)', {
        hint: 'leave --route out: copies go to the origin topic',
      });
    await this.requireTopic(topic);
    const startedAt = Date.now();
    const summary = emptySummary(topic, options);
    const ranges = await this.ranges(topic);
    let producer: Producer | undefined;
    if (!options.dryRun) {
      await this.ensureProgressTopic();
      producer = this.connection.kafka.producer(replayProducerOptions(options.jobId));
      this.connection.onClose(async () => {
        await producer?.disconnect();
      });
      await this.connection.call('connect the transactional producer', () => producer!.connect());
      // Fence first, then read the position. kafkajs's connect() initialises only an idempotent (not
      // transactional) producer id; the first transaction() sends InitProducerId with the job's
      // transactional.id. That bumps the epoch, which fences any other run of this job (its next transactional
      // request fails with INVALID_PRODUCER_EPOCH / PRODUCER_FENCED), and the coordinator first aborts that
      // run's open transaction (or finishes its commit). Only then are the offsets read: they are the last
      // ones committed together with their copies, and no older run can commit after them.
      const fence = await this.connection.call('initialise the transactional id (fence other runs)', () =>
        producer!.transaction(),
      );
      await fence.abort(); // nothing was sent: kafkajs ends it locally, no EndTxn
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
    // a chunk's transaction begins only after the previous one committed). While one commits, the next chunk
    // keeps filling (up to CHUNK_MESSAGES) instead of waiting: a commit slower than CHUNK_MS (a loaded machine
    // or broker: 1.2 s was seen) made the reader wait, and a rate-limited run fell to chunk size / commit time
    // (336-487 msg/s at --rate 1000).
    let previous: Promise<void> = Promise.resolve();
    let committing = false;
    let committedCopies = 0;
    let slowestCommitMs = 0;
    let commitError: unknown;
    const failChunk = (done: Chunk, error: unknown) => {
      const cause = isFenced(error)
        ? new MqctlError(
            `fenced: another run of job ${options.jobId} started and took over; this run stopped (its open transaction was aborted: nothing lost)`,
            1,
            { hint: 'let the newer run finish, or run the same command again later to resume', cause: error },
          )
        : error;
      for (const target of done.targets)
        recordFailure(summary, target, `transaction failed: ${(cause as Error).message}`);
      commitError ??= cause;
    };
    const raiseIfFailed = () => {
      if (commitError !== undefined) {
        // The chunk being built was never sent: its messages stay in the DLQ, not counted as replayed.
        for (const target of chunk.targets) uncount(summary, target);
        chunk = newChunk();
        finishSummary(summary, startedAt);
        throw new ReplayFailedError(summary, commitError);
      }
    };
    /** Starts the chunk's transaction; `force` (the end of the run, or a full chunk) waits for the previous one. */
    const flush = async (force: boolean): Promise<void> => {
      raiseIfFailed();
      if (committing && !force && chunk.targets.length < CHUNK_MESSAGES) return;
      const done = chunk;
      chunk = newChunk();
      if (done.offsets.size > 0 && producer) {
        const p = producer;
        await previous;
        if (commitError !== undefined) chunk = done; // not sent: raiseIfFailed takes it out of the counts
        raiseIfFailed();
        committing = true;
        setTestPauseDetail(() => ({ committed: committedCopies, inTransaction: done.targets.length }));
        const began = Date.now();
        previous = this.commitChunk(p, topic, done.offsets, done.outgoing, options.jobId).then(
          () => {
            slowestCommitMs = Math.max(slowestCommitMs, Date.now() - began);
            committedCopies += done.targets.length;
            committing = false;
            options.onProgress?.(summary);
          },
          (error: unknown) => {
            committing = false;
            failChunk(done, error);
          },
        );
      }
      options.onProgress?.(summary);
    };

    // A failed record stops its partition: the job's position never moves past it, so a re-run (after the
    // cause is fixed) starts there. Later records of that partition wait for that run (copying them now
    // would copy them twice then); other partitions go on.
    const stoppedAt = new Map<number, string>();
    const heldBack = new Map<number, number>();
    // Except a record with no origin at all (and no --to): no re-run of this job can ever route it (its headers
    // never change, and the job's destination is each record's origin), so stopping there would stop the
    // partition for this job for good. The job moves past it with the chunk it is in: it is reported as failed
    // (with its offset; the run exits 1) and stays in the DLQ, where peek and a --to job (another job, which
    // starts at the beginning of the DLQ) still find it.
    const passedOver = new Map<number, string[]>();
    const read = { complete: false };
    let limitReached = false;
    reading: for await (const batch of readKafkaRange(this.connection, {
      topic,
      start,
      end,
      signal: options.signal,
      result: read,
      // By timestamp, then partition, then offset: --limit and the dry-run plan pick the same messages every run.
      ordered: true,
    })) {
      for (const raw of batch.messages) {
        if (options.signal?.aborted || (options.limit !== undefined && summary.replayed >= options.limit)) {
          limitReached = !options.signal?.aborted;
          break reading;
        }
        if (stoppedAt.has(batch.partition)) {
          heldBack.set(batch.partition, (heldBack.get(batch.partition) ?? 0) + 1);
          continue;
        }
        const message = this.decode(topic, batch.partition, raw);
        let decision = decideReplay(message, options);
        if (decision.action === 'fail' && decision.unroutable) {
          decision = {
            ...decision,
            reason: `${topic}:${batch.partition}:${raw.offset}: no origin in its headers (${message.origin.convention}) and no --to: the job ${options.dryRun ? 'would move' : 'moves'} past it; it stays in the DLQ`,
          };
        }
        if (decision.action === 'replay' && !(await targetExists(decision.target))) {
          decision = {
            action: 'fail',
            reason: `${topic}:${batch.partition}:${raw.offset}: target topic "${decision.target}" does not exist`,
          };
        }
        if (decision.action === 'replay') await options.pacer.take(options.signal);
        record(summary, message, decision, options.planLimit);
        if (decision.action === 'fail' && decision.unroutable) {
          summary.unroutable = (summary.unroutable ?? 0) + 1;
          const offsets = passedOver.get(batch.partition) ?? [];
          offsets.push(raw.offset);
          passedOver.set(batch.partition, offsets);
        } else if (decision.action === 'fail') {
          stoppedAt.set(batch.partition, raw.offset);
          continue;
        }
        if (decision.action === 'replay') {
          chunk.targets.push(decision.target);
          const headers: IHeaders = { ...(message.rawHeaders ?? {}), ...markHeaders(message, options.jobId) };
          const list = chunk.outgoing.get(decision.target) ?? [];
          const copy = { key: raw.key, value: raw.value, headers };
          list.push(copy);
          chunk.outgoing.set(decision.target, list);
          chunk.bytes += copyBytes(copy);
        }
        if (chunk.offsets.size === 0) chunk.startedAt = Date.now();
        chunk.offsets.set(batch.partition, (BigInt(raw.offset) + 1n).toString());
        if (chunk.targets.length >= CHUNK_MESSAGES || chunk.bytes >= CHUNK_BYTES) await flush(true);
        else if (Date.now() - chunk.startedAt > CHUNK_MS) await flush(false);
      }
      if (Date.now() - chunk.startedAt > CHUNK_MS) await flush(false);
    }
    if (!read.complete && !limitReached && !options.signal?.aborted)
      summary.notes.push(
        `stopped before the end of ${topic}: nothing more arrived for 3 s (an open transaction of another producer holds read_committed readers back?); run again to continue`,
      );
    for (const [partition, offsets] of [...passedOver].sort((a, b) => a[0] - b[0])) {
      const shown =
        offsets.slice(0, 10).join(', ') + (offsets.length > 10 ? `, … (${offsets.length} in all)` : '');
      summary.notes.push(
        `partition ${partition}: ${offsets.length} record(s) with no origin and no --to ${options.dryRun ? 'would be' : 'were'} moved past, at offset(s) ${shown}; ` +
          `they stay in the DLQ and this job does not return to them (copy them with --to TOPIC --where 'not origin exists')`,
      );
    }
    for (const [partition, offset] of [...stoppedAt].sort((a, b) => a[0] - b[0])) {
      const later = heldBack.get(partition) ?? 0;
      summary.notes.push(
        `partition ${partition} ${options.dryRun ? 'would stop' : 'stopped'} at offset ${offset}, its first failed record` +
          (later > 0 ? `; ${later} later record(s) of it wait for the next run` : '') +
          ' (the job never moves past a failed record that a later run could copy)',
      );
    }
    await flush(true);
    await previous;
    raiseIfFailed();
    if (slowestCommitMs > 2 * CHUNK_MS)
      summary.notes.push(
        `a transaction took up to ${slowestCommitMs} ms to send and commit (a slow broker or machine): copies reached ${describeTargets(summary)} in bursts up to that far apart`,
      );
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
        // The progress records go in the same transaction as the copies and the group offsets.
        await transaction.sendBatch({
          topicMessages: [
            {
              topic: PROGRESS_TOPIC,
              messages: [...offsets].map(([partition, next]) => ({
                key: `${jobId}:${topic}:${partition}`,
                value: JSON.stringify({
                  job: jobId,
                  dlq: topic,
                  partition,
                  next,
                  at: new Date().toISOString(),
                }),
              })),
            },
          ],
        });
        await transaction.sendOffsets({
          consumerGroupId: jobId,
          topics: [{ topic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset })) }],
        });
      });
      // Test-only pauses (inert unless MQCTL_TEST_PAUSE_AT is set): a kill with the copies written but not
      // committed, and right after the commit (kafka:committing, EndTxn written and its answer not read, is in
      // the socket layer: src/brokers/kafka/connection.ts).
      testPause('kafka:sent');
      await this.connection.call('commit the transaction', () => transaction.commit());
      testPause('kafka:committed');
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
    refuseProtected('purge', { kind: 'kafka', type: 'topic', name: topic });
    await this.requireTopic(topic, 'purge');
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
  /** copyBytes of the copies so far (see CHUNK_BYTES). */
  bytes: number;
}

/** Takes a message counted as replayed out of the summary (its copy was never sent). */
function uncount(summary: ReplaySummary, target: string): void {
  summary.replayed--;
  summary.targets[target] = (summary.targets[target] ?? 1) - 1;
  if (summary.targets[target] === 0) delete summary.targets[target];
}

function newChunk(): Chunk {
  return { startedAt: Date.now(), outgoing: new Map(), targets: [], offsets: new Map(), bytes: 0 };
}

/** Whether a transactional call failed because a newer producer with the same transactional.id fenced this one. */
export function isFenced(error: unknown): boolean {
  let e = error as {
    type?: string;
    code?: number;
    message?: string;
    cause?: unknown;
    originalError?: unknown;
  };
  for (let depth = 0; e && depth < 6; depth++) {
    if (e.type === 'INVALID_PRODUCER_EPOCH' || e.type === 'PRODUCER_FENCED' || e.code === 47 || e.code === 90)
      return true;
    if (/INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|Unknown error code 90\b/.test(e.message ?? '')) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/**
 * The retry topics of a Spring `@RetryableTopic` chain ending in `dlq` (`<base>-dlt`, or `<base>.DLT` with the
 * same separator): `<base>-retry`, `<base>-retry-<n>` (index or delay suffix), in stage order.
 */
export function retryStagesOf(dlq: string, topics: string[]): string[] {
  const match = /^(.*)([-.])(dlt|DLT)$/.exec(dlq);
  if (!match) return [];
  const [, base, sep] = match;
  const retry = `${base}${sep}retry`;
  const stages = topics.filter(
    (t) => t === retry || (t.startsWith(`${retry}-`) && /^\d+$/.test(t.slice(retry.length + 1))),
  );
  const order = (t: string) => (t === retry ? -1 : Number(t.slice(retry.length + 1)));
  return stages.sort((a, b) => order(a) - order(b));
}

function describeTargets(summary: ReplaySummary): string {
  const targets = Object.keys(summary.targets);
  return targets.length === 1 ? targets[0]! : 'their targets';
}
