/**
 * Benchmark (not a test): unthrottled Kafka DLQ replay rate in msg/s, through the same code path as
 * `mqctl dlq replay` (transactional copy + offset commit). Run alone: `node dist/bench/dlq.js [messages]`.
 */
import { Kafka, logLevel } from 'kafkajs';
import { dlqFor } from '../src/brokers/dlq';
import { KafkaConnection } from '../src/brokers/kafka/connection';
import { buildFilter } from '../src/dlq/filter';
import { UNPACED } from '../src/dlq/rate';
import { replayJobId } from '../src/dlq/replay';
import { createTopics, deleteTopics, produceAll, springDltHeaders } from '../test/helpers/dlq-fixtures';

export interface DlqBenchResult {
  name: 'dlq-replay-kafka';
  messages: number;
  payloadBytes: number;
  elapsedMs: number;
  ratePerSecond: number;
}

export async function main(messages = 50_000): Promise<DlqBenchResult> {
  const brokers = process.env.MQCTL_BROKERS ?? '127.0.0.1:9092';
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'dlq-bench', logLevel: logLevel.NOTHING });
  const suffix = `${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 8)}`;
  const origin = `bench-orders-${suffix}`;
  const dlq = `${origin}-dlt`;
  const payload = 'x'.repeat(200);
  await createTopics(kafka, [
    { topic: origin, partitions: 3 },
    { topic: dlq, partitions: 3 },
  ]);
  const connection = new KafkaConnection(
    { name: '(bench)', kind: 'kafka', brokers: brokers.split(',') } as never,
    {
      timeoutMs: 10_000,
    },
  );
  try {
    await produceAll(
      kafka,
      dlq,
      Array.from({ length: messages }, (_, i) => ({
        key: `k${i}`,
        value: payload,
        partition: i % 3,
        headers: springDltHeaders({
          topic: origin,
          partition: i % 3,
          offset: i,
          exceptionClass: 'java.util.concurrent.TimeoutException',
          exceptionMessage: 'timeout',
        }),
      })),
    );
    const filter = buildFilter({});
    const summary = await dlqFor(connection).replay(dlq, {
      filter,
      maxReplays: 3,
      pacer: UNPACED,
      dryRun: false,
      jobId: replayJobId(dlq, undefined, filter, 3),
    });
    const result: DlqBenchResult = {
      name: 'dlq-replay-kafka',
      messages: summary.replayed,
      payloadBytes: payload.length,
      elapsedMs: summary.elapsedMs,
      ratePerSecond: summary.ratePerSecond,
    };
    process.stdout.write(
      `dlq replay (Kafka, unthrottled, transactional): ${result.messages} messages of ${payload.length} B in ` +
        `${(result.elapsedMs / 1000).toFixed(2)} s = ${result.ratePerSecond} msg/s\n`,
    );
    return result;
  } finally {
    await connection.close();
    await deleteTopics(kafka, [origin, dlq]);
  }
}

if (require.main === module) {
  main(Number(process.argv[2] ?? 50_000)).catch((error: unknown) => {
    process.stderr.write(`dlq bench failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
