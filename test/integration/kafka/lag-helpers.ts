import type { Kafka } from 'kafkajs';
import { connect } from '../../../src/brokers';
import type { KafkaConnection } from '../../../src/brokers/kafka/connection';
import { resolveContext } from '../../../src/config/resolve';
import { ConfigStore } from '../../../src/config/store';
import { join } from 'node:path';
import { LOCAL } from '../../helpers/brokers';
import { tempDir } from '../../helpers/tmp';

export function kafkaConnection(timeoutMs = 10_000): KafkaConnection {
  const store = new ConfigStore(join(tempDir('mqctl-lag-'), 'config.yaml'));
  const ctx = resolveContext({ kind: 'kafka', brokers: LOCAL.kafka.brokers }, {}, store);
  return connect(ctx, { timeoutMs }) as KafkaConnection;
}

/** Produces `perPartition` messages to each partition; message i of partition p has timestamp base + i. */
export async function produceWithTimestamps(
  kafka: Kafka,
  topic: string,
  partitions: number,
  perPartition: number,
  base: number,
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let p = 0; p < partitions; p++) {
      for (let start = 0; start < perPartition; start += 1000) {
        const messages = [];
        for (let i = start; i < Math.min(perPartition, start + 1000); i++) {
          messages.push({ partition: p, value: `m-${p}-${i}`, timestamp: String(base + i) });
        }
        await producer.send({ topic, messages, acks: -1 });
      }
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * A real consumer in group `groupId` that takes exactly `total` messages, commits exactly what it
 * consumed, and leaves. Returns the messages consumed per partition.
 */
export async function consumeExactly(
  kafka: Kafka,
  topic: string,
  groupId: string,
  total: number,
  timeoutMs = 30_000,
): Promise<Map<number, number>> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const perPartition = new Map<number, number>();
  const next = new Map<number, number>();
  let consumed = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      for (const message of batch.messages) {
        if (consumed >= total) break;
        consumed++;
        perPartition.set(batch.partition, (perPartition.get(batch.partition) ?? 0) + 1);
        next.set(batch.partition, Number(message.offset) + 1);
        resolveOffset(message.offset);
      }
      if (consumed >= total) {
        consumer.pause([{ topic }]);
        done();
      }
    },
  });
  const timer = setTimeout(() => done(), timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.commitOffsets(
    [...next.entries()].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })),
  );
  await consumer.disconnect();
  if (consumed !== total) throw new Error(`consumed ${consumed} of ${total} within ${timeoutMs} ms`);
  return perPartition;
}
