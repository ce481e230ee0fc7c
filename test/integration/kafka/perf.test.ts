import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requireKafka, uniqueName } from '../../helpers/brokers';
import { runConsume, runProduce } from '../../../src/perf/run';
import {
  consumeOptions,
  localConnection,
  produceAtRateThenConsume,
  produceOptions,
  produceThenConsumeWithThreads,
} from '../perf-common';
import { deleteCreated } from '../../helpers/cleanup';

describe('perf on kafka', () => {
  const created: string[] = [];
  const made = (prefix: string): string => {
    const name = uniqueName(prefix);
    created.push(name);
    return name;
  };
  before(() => requireKafka());
  // The topics of this file and what runs derive from them (the RabbitMQ rate check's `-observer` queue).
  after(() => deleteCreated('kafka', created, { prefixes: true }));

  it('produces 50,000 records at 5,000 msg/s: ±2 % over 10 s and ±5 % per 2 s as an outside observer times them, then consumes exactly those back', async () => {
    await produceAtRateThenConsume('kafka', made('mqctl-perf'));
  });

  it('runs the client on its own thread (--client-thread): every record acknowledged once, then read back', async () => {
    const topic = made('mqctl-perf-io');
    const connection = localConnection('kafka');
    let produced;
    try {
      produced = await runProduce(
        connection,
        produceOptions(topic, {
          rate: 10_000,
          durationMs: 2000,
          producers: 2,
          create: { partitions: 3, replicationFactor: 1 },
          clientThread: true,
        }),
      );
    } finally {
      await connection.close();
    }
    const r = produced.result;
    assert.match(r.broker.dataPath ?? '', /own thread/);
    assert.equal(r.errors, 0, (r.errorMessages ?? []).join('; '));
    assert.equal(r.sent, 20_000);
    assert.equal(r.acked, 20_000);
    assert.equal(r.latency.service?.count, 20_000);
    // acknowledgement times come back from the client thread on this thread's clock: never before the send
    assert.ok((r.latency.service?.min ?? -1) >= 0, `service min ${r.latency.service?.min}`);
    assert.ok((r.latency.latency?.min ?? -1) >= 0);

    const consumer = localConnection('kafka');
    try {
      // until 5 s of silence, not until 20,000: a record acknowledged twice would be read twice
      const consumed = await runConsume(consumer, {
        ...consumeOptions(topic, Infinity),
        durationMs: 120_000,
        idleTimeoutMs: 5_000,
      });
      assert.equal(consumed.result.received, 20_000);
      assert.equal(consumed.result.latency.e2e?.count, 20_000);
    } finally {
      await consumer.close();
    }
  });

  it('reports a missing topic from the client thread with exit code 3', async () => {
    const connection = localConnection('kafka');
    try {
      await assert.rejects(
        runProduce(
          connection,
          produceOptions(made('mqctl-perf-missing'), {
            create: undefined,
            clientThread: true,
            durationMs: 500,
          }),
        ),
        (error: Error & { exitCode?: number }) => error.exitCode === 3 && /not found/.test(error.message),
      );
    } finally {
      await connection.close();
    }
  });

  it('perf consume --threads 2 until idle receives exactly the 20,000 produced on 4 partitions', async () => {
    await produceThenConsumeWithThreads('kafka', made('mqctl-perf-threads'));
  });
});
