import { join } from 'node:path';
import { UsageError } from '../../core/errors';
import type { PerfChunk, PerfProducerDriver, PerfProducerOptions } from '../contracts/perf';
import { PERF_STAMP_HEADER } from '../contracts/perf';
import type { KafkaConnection } from './connection';
import { kafkaSasl } from './connection';
import { mapKafkaError } from './errors';

/**
 * The librdkafka data path (`--kafka-client librdkafka`) through @confluentinc/kafka-javascript's
 * KafkaJS-compatible API. Not a dependency of mqctl (its native build takes minutes and needs
 * libssl/libsasl2/libzstd/libcurl headers): install it next to mqctl, or point MQCTL_RDKAFKA_PATH at a
 * directory whose node_modules holds it. librdkafka batches itself (linger.ms, batch.size), so each
 * chunk goes out as one send() whose promise resolves when every record in it is acknowledged.
 */
interface RdProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: {
    topic: string;
    messages: Array<{ key?: string; value: Buffer; headers?: Record<string, string> }>;
  }): Promise<unknown>;
}

interface RdModule {
  KafkaJS: { Kafka: new (config: unknown) => { producer(config: unknown): RdProducer } };
  librdkafkaVersion?: string;
}

function loadRdkafka(): RdModule {
  const paths = [process.env.MQCTL_RDKAFKA_PATH, process.cwd()].filter((p): p is string => Boolean(p));
  try {
    const resolved = require.resolve('@confluentinc/kafka-javascript', {
      paths: [...paths.map((p) => join(p, 'node_modules')), ...paths, __dirname],
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(resolved) as RdModule;
  } catch (error) {
    throw new UsageError(
      `--kafka-client librdkafka needs @confluentinc/kafka-javascript (${(error as Error).message.split('\n')[0]})`,
      {
        hint: 'CKJS_LINKING=dynamic npm install @confluentinc/kafka-javascript (needs libssl-dev libsasl2-dev libzstd-dev libcurl4-openssl-dev), or set MQCTL_RDKAFKA_PATH',
      },
    );
  }
}

export class RdkafkaPerfProducer implements PerfProducerDriver {
  readonly description: string;
  onReady?: () => void;
  private unsettled = 0;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly producer: RdProducer,
    private readonly options: PerfProducerOptions,
    version: string,
  ) {
    const k = options.kafka;
    this.description = `librdkafka ${version} (@confluentinc/kafka-javascript), acks=${k.acks === -1 ? 'all' : k.acks}, batch.size ${k.batchBytes} B, linger.ms ${k.lingerMs}, compression ${k.compression}${k.idempotent ? ', idempotent' : ''}`;
  }

  send(chunk: PerfChunk): void {
    const n = chunk.records.length;
    if (n === 0) return;
    this.unsettled += n;
    const messages = chunk.records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: { [PERF_STAMP_HEADER]: r.stamp },
    }));
    this.producer.send({ topic: this.options.topic, messages }).then(
      () => {
        this.unsettled -= n;
        chunk.settleRange(0, n);
      },
      (error: unknown) => {
        this.unsettled -= n;
        chunk.settleRange(0, n, mapKafkaError(error, this.connection.target, this.options.topic));
      },
    );
  }

  blocked(): boolean {
    return false;
  }

  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.unsettled > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}

export async function createRdkafkaPerfProducer(
  connection: KafkaConnection,
  options: PerfProducerOptions,
): Promise<RdkafkaPerfProducer> {
  const mod = loadRdkafka();
  const k = options.kafka;
  if (k.transactionalId)
    throw new UsageError('--transactional-id is not wired for --kafka-client librdkafka yet');
  const sasl = kafkaSasl(connection.settings) as
    { mechanism: string; username: string; password: string } | undefined;
  const kafka = new mod.KafkaJS.Kafka({
    kafkaJS: {
      brokers: connection.settings.brokers,
      clientId: 'mqctl-perf',
      ssl: Boolean(connection.settings.tls?.enabled),
      ...(sasl ? { sasl } : {}),
      connectionTimeout: connection.timeoutMs,
      logLevel: 0,
    },
  });
  const producer = kafka.producer({
    kafkaJS: {
      acks: k.acks,
      idempotent: k.idempotent,
      ...(k.compression === 'none' ? {} : { compression: k.compression }),
      allowAutoTopicCreation: false,
    },
    'linger.ms': k.lingerMs,
    'batch.size': k.batchBytes,
    'max.in.flight.requests.per.connection': k.maxInFlight,
    'queue.buffering.max.messages': 1_000_000,
  });
  await connection.call('connect producer (librdkafka)', () => producer.connect(), options.topic);
  const driver = new RdkafkaPerfProducer(connection, producer, options, mod.librdkafkaVersion ?? '?');
  connection.onClose(() => driver.close());
  return driver;
}
