import type {
  PerfChunk,
  PerfConsumerDriver,
  PerfConsumerOptions,
  PerfProducerDriver,
  PerfProducerOptions,
  PerfRecordListener,
} from '../contracts/perf';
import { PERF_STAMP_HEADER } from '../contracts/perf';
import type { PulsarBinaryConsumer, PulsarBinaryProducer } from './binary/client';
import { DEFAULT_PRODUCER_SETTINGS, type ProducerSettings, type SendSink } from './binary/producer';
import type { KeyValue } from './binary/proto';

/**
 * pulsar-perf's producer on mqctl's binary-protocol client: batches built like the Java client's
 * (≤ 1000 records, ≤ 128 KiB, or after --batch-delay), at most --max-pending records unacknowledged;
 * each SEND_RECEIPT settles every record of its batch.
 */
export class PulsarBinaryPerfProducer implements PerfProducerDriver {
  readonly description: string;
  readonly maxOutstanding: number;
  onReady?: () => void;
  private unsettled = 0;

  constructor(
    private readonly producer: PulsarBinaryProducer,
    settings: ProducerSettings,
  ) {
    this.maxOutstanding = settings.maxPending;
    const partitions = producer.partitions.length;
    this.description =
      `binary protocol (mqctl), ${settings.batching ? `batching (${settings.batchDelayMs} ms, ≤ ${settings.batchingMaxMessages} records, ≤ ${settings.maxBatchBytes / 1024} KiB)` : 'no batching'}, max pending ${settings.maxPending}` +
      (partitions > 1 ? `, ${partitions} partitions` : '');
    producer.onReady = () => this.onReady?.();
  }

  send(chunk: PerfChunk): void {
    const sink: SendSink = {
      settle: (index, error) => {
        this.unsettled--;
        chunk.settle(index, error);
      },
    };
    const records = chunk.records;
    this.unsettled += records.length;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const properties: KeyValue[] = [{ key: PERF_STAMP_HEADER, value: record.stamp }];
      this.producer.send({ payload: record.value, key: record.key, properties }, sink, i);
    }
  }

  blocked(): boolean {
    return this.producer.blocked();
  }

  async flush(timeoutMs: number): Promise<void> {
    await this.producer.flush(timeoutMs);
    const deadline = Date.now() + timeoutMs;
    while (this.unsettled > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

export function binaryProducerSettings(options: PerfProducerOptions): ProducerSettings {
  const p = options.pulsar;
  return {
    ...DEFAULT_PRODUCER_SETTINGS,
    batching: p.batching,
    batchDelayMs: Math.max(0, p.batchDelayMs),
    maxPending: p.maxPending,
  };
}

function stampOf(properties: KeyValue[]): string | undefined {
  for (let i = 0; i < properties.length; i++)
    if (properties[i]!.key === PERF_STAMP_HEADER) return properties[i]!.value;
  return undefined;
}

/** A durable subscription on the binary protocol; records are acknowledged after they were counted. */
export class PulsarBinaryPerfConsumer implements PerfConsumerDriver {
  readonly description: string;
  /** the first failure (connection lost, topic unloaded): the run then ends by its idle timeout */
  failure?: Error;

  constructor(
    private readonly consumer: PulsarBinaryConsumer,
    options: PerfConsumerOptions & { group: string },
  ) {
    const partitions = consumer.partitions.length;
    this.description =
      `binary protocol (mqctl), subscription ${options.group}, receiver queue ${options.prefetch}, ${options.pulsarAck ?? (options.members && options.members > 1 ? 'individual' : 'cumulative')} acks` +
      (partitions > 1 ? `, ${partitions} partitions` : '');
  }

  async start(onRecord: PerfRecordListener): Promise<void> {
    this.consumer.start(
      (record) =>
        onRecord(
          record.payload.length,
          stampOf(record.properties),
          record.payload,
          `${record.messageId.ledgerId}:${record.messageId.entryId}:${record.messageId.batchIndex ?? -1}${record.redeliveryCount ? ` redelivery ${record.redeliveryCount}` : ''}`,
        ),
      (error) => {
        this.failure ??= error;
      },
    );
  }

  /** A crash: nothing more is handed out or acknowledged; after `hangMs` the connections drop uncleanly. */
  async kill(hangMs: number): Promise<void> {
    await this.consumer.kill(hangMs);
  }

  async close(): Promise<void> {
    await this.consumer.close();
  }
}
