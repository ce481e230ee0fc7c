import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from '../../../src/brokers/kafka/kafkajs';
import { dlqFor } from '../../../src/brokers/dlq';
import { KafkaConnection } from '../../../src/brokers/kafka/connection';
import { CHUNK_BYTES, copyBytes } from '../../../src/brokers/kafka/dlq';
import { buildFilter } from '../../../src/dlq/filter';
import { UNPACED } from '../../../src/dlq/rate';
import { replayJobId } from '../../../src/dlq/replay';
import { LOCAL, requireKafka, uniqueName } from '../../helpers/brokers';
import {
  createTopics,
  deleteTopics,
  produceAll,
  readAllCommitted,
  springDltHeaders,
} from '../../helpers/dlq-fixtures';
import { forgetReplayProgress } from '../../helpers/leftovers';

const kafka = new Kafka({
  brokers: [LOCAL.kafka.brokers],
  clientId: 'dlq-large',
  logLevel: logLevel.NOTHING,
});

/** A Java stack trace as Spring's DeadLetterPublishingRecoverer stores it: 8 KiB is an ordinary one. */
const TRACE = `java.net.SocketTimeoutException: Read timed out\n${'\tat com.example.orders.Client.call(Client.java:42)\n'.repeat(160)}`;
const TOTAL = 600;

describe('dlq replay on Kafka with dead letters the size Spring writes them', () => {
  const origin = uniqueName('large-orders');
  const dlq = `${origin}-dlt`;
  const conn = new KafkaConnection(
    { name: '(test)', kind: 'kafka', brokers: [LOCAL.kafka.brokers] } as never,
    {
      timeoutMs: 10_000,
    },
  );

  before(async () => {
    await requireKafka();
    // one origin partition: every copy of a chunk goes into one record batch
    await createTopics(kafka, [
      { topic: origin, partitions: 1 },
      { topic: dlq, partitions: 1 },
    ]);
    const deadLetters = Array.from({ length: TOTAL }, (_, i) => ({
      key: `order-${i}`,
      value: JSON.stringify({ i }),
      headers: {
        ...springDltHeaders({
          topic: origin,
          partition: 0,
          offset: i,
          exceptionClass: 'java.net.SocketTimeoutException',
          exceptionMessage: 'Read timed out',
        }),
        'kafka_dlt-exception-stacktrace': Buffer.from(TRACE),
      },
    }));
    // written 50 at a time: the fixture's producer sends what it is given as one batch (the limit at issue)
    for (let i = 0; i < TOTAL; i += 50) await produceAll(kafka, dlq, deadLetters.slice(i, i + 50));
  });

  after(async () => {
    await conn.close();
    await forgetReplayProgress([dlq]);
    await deleteTopics(kafka, [origin, dlq]);
  });

  it('an unthrottled replay of 600 dead letters with 8 KiB stack traces (4.9 MB, over the broker default message.max.bytes of 1 MiB in one batch) copies each once and exits clean', async () => {
    // the premise: the whole DLQ in one chunk is several times what the broker takes in one record batch
    assert.ok(TOTAL * TRACE.length > 4 * 1024 * 1024);
    assert.ok(copyBytes({ key: 'k', value: '{}', headers: { h: Buffer.from(TRACE) } }) > TRACE.length);
    assert.ok(CHUNK_BYTES <= (1024 * 1024) / 2);
    const filter = buildFilter({});
    const summary = await dlqFor(conn).replay(dlq, {
      filter,
      maxReplays: 3,
      pacer: UNPACED,
      dryRun: false,
      jobId: replayJobId(dlq, undefined, filter, 3) + uniqueName('-t'),
    });
    assert.equal(summary.failed, 0, summary.failures.join('\n'));
    assert.equal(summary.replayed, TOTAL);
    const copies = await readAllCommitted(kafka, origin);
    assert.equal(copies.length, TOTAL);
    assert.equal(new Set(copies.map((c) => c.key)).size, TOTAL);
    assert.equal(copies[0]!.headers['kafka_dlt-exception-stacktrace'], TRACE);
  });
});
