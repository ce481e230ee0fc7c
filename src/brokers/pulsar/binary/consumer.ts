import { UnavailableError } from '../../../core/errors';
import type { CommandHandler, PulsarBinaryConnection } from './connection';
import { decodePayloadSection, encodeCommand, type EntryRecord, type Frame, splitEntry } from './frame';
import { AckType, CommandType, InitialPosition, type MessageIdData, SubType } from './proto';

export interface ConsumerSettings {
  subscriptionType: 'Exclusive' | 'Shared';
  initialPosition: 'Earliest' | 'Latest';
  /** receiver queue: FLOW permits granted up front, re-granted once half are used */
  receiverQueueSize: number;
  /** acknowledgements are grouped and sent at most this often (the Java client's ackGroupTime) */
  ackGroupMs: number;
  /**
   * How entries are acknowledged: cumulatively (up to the newest entry; Exclusive subscriptions only) or
   * individually (a list of ids per ACK). Default: cumulative on Exclusive, individual on Shared.
   */
  ackType?: 'Cumulative' | 'Individual';
}

/** A record as delivered to the application. */
export interface ReceivedRecord extends EntryRecord {
  topic: string;
  messageId: MessageIdData;
  redeliveryCount: number;
}

export type RecordListener = (record: ReceivedRecord) => void;
export type ErrorListener = (error: Error) => void;

/**
 * A consumer on one (partition of a) topic. Records are handed to the listener synchronously as each
 * entry arrives, then the entry is acknowledged (after counting): cumulatively up to the newest entry on
 * an Exclusive subscription, individually (a list per ACK) on Shared; acks are grouped every
 * `ackGroupMs`. Permits follow the Java client: `receiverQueueSize` first, more after half were used.
 */
export class PartitionConsumer implements CommandHandler {
  private usedPermits = 0;
  private pendingAcks: MessageIdData[] = [];
  private ackTimer?: NodeJS.Timeout;
  private closing = false;
  /** set by freeze(): a crashed consumer hands out nothing more and acknowledges nothing more */
  private frozen = false;
  onRecord?: RecordListener;
  onError?: ErrorListener;

  private constructor(
    private readonly connection: PulsarBinaryConnection,
    readonly topic: string,
    readonly subscription: string,
    readonly consumerId: number,
    private readonly settings: ConsumerSettings,
  ) {}

  static async subscribe(
    connection: PulsarBinaryConnection,
    topic: string,
    subscription: string,
    consumerId: number,
    settings: ConsumerSettings,
  ): Promise<PartitionConsumer> {
    const consumer = new PartitionConsumer(connection, topic, subscription, consumerId, settings);
    // registered before SUBSCRIBE is answered: the first MESSAGE may follow the SUCCESS in one read
    connection.consumers.set(consumerId, consumer);
    const requestId = connection.newRequestId();
    try {
      await connection.request(
        requestId,
        {
          type: CommandType.SUBSCRIBE,
          subscribe: {
            topic,
            subscription,
            subType: SubType[settings.subscriptionType],
            consumerId,
            requestId,
            durable: true,
            initialPosition: InitialPosition[settings.initialPosition],
          },
        },
        `subscription ${subscription} on ${topic}`,
      );
    } catch (error) {
      connection.consumers.delete(consumerId);
      throw error;
    }
    return consumer;
  }

  /** Grants the first permits: from now on the broker pushes records. */
  start(): void {
    this.flow(this.settings.receiverQueueSize);
  }

  private flow(permits: number): void {
    this.connection.write(
      encodeCommand({
        type: CommandType.FLOW,
        flow: { consumerId: this.consumerId, messagePermits: permits },
      }),
    );
  }

  onCommand(frame: Frame): void {
    const c = frame.command;
    // message_id is required in Pulsar's schema: a MESSAGE without one is not a message mqctl can ack
    if (c.type === CommandType.MESSAGE && c.message?.messageId && frame.rest) {
      this.onEntry(c.message.messageId, c.message.redeliveryCount, frame.rest);
    } else if (c.type === CommandType.CLOSE_CONSUMER) {
      this.connection.consumers.delete(this.consumerId);
      this.onError?.(
        new UnavailableError(`Pulsar closed the consumer on ${this.topic} (topic unloaded or moved)`),
      );
    }
  }

  private onEntry(messageId: MessageIdData, redeliveryCount: number, rest: Buffer): void {
    if (this.frozen) return;
    let records: EntryRecord[];
    try {
      records = splitEntry(decodePayloadSection(rest));
    } catch (error) {
      this.onError?.(new Error(`cannot read a message on ${this.topic}: ${(error as Error).message}`));
      records = [];
    }
    for (const record of records) {
      this.onRecord?.({
        ...record,
        topic: this.topic,
        messageId: {
          ledgerId: messageId.ledgerId,
          entryId: messageId.entryId,
          batchIndex: record.batchIndex,
        },
        redeliveryCount,
      });
    }
    this.ack(messageId);
    // a batch entry used one permit per record it held
    this.usedPermits += Math.max(1, records.length);
    if (this.usedPermits >= Math.max(1, this.settings.receiverQueueSize >> 1)) {
      const permits = this.usedPermits;
      this.usedPermits = 0;
      this.flow(permits);
    }
  }

  private get cumulative(): boolean {
    return (
      (this.settings.ackType ??
        (this.settings.subscriptionType === 'Exclusive' ? 'Cumulative' : 'Individual')) === 'Cumulative'
    );
  }

  private ack(messageId: MessageIdData): void {
    const id = { ledgerId: messageId.ledgerId, entryId: messageId.entryId };
    if (this.cumulative) this.pendingAcks = [id];
    else this.pendingAcks.push(id);
    if (this.pendingAcks.length >= 1000) this.flushAcks();
    else this.ackTimer ??= setTimeout(() => this.flushAcks(), this.settings.ackGroupMs);
  }

  /** Sends the grouped acknowledgements now. */
  flushAcks(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.pendingAcks.length === 0 || this.connection.closed) return;
    this.connection.write(
      encodeCommand({
        type: CommandType.ACK,
        ack: {
          consumerId: this.consumerId,
          ackType: this.cumulative ? AckType.Cumulative : AckType.Individual,
          messageId: this.pendingAcks,
        },
      }),
    );
    this.pendingAcks = [];
  }

  /**
   * A crash, for fault tests: from now on no record reaches the listener and nothing is acknowledged (acks
   * not yet sent are dropped, as a process that dies loses them); the connection stays until abort().
   */
  freeze(): void {
    this.frozen = true;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.pendingAcks = [];
  }

  /** Drops the connection without CLOSE_CONSUMER, as a killed process's socket goes. */
  abort(): void {
    this.closing = true;
    this.connection.close();
  }

  onConnectionClosed(error: Error): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (!this.closing) this.onError?.(error);
  }

  /** Sends outstanding acks, then CLOSE_CONSUMER (bounded wait). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.flushAcks();
    if (this.connection.closed) return;
    const requestId = this.connection.newRequestId();
    await this.connection
      .request(
        requestId,
        { type: CommandType.CLOSE_CONSUMER, closeConsumer: { consumerId: this.consumerId, requestId } },
        `close consumer on ${this.topic}`,
      )
      .catch(() => undefined);
    this.connection.consumers.delete(this.consumerId);
  }
}
