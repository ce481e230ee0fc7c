import { randomBytes } from 'node:crypto';
import type { Consumer, KafkaMessage } from './kafkajs';
import type { KafkaConnection } from './connection';
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
  /** With nothing fetched for this long, the range is taken as read (control records can end a log). */
  idleMs?: number;
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
  let slot: { batch: KafkaRangeBatch; release: () => void } | undefined;
  let wake: (() => void) | undefined;
  let failure: unknown;
  let lastActivity = Date.now();
  let stopped = false;

  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
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
    consumer.on(consumer.events.CRASH, (event) => {
      failure = event.payload.error;
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
          if (messages.length > 0) {
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
            consumer.pause([{ topic: options.topic, partitions: [p] }]);
          }
          // Only progress counts as activity: a fetch that returns nothing new must not keep the reader alive.
          if ((position.get(p) ?? 0n) > from) lastActivity = Date.now();
          notify();
        },
      }),
    );
    for (const [partition, offset] of options.start) {
      if (remaining.has(partition))
        consumer.seek({ topic: options.topic, partition, offset: offset.toString() });
    }
    const idleMs = options.idleMs ?? 3000;
    lastActivity = Date.now();
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
      if (Date.now() - lastActivity > idleMs) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        const t = setTimeout(resolve, 200);
        t.unref?.();
      });
    }
  } finally {
    stopped = true;
    slot?.release();
    await consumer.disconnect().catch(() => undefined);
    const admin = await connection.admin().catch(() => undefined);
    await admin?.deleteGroups([groupId]).catch(() => undefined);
  }
}
