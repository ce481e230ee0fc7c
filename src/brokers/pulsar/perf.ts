import { NotFoundError, UsageError } from '../../core/errors';
import type {
  PerfChunk,
  PerfConsumerDriver,
  PerfConsumerOptions,
  PerfProducerDriver,
  PerfProducerOptions,
  PerfRecordListener,
} from '../contracts/perf';
import { PERF_STAMP_HEADER } from '../contracts/perf';
import type { PulsarConnection } from './connection';
import { binaryProducerSettings, PulsarBinaryPerfConsumer, PulsarBinaryPerfProducer } from './perf-binary';
import { parsePulsarTopic } from './topic-name';
import type { PulsarWsConsumer, PulsarWsProducer } from './websocket';

/**
 * pulsar-perf's producer over the broker's WebSocket API (the pure-JavaScript data path; the native
 * client is optional and not installed by default). The broker-side producer batches (`--batching`,
 * `--batch-delay`) and bounds pending sends (`--max-pending`); every record's send receipt settles it.
 */
export class PulsarPerfProducer implements PerfProducerDriver {
  readonly description: string;
  readonly maxOutstanding: number;
  onReady?: () => void;
  private unsettled = 0;

  constructor(
    private readonly producer: PulsarWsProducer,
    options: PerfProducerOptions,
  ) {
    const p = options.pulsar;
    this.maxOutstanding = p.maxPending;
    this.description = `websocket API, ${p.batching ? `batching (${p.batchDelayMs} ms)` : 'no batching'}, max pending ${p.maxPending}`;
  }

  send(chunk: PerfChunk): void {
    const records = chunk.records;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      this.unsettled++;
      this.producer
        .send({ payload: record.value, key: record.key, properties: { [PERF_STAMP_HEADER]: record.stamp } })
        .then(
          () => {
            this.unsettled--;
            chunk.settle(i);
          },
          (error: Error) => {
            this.unsettled--;
            chunk.settle(i, error);
          },
        );
    }
  }

  blocked(): boolean {
    return false;
  }

  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.unsettled > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }

  async close(): Promise<void> {
    await this.producer.close().catch(() => undefined);
  }
}

async function topicExists(connection: PulsarConnection, topic: string): Promise<boolean> {
  const t = parsePulsarTopic(topic);
  const nsPath = `/admin/v2/${t.domain}/${t.tenant}/${t.namespace}`;
  const [plain, partitioned] = await Promise.all([
    connection.admin.get<string[]>(nsPath),
    connection.admin.get<string[]>(`${nsPath}/partitioned`),
  ]);
  return [...plain, ...partitioned].some(
    (name) => name === t.full || name.startsWith(`${t.full}-partition-`),
  );
}

async function ensureTopic(connection: PulsarConnection, options: PerfProducerOptions): Promise<void> {
  if (await topicExists(connection, options.topic)) return;
  const t = parsePulsarTopic(options.topic);
  if (!options.create) {
    throw new NotFoundError(`topic ${t.full} not found on Pulsar at ${connection.target}`, {
      hint: 'create it first, or pass --create-topic (with --partitions)',
    });
  }
  const partitions = options.create.partitions;
  await connection.admin.request({
    method: 'PUT',
    path: `/admin/v2/${t.restPath}${partitions > 1 ? '/partitions' : ''}`,
    ...(partitions > 1 ? { body: partitions } : {}),
    subject: `topic ${t.full}`,
  });
}

export async function createPulsarPerfProducer(
  connection: PulsarConnection,
  options: PerfProducerOptions,
): Promise<PerfProducerDriver> {
  await ensureTopic(connection, options);
  const p = options.pulsar;
  if (connection.perfClient(p.client).client === 'binary') {
    const settings = binaryProducerSettings(options);
    const producer = await connection.binary.createProducer(options.topic, settings);
    const driver = new PulsarBinaryPerfProducer(producer, settings);
    connection.onClose(() => driver.close());
    return driver;
  }
  const producer = await connection.websocket.producer(options.topic, {
    batchingEnabled: p.batching,
    batchingMaxPublishDelay: p.batchDelayMs,
    maxPendingMessages: p.maxPending,
    sendTimeoutMillis: Math.max(30_000, connection.timeoutMs),
  });
  const driver = new PulsarPerfProducer(producer, options);
  connection.onClose(() => driver.close());
  return driver;
}

/** A durable subscription over WebSocket; every record is acknowledged after it was counted. */
export class PulsarPerfConsumer implements PerfConsumerDriver {
  readonly description: string;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly consumer: PulsarWsConsumer,
    options: PerfConsumerOptions & { group: string },
  ) {
    this.description = `websocket API, ${options.members && options.members > 1 ? 'Shared' : 'Exclusive'} subscription ${options.group}, receiver queue ${options.prefetch}`;
  }

  async start(onRecord: PerfRecordListener): Promise<void> {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const m = await this.consumer.receive(200);
        if (!m) continue;
        onRecord(m.payload.length, m.properties[PERF_STAMP_HEADER], m.payload, m.messageId);
        this.consumer.ack(m.messageId);
      }
    })();
  }

  async close(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    await this.consumer.close().catch(() => undefined);
  }
}

export async function checkPulsarPerfTopic(connection: PulsarConnection, topic: string): Promise<void> {
  if (!(await topicExists(connection, topic))) {
    throw new NotFoundError(
      `topic ${parsePulsarTopic(topic).full} not found on Pulsar at ${connection.target}`,
    );
  }
}

export async function createPulsarPerfConsumer(
  connection: PulsarConnection,
  options: PerfConsumerOptions,
): Promise<PerfConsumerDriver> {
  await checkPulsarPerfTopic(connection, options.topic);
  const group = options.group ?? `mqctl-perf-${process.pid}-${Date.now().toString(36)}`;
  if (connection.perfClient(options.pulsarClient).client === 'binary') {
    const consumer = await connection.binary.subscribe(options.topic, group, {
      // several consumer threads share the subscription; one consumer keeps it to itself
      subscriptionType: options.members && options.members > 1 ? 'Shared' : 'Exclusive',
      initialPosition: options.from === 'earliest' ? 'Earliest' : 'Latest',
      receiverQueueSize: options.prefetch,
      ackGroupMs: 100,
      ...(options.pulsarAck
        ? { ackType: options.pulsarAck === 'individual' ? ('Individual' as const) : ('Cumulative' as const) }
        : {}),
    });
    const driver = new PulsarBinaryPerfConsumer(consumer, { ...options, group });
    connection.onClose(() => driver.close());
    return driver;
  }
  if (options.pulsarAck)
    throw new UsageError(
      '--pulsar-ack needs the binary client (the WebSocket API acknowledges each message)',
      {
        hint: 'add --pulsar-client binary',
      },
    );
  const consumer = await connection.websocket.consumer(options.topic, group, {
    // several consumer threads share the subscription; one consumer keeps it to itself
    subscriptionType: options.members && options.members > 1 ? 'Shared' : 'Exclusive',
    receiverQueueSize: options.prefetch,
    subscriptionInitialPosition: options.from === 'earliest' ? 'Earliest' : 'Latest',
  });
  const driver = new PulsarPerfConsumer(consumer, { ...options, group });
  connection.onClose(() => driver.close());
  return driver;
}
