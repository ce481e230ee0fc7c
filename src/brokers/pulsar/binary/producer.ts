import { MqctlError, UnavailableError } from '../../../core/errors';
import type { CommandHandler, PulsarBinaryConnection } from './connection';
import { serverError } from './errors';
import { encodePayloadCommand, encodeSingleMetadata, type Frame, joinBatch } from './frame';
import { CommandType, type KeyValue, toNumber } from './proto';

/** Where a record's outcome goes: `settle(index)` once, with an error when the broker refused it. */
export interface SendSink {
  settle(index: number, error?: Error): void;
}

export interface ProducerSettings {
  /** group records into batches (one entry, one SEND, one receipt for up to `batchingMaxMessages`) */
  batching: boolean;
  /** a non-full batch leaves after this long (the Java client's batchingMaxPublishDelay) */
  batchDelayMs: number;
  /** the Java client's batchingMaxMessages (default 1000) */
  batchingMaxMessages: number;
  /** the Java client's batchingMaxBytes (default 128 KiB) */
  maxBatchBytes: number;
  /** records handed over and not yet acknowledged (the Java client's maxPendingMessages) */
  maxPending: number;
}

export const DEFAULT_PRODUCER_SETTINGS: ProducerSettings = {
  batching: true,
  batchDelayMs: 1,
  batchingMaxMessages: 1000,
  maxBatchBytes: 128 * 1024,
  maxPending: 1000,
};

export interface OutgoingRecord {
  payload: Buffer;
  key?: string;
  properties: KeyValue[];
}

/** One SEND on the wire: its first sequence id and the records it settles. */
interface InFlight {
  sequenceId: number;
  count: number;
  sinks: SendSink[];
  indexes: number[];
}

/**
 * A producer on one (non-partitioned, or one partition of a partitioned) topic, batching like the Java
 * client: records join the open batch (SingleMessageMetadata encoded as they arrive); the batch leaves
 * when it holds `batchingMaxMessages` records or `maxBatchBytes` bytes, or `batchDelayMs` after its first
 * record. Sequence ids count records; a batch's SEND carries its lowest and highest. Receipts come in
 * order and settle every record of their batch.
 */
export class PartitionProducer implements CommandHandler {
  /** records in the open batch plus records sent and not yet acknowledged */
  pending = 0;
  onReady?: () => void;
  private nextSequenceId = 0;
  private readonly inFlight: InFlight[] = [];
  private inFlightHead = 0;
  /** SingleMessageMetadata, payload, SingleMessageMetadata, payload, … of the open batch */
  private batchParts: Uint8Array[] = [];
  private batchBytes = 0;
  private batchSinks: SendSink[] = [];
  private batchIndexes: number[] = [];
  private batchFirstSequenceId = 0;
  private batchTimer?: NodeJS.Timeout;
  private failure?: Error;
  private closing = false;

  constructor(
    private readonly connection: PulsarBinaryConnection,
    readonly topic: string,
    readonly producerId: number,
    readonly producerName: string,
    private readonly settings: ProducerSettings,
  ) {}

  /** Registers on the connection and waits for PRODUCER_SUCCESS. */
  static async create(
    connection: PulsarBinaryConnection,
    topic: string,
    producerId: number,
    settings: ProducerSettings,
  ): Promise<PartitionProducer> {
    const requestId = connection.newRequestId();
    const answer = await connection.request(
      requestId,
      { type: CommandType.PRODUCER, producer: { topic, producerId, requestId } },
      `producer on ${topic}`,
    );
    const producer = new PartitionProducer(
      connection,
      topic,
      producerId,
      answer.producerSuccess?.producerName ?? '',
      settings,
    );
    connection.producers.set(producerId, producer);
    return producer;
  }

  get blocked(): boolean {
    return this.pending >= this.settings.maxPending;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  send(record: OutgoingRecord, sink: SendSink, index: number): void {
    if (this.failure) {
      sink.settle(index, this.failure);
      return;
    }
    this.pending++;
    if (!this.settings.batching) {
      this.sendSingle(record, sink, index);
      return;
    }
    const sequenceId = this.nextSequenceId++;
    const meta = encodeSingleMetadata(record.payload, record.key, record.properties, sequenceId);
    const size = 4 + meta.length + record.payload.length;
    // a record that would push the entry past the broker's limit starts a new batch
    if (this.batchSinks.length > 0 && this.batchBytes + size > this.connection.maxMessageSize - 4096)
      this.flushBatch();
    if (this.batchSinks.length === 0) {
      this.batchFirstSequenceId = sequenceId;
      this.batchTimer = setTimeout(() => this.flushBatch(), this.settings.batchDelayMs);
    }
    this.batchParts.push(meta, record.payload);
    this.batchBytes += size;
    this.batchSinks.push(sink);
    this.batchIndexes.push(index);
    if (
      this.batchSinks.length >= this.settings.batchingMaxMessages ||
      this.batchBytes >= this.settings.maxBatchBytes
    )
      this.flushBatch();
  }

  private sendSingle(record: OutgoingRecord, sink: SendSink, index: number): void {
    const sequenceId = this.nextSequenceId++;
    const metadata: Record<string, unknown> = {
      producerName: this.producerName,
      sequenceId,
      publishTime: Date.now(),
      properties: record.properties,
      uncompressedSize: record.payload.length,
    };
    if (record.key !== undefined) metadata.partitionKey = record.key;
    this.inFlight.push({ sequenceId, count: 1, sinks: [sink], indexes: [index] });
    this.connection.write(
      encodePayloadCommand(
        { type: CommandType.SEND, send: { producerId: this.producerId, sequenceId, numMessages: 1 } },
        metadata,
        record.payload,
      ),
    );
  }

  /** Sends the open batch now (timer, size limit, flush or close). */
  flushBatch(): void {
    if (this.batchTimer) {
      clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
    }
    const count = this.batchSinks.length;
    if (count === 0) return;
    const first = this.batchFirstSequenceId;
    const last = first + count - 1;
    const payload = joinBatch(this.batchParts, this.batchBytes);
    this.inFlight.push({ sequenceId: first, count, sinks: this.batchSinks, indexes: this.batchIndexes });
    this.batchParts = [];
    this.batchBytes = 0;
    this.batchSinks = [];
    this.batchIndexes = [];
    if (this.failure) {
      this.failAll(this.failure);
      return;
    }
    this.connection.write(
      encodePayloadCommand(
        {
          type: CommandType.SEND,
          send: {
            producerId: this.producerId,
            sequenceId: first,
            numMessages: count,
            highestSequenceId: last,
          },
        },
        {
          producerName: this.producerName,
          sequenceId: first,
          publishTime: Date.now(),
          numMessagesInBatch: count,
          uncompressedSize: payload.length,
          highestSequenceId: last,
        },
        payload,
      ),
    );
  }

  onCommand(frame: Frame): void {
    const c = frame.command;
    if (c.type === CommandType.SEND_RECEIPT && c.sendReceipt) {
      this.settleHead(toNumber(c.sendReceipt.sequenceId));
    } else if (c.type === CommandType.SEND_ERROR && c.sendError) {
      const e = c.sendError;
      this.settleHead(
        toNumber(e.sequenceId),
        serverError(e.error, e.message, `send to ${this.topic}`, this.connection.url),
      );
    } else if (c.type === CommandType.CLOSE_PRODUCER) {
      // the broker unloaded the topic; mqctl's perf producer does not reconnect: what is outstanding fails
      this.connection.producers.delete(this.producerId);
      this.failAll(
        new UnavailableError(`Pulsar closed the producer on ${this.topic} (topic unloaded or moved)`),
      );
    }
  }

  private settleHead(sequenceId: number, error?: Error): void {
    while (this.inFlightHead < this.inFlight.length) {
      const head = this.inFlight[this.inFlightHead]!;
      if (head.sequenceId > sequenceId) return; // a duplicate receipt for something already settled
      this.inFlightHead++;
      const headError =
        head.sequenceId === sequenceId
          ? error
          : new MqctlError(`send to ${this.topic}: no receipt for sequence id ${head.sequenceId}`);
      this.settleBatch(head, headError);
      if (head.sequenceId === sequenceId) break;
    }
    if (this.inFlightHead > 1024 && this.inFlightHead * 2 > this.inFlight.length) {
      this.inFlight.splice(0, this.inFlightHead);
      this.inFlightHead = 0;
    }
  }

  private settleBatch(batch: InFlight, error?: Error): void {
    const wasBlocked = this.blocked;
    this.pending -= batch.count;
    for (let i = 0; i < batch.count; i++) batch.sinks[i]!.settle(batch.indexes[i]!, error);
    if (wasBlocked && !this.blocked) this.onReady?.();
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const open: InFlight | undefined =
      this.batchSinks.length > 0
        ? {
            sequenceId: -1,
            count: this.batchSinks.length,
            sinks: this.batchSinks,
            indexes: this.batchIndexes,
          }
        : undefined;
    this.batchParts = [];
    this.batchBytes = 0;
    this.batchSinks = [];
    this.batchIndexes = [];
    const outstanding = this.inFlight.slice(this.inFlightHead);
    this.inFlight.length = 0;
    this.inFlightHead = 0;
    for (const batch of outstanding) this.settleBatch(batch, error);
    if (open) this.settleBatch(open, error);
  }

  onConnectionClosed(error: Error): void {
    if (this.closing && this.pending === 0) return;
    this.failAll(error);
  }

  /** Sends the open batch and waits (bounded) until every record is settled. */
  async flush(timeoutMs: number): Promise<void> {
    this.flushBatch();
    const deadline = Date.now() + timeoutMs;
    while (this.pending > 0 && !this.failure && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 2));
  }

  /** CLOSE_PRODUCER (bounded wait); records still outstanding fail. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.flushBatch();
    if (this.pending > 0) this.failAll(new MqctlError(`producer on ${this.topic} closed`));
    this.failure ??= new MqctlError(`producer on ${this.topic} closed`);
    if (this.connection.closed) return;
    const requestId = this.connection.newRequestId();
    await this.connection
      .request(
        requestId,
        { type: CommandType.CLOSE_PRODUCER, closeProducer: { producerId: this.producerId, requestId } },
        `close producer on ${this.topic}`,
      )
      .catch(() => undefined);
    this.connection.producers.delete(this.producerId);
  }
}
