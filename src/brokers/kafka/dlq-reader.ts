import { randomBytes } from 'node:crypto';
import type { Consumer, KafkaMessage } from './kafkajs';
import type { KafkaConnection } from './connection';
import { UnavailableError } from '../../core/errors';
import { mapKafkaError } from './errors';

export interface KafkaRangeBatch {
  partition: number;
  messages: KafkaMessage[];
}

export interface KafkaRangeOptions {
  topic: string;
  /** First offset to read, per partition. */
  start: Map<number, bigint>;
  /** Stop before this offset, per partition (the high watermark when the run began). */
  end: Map<number, bigint>;
  signal?: AbortSignal;
  /**
   * With nothing fetched for this long (10 s by default; counted from the group join), the range is taken as
   * read: control records can end a log, and kafkajs does not hand over batches of control records only.
   */
  idleMs?: number;
  /** Set when the generator ends: whether every partition reached its end (false: idle, aborted). */
  result?: { complete: boolean };
  /**
   * Yield across partitions in one deterministic order: by timestamp, then partition, then offset (a k-way
   * merge; fetching a partition pauses while 5,000 of its messages wait in the merge, resumes below 1,000).
   */
  ordered?: boolean;
}

/** Ordered mode: a partition's fetching pauses at this many buffered messages and resumes below the low mark. */
const BUFFER_HIGH = 5000;
const BUFFER_LOW = 1000;

/** Merge order: timestamp, then partition, then offset. */
function before(a: { ts: bigint; p: number; o: bigint }, b: { ts: bigint; p: number; o: bigint }): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  if (a.p !== b.p) return a.p < b.p;
  return a.o < b.o;
}

/**
 * Reads a fixed offset range of a topic without committing anything: a consumer in a throwaway group
 * (random id, autoCommit off, never commits, deleted afterwards) seeks each partition to its start and
 * yields batches until every partition reached its end. kafkajs has no manual `assign`, hence the group.
 */
export async function* readKafkaRange(
  connection: KafkaConnection,
  options: KafkaRangeOptions,
): AsyncGenerator<KafkaRangeBatch> {
  const remaining = new Set<number>();
  for (const [p, end] of options.end) if ((options.start.get(p) ?? 0n) < end) remaining.add(p);
  if (options.result) options.result.complete = remaining.size === 0;
  if (remaining.size === 0) return;

  const groupId = `mqctl-dlq-read-${randomBytes(6).toString('hex')}`;
  const consumer: Consumer = connection.kafka.consumer({
    groupId,
    sessionTimeout: 30_000,
    maxWaitTimeInMs: 250,
    maxBytesPerPartition: 1024 * 1024,
    readUncommitted: false,
    retry: { retries: 2 },
  });
  const position = new Map(options.start);
  const buffers = options.ordered ? new Map<number, KafkaMessage[]>() : undefined;

  /** The ordered mode's loop: yields runs of messages in (timestamp, partition, offset) order. */
  async function* mergeBuffered(): AsyncGenerator<KafkaRangeBatch> {
    const idleMs = options.idleMs ?? 10_000;
    const key = (p: number, m: KafkaMessage) => ({ ts: BigInt(m.timestamp), p, o: BigInt(m.offset) });
    for (;;) {
      if (failure) throw mapKafkaError(failure, connection.target, `reading ${options.topic}`);
      if (options.signal?.aborted) return;
      const withData = [...buffers!].filter(([, b]) => b.length > 0).map(([p]) => p);
      const waiting = [...remaining].filter((p) => (buffers!.get(p)?.length ?? 0) === 0);
      if (withData.length === 0 && remaining.size === 0) break;
      const idle = isIdle(idleMs);
      if (withData.length > 0 && (waiting.length === 0 || idle)) {
        // The partition with the smallest head gives messages while they come before every other head.
        let best = withData[0]!;
        for (const p of withData)
          if (before(key(p, buffers!.get(p)![0]!), key(best, buffers!.get(best)![0]!))) best = p;
        const others = withData.filter((p) => p !== best).map((p) => key(p, buffers!.get(p)![0]!));
        const buffer = buffers!.get(best)!;
        let n = 0;
        while (n < buffer.length && others.every((o) => before(key(best, buffer[n]!), o))) n++;
        const run = buffer.splice(0, n);
        if (buffer.length < BUFFER_LOW && remaining.has(best)) flow('resume', best);
        yield { partition: best, messages: run };
        lastActivity = Date.now();
        continue;
      }
      if (idle) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        const t = setTimeout(resolve, 200);
        t.unref?.();
      });
    }
    if (options.result) options.result.complete = remaining.size === 0;
  }
  let slot: { batch: KafkaRangeBatch; release: () => void } | undefined;
  let wake: (() => void) | undefined;
  let failure: unknown;
  let lastActivity = Date.now();
  // The idle clock runs only once the reader's group is joined: a join can take seconds (the broker's
  // group.initial.rebalance.delay.ms, a loaded machine), and an idle clock started before it ended the read
  // with nothing read (a replay then reported 0 examined and exited 0).
  let joined = false;
  const joinMs = Math.max(30_000, 3 * connection.timeoutMs);
  const joinDeadline = Date.now() + joinMs;
  const isIdle = (idleMs: number): boolean => {
    if (joined) return Date.now() - lastActivity > idleMs;
    if (Date.now() > joinDeadline)
      throw new UnavailableError(
        `reading ${options.topic} on Kafka at ${connection.target}: the reader's consumer group was not joined within ${joinMs / 1000} s`,
        { hint: 'is the group coordinator up? try again, or raise --timeout' },
      );
    return false;
  };
  let stopped = false;

  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  /**
   * pause/resume/seek of the reader's consumer. kafkajs throws "Consumer group was not initialized" from these
   * while it handles a crash (a partition leader or the group coordinator died): it stops the consumer before
   * it emits CRASH. That is the read failing, not a bug of the caller: record it (the CRASH event, right after,
   * replaces it with its cause) so the read ends with the broker's error and nothing is committed past what
   * was copied, instead of an "unexpected error" thrown out of an event handler.
   */
  const flow = (action: 'pause' | 'resume' | 'seek', partition: number, offset?: bigint): void => {
    try {
      if (action === 'seek') consumer.seek({ topic: options.topic, partition, offset: String(offset) });
      else consumer[action]([{ topic: options.topic, partitions: [partition] }]);
    } catch (error) {
      failure ??= new UnavailableError(
        `reading ${options.topic} on Kafka at ${connection.target}: the reader's consumer stopped (${(error as Error).message})`,
        {
          hint: 'a broker of the cluster went away: run the replay again once the partitions have leaders (nothing is lost: progress is committed only with the copies)',
        },
      );
      notify();
    }
  };

  try {
    await connection.call(
      'start a reader',
      async () => {
        await consumer.connect();
        await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      },
      `topic ${options.topic}`,
    );
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
      lastActivity = Date.now();
      notify();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      failure = event.payload.error;
      notify();
    });
    // A fetch holding only transaction markers or aborted records (the end of a transactional log, often
    // fetched on its own) never reaches eachBatch; kafkajs reports it only as a batch of 0 messages in its
    // END_BATCH_PROCESS event, whose last offset moves the position on. Without it the read would stop
    // there and end only on the idle timeout, as incomplete.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, batchSize, lastOffset } = event.payload;
      if (stopped || topic !== options.topic || batchSize !== 0) return;
      const next = BigInt(lastOffset) + 1n;
      if (next <= (position.get(partition) ?? 0n)) return;
      position.set(partition, next);
      lastActivity = Date.now();
      if (next >= (options.end.get(partition) ?? 0n) && remaining.delete(partition)) flow('pause', partition);
      notify();
    });
    await connection.call('start a reader', () =>
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, heartbeat, resolveOffset }) => {
          if (stopped) return;
          const p = batch.partition;
          const from = position.get(p) ?? 0n;
          const end = options.end.get(p) ?? 0n;
          const messages = batch.messages.filter((m) => {
            const o = BigInt(m.offset);
            return o >= from && o < end;
          });
          if (messages.length > 0 && buffers) {
            lastActivity = Date.now();
            const buffer = buffers.get(p) ?? [];
            buffer.push(...messages);
            buffers.set(p, buffer);
            position.set(p, BigInt(messages[messages.length - 1]!.offset) + 1n);
            // Fetching runs ahead of the merge up to a bound per partition (a partition the merge is not
            // taking from yet must not fill memory), and resumes as the merge drains it.
            if (buffer.length >= BUFFER_HIGH) flow('pause', p);
          } else if (messages.length > 0) {
            lastActivity = Date.now();
            await new Promise<void>((release) => {
              slot = { batch: { partition: p, messages }, release };
              notify();
              const beat = setInterval(() => heartbeat().catch(() => undefined), 3000);
              const done = release;
              slot.release = () => {
                clearInterval(beat);
                done();
              };
            });
            position.set(p, BigInt(messages[messages.length - 1]!.offset) + 1n);
          }
          // Move kafkajs's in-memory fetch position on (nothing is committed: autoCommit is off), including
          // past filtered control records at the end of a batch.
          if (batch.messages.length > 0 || !batch.isEmpty()) {
            const lastOffset = batch.lastOffset();
            resolveOffset(lastOffset);
            const last = BigInt(lastOffset) + 1n;
            if (last > (position.get(p) ?? 0n)) position.set(p, last);
          }
          if ((position.get(p) ?? 0n) >= end && remaining.delete(p)) {
            flow('pause', p);
          }
          // Only progress counts as activity: a fetch that returns nothing new must not keep the reader alive.
          if ((position.get(p) ?? 0n) > from) lastActivity = Date.now();
          notify();
        },
      }),
    );
    for (const [partition, offset] of options.start) {
      if (remaining.has(partition)) flow('seek', partition, offset);
    }
    const idleMs = options.idleMs ?? 10_000;
    lastActivity = Date.now();
    if (buffers) {
      yield* mergeBuffered();
      return;
    }
    while (remaining.size > 0) {
      if (failure) throw mapKafkaError(failure, connection.target, `reading ${options.topic}`);
      if (options.signal?.aborted) return;
      if (slot) {
        const current = slot;
        slot = undefined;
        try {
          yield current.batch;
        } finally {
          lastActivity = Date.now();
          current.release();
        }
        continue;
      }
      if (isIdle(idleMs)) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        const t = setTimeout(resolve, 200);
        t.unref?.();
      });
    }
    if (options.result) options.result.complete = remaining.size === 0;
  } finally {
    stopped = true;
    slot?.release();
    await consumer.disconnect().catch(() => undefined);
    const admin = await connection.admin().catch(() => undefined);
    await admin?.deleteGroups([groupId]).catch(() => undefined);
  }
}
