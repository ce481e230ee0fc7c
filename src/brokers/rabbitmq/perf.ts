import type { ConsumeMessage } from 'amqplib';
import { NotFoundError } from '../../core/errors';
import type {
  PerfChunk,
  PerfConsumerDriver,
  PerfConsumerOptions,
  PerfProducerDriver,
  PerfProducerOptions,
  PerfRecordListener,
} from '../contracts/perf';
import { PERF_STAMP_HEADER } from '../contracts/perf';
import type { AmqpChannel, AmqpConfirmChannel, RabbitConnection } from './connection';
import { mapAmqpError } from './errors';

/**
 * RabbitMQ PerfTest's producer on amqplib: publisher confirms with at most `confirm` unconfirmed
 * publishes (`--confirm 0`: no confirms, a record counts as acknowledged once written to the socket).
 * Every record carries its intended time in the `mqctl-ts` header (never the AMQP timestamp property,
 * which is whole seconds).
 */
export class RabbitPerfProducer implements PerfProducerDriver {
  readonly description: string;
  readonly maxOutstanding?: number;
  onReady?: () => void;
  private writable = true;
  private unsettled = 0;
  private failure?: Error;

  constructor(
    private readonly connection: RabbitConnection,
    private readonly channel: AmqpChannel | AmqpConfirmChannel,
    private readonly options: PerfProducerOptions,
  ) {
    const r = options.rabbitmq;
    this.maxOutstanding = r.confirm > 0 ? r.confirm : undefined;
    this.description = `amqplib, ${r.confirm > 0 ? `confirms (max ${r.confirm} unconfirmed)` : 'no confirms'}, ${r.persistent ? 'persistent' : 'transient'}, exchange "${r.exchange}" routing key "${this.routingKey}"`;
    channel.on('drain', () => {
      this.writable = true;
      this.onReady?.();
    });
    const fail = (error?: Error) => {
      this.failure ??= mapAmqpError(error ?? new Error('channel closed'), connection.target);
    };
    channel.on('error', fail);
    channel.on('close', () => fail());
  }

  private get routingKey(): string {
    return this.options.rabbitmq.routingKey ?? this.options.topic;
  }

  send(chunk: PerfChunk): void {
    const r = this.options.rabbitmq;
    const confirms = r.confirm > 0;
    const records = chunk.records;
    for (let i = 0; i < records.length; i++) {
      if (this.failure) {
        chunk.settleRange(i, records.length, this.failure);
        return;
      }
      const record = records[i]!;
      const properties = {
        persistent: r.persistent,
        headers: { [PERF_STAMP_HEADER]: record.stamp },
        ...(record.key !== undefined ? { messageId: record.key } : {}),
      };
      try {
        if (confirms) {
          this.unsettled++;
          const index = i;
          this.writable = (this.channel as AmqpConfirmChannel).publish(
            r.exchange,
            this.routingKey,
            record.value,
            properties,
            (error: unknown) => {
              this.unsettled--;
              chunk.settle(
                index,
                error ? new Error(`RabbitMQ nacked a publish to ${this.options.topic}`) : undefined,
              );
            },
          );
        } else {
          this.writable = this.channel.publish(r.exchange, this.routingKey, record.value, properties);
        }
      } catch (error) {
        if (confirms) this.unsettled--;
        chunk.settleRange(i, records.length, mapAmqpError(error, this.connection.target));
        return;
      }
    }
    if (!confirms) chunk.settleRange(0, records.length);
  }

  blocked(): boolean {
    return !this.writable;
  }

  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.unsettled > 0 && !this.failure && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
  }
}

async function ensureQueue(connection: RabbitConnection, options: PerfProducerOptions): Promise<void> {
  const queue = options.topic;
  const probe = await connection.channel();
  try {
    await probe.checkQueue(queue);
    return;
  } catch {
    // a failed passive declare closes the channel: fall through to create or report
  } finally {
    await probe.close().catch(() => undefined);
  }
  if (!options.create) {
    throw new NotFoundError(
      `queue ${queue} not found on RabbitMQ at ${connection.target} (vhost ${connection.vhost})`,
      {
        hint: 'declare it first, or pass --create-topic (with --queue-type)',
      },
    );
  }
  const ch = await connection.channel();
  try {
    const r = options.rabbitmq;
    await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': r.queueType } });
    if (r.exchange !== '') await ch.bindQueue(queue, r.exchange, r.routingKey ?? queue);
  } catch (error) {
    throw mapAmqpError(error, connection.target);
  } finally {
    await ch.close().catch(() => undefined);
  }
}

export async function createRabbitPerfProducer(
  connection: RabbitConnection,
  options: PerfProducerOptions,
): Promise<RabbitPerfProducer> {
  if (options.rabbitmq.exchange === '') await ensureQueue(connection, options);
  else if (options.create) await ensureQueue(connection, options);
  const channel =
    options.rabbitmq.confirm > 0 ? await connection.confirmChannel() : await connection.channel();
  const driver = new RabbitPerfProducer(connection, channel, options);
  connection.onClose(() => driver.close());
  return driver;
}

/** A consumer with prefetch, acknowledging with `multiple` every half prefetch (PerfTest's --multi-ack-every). */
export class RabbitPerfConsumer implements PerfConsumerDriver {
  readonly description: string;
  private unacked?: ConsumeMessage;
  private unackedCount = 0;
  private flushTimer?: NodeJS.Timeout;
  private killed = false;

  constructor(
    private readonly connection: RabbitConnection,
    private channel: AmqpChannel,
    private readonly options: PerfConsumerOptions,
  ) {
    this.description = options.autoAck
      ? `amqplib, automatic ack (noAck)`
      : `amqplib, prefetch ${options.prefetch}, multi-ack every ${this.ackEvery}`;
  }

  private get ackEvery(): number {
    return Math.max(1, Math.floor(this.options.prefetch / 2));
  }

  async start(onRecord: PerfRecordListener): Promise<void> {
    await checkRabbitPerfQueue(this.connection, this.options.topic);
    this.onRecord = onRecord;
    await this.subscribe(this.channel);
    this.flushTimer = setInterval(() => this.ackNow(), 50);
  }

  private onRecord?: PerfRecordListener;
  private closed = false;
  private resubscribing = false;
  /** Times the broker cancelled this consumer (queue deleted, or its node went down) and it subscribed again. */
  cancellations = 0;

  private async subscribe(channel: AmqpChannel): Promise<void> {
    const autoAck = Boolean(this.options.autoAck);
    await channel.prefetch(this.options.prefetch);
    await channel.consume(
      this.options.topic,
      (msg) => {
        if (this.killed || this.closed) return;
        // null: the broker cancelled the consumer (basic.cancel: the queue was deleted, or a classic queue's
        // node went down, or a quorum queue moved). Subscribe again when the queue is back instead of
        // silently receiving nothing more.
        if (!msg) return void this.resubscribe();
        const stamp = msg.properties.headers?.[PERF_STAMP_HEADER] as unknown;
        this.onRecord?.(
          msg.content.length,
          stamp === undefined ? undefined : String(stamp),
          msg.content,
          `tag ${msg.fields.deliveryTag}${msg.fields.redelivered ? ' redelivered' : ''}`,
        );
        if (autoAck) return;
        this.unacked = msg;
        if (++this.unackedCount >= this.ackEvery) this.ackNow();
      },
      { noAck: autoAck },
    );
  }

  /** After a broker-side cancel: a fresh channel every 500 ms until the queue takes a consumer again. */
  private async resubscribe(): Promise<void> {
    if (this.resubscribing) return;
    this.resubscribing = true;
    this.cancellations++;
    this.ackNow();
    try {
      while (!this.killed && !this.closed) {
        // a consume on a queue whose node is down closes its channel with 404: each attempt gets its own
        const channel = await this.connection.channel().catch(() => undefined);
        if (!channel) return; // the connection is gone: the run's connection handling takes over
        try {
          await this.subscribe(channel);
          const old = this.channel;
          this.channel = channel;
          await old.close().catch(() => undefined);
          return;
        } catch {
          await channel.close().catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    } finally {
      this.resubscribing = false;
    }
  }

  /** A crash: deliveries are dropped unacknowledged from now on; after `hangMs` the socket is destroyed. */
  async kill(hangMs: number): Promise<void> {
    this.killed = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    await new Promise((resolve) => setTimeout(resolve, hangMs));
    this.connection.destroy();
  }

  private ackNow(): void {
    if (!this.unacked || this.killed) return;
    try {
      this.channel.ack(this.unacked, true);
    } catch {
      // channel closed: the broker redelivers, nothing to do here
    }
    this.unacked = undefined;
    this.unackedCount = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.ackNow();
    await this.channel.close().catch(() => undefined);
  }
}

export async function checkRabbitPerfQueue(connection: RabbitConnection, queue: string): Promise<void> {
  const probe = await connection.channel();
  try {
    await probe.checkQueue(queue);
  } catch {
    throw new NotFoundError(`queue ${queue} not found on RabbitMQ at ${connection.target}`);
  } finally {
    await probe.close().catch(() => undefined);
  }
}

export async function createRabbitPerfConsumer(
  connection: RabbitConnection,
  options: PerfConsumerOptions,
): Promise<RabbitPerfConsumer> {
  const channel = await connection.channel();
  const driver = new RabbitPerfConsumer(connection, channel, options);
  connection.onClose(() => driver.close());
  return driver;
}
