import { UsageError } from '../cli/errors';
import { createKafkaPerfConsumer, createKafkaPerfProducer, prepareKafkaPerfGroup } from './kafka/perf';
import { checkPulsarPerfTopic, createPulsarPerfConsumer, createPulsarPerfProducer } from './pulsar/perf';
import { checkRabbitPerfQueue, createRabbitPerfConsumer, createRabbitPerfProducer } from './rabbitmq/perf';
import type { BrokerConnection } from './types';

/**
 * The perf capability of the broker layer: a producer driver that takes chunks of prepared records and
 * reports every record's acknowledgement, and a consumer driver that reports every record received.
 * src/perf owns the schedule and the clocks; drivers only move bytes and say when the broker confirmed.
 */

/** Header / property mqctl stamps on every perf record: epoch microseconds of its intended send time. */
export const PERF_STAMP_HEADER = 'mqctl-ts';

export interface PerfRecord {
  key?: string;
  value: Buffer;
  /** epoch microseconds (intended send time), written to the PERF_STAMP_HEADER header/property */
  stamp: string;
}

export interface PerfChunk {
  readonly records: PerfRecord[];
  /** The broker acknowledged (or, with an error, rejected) record `index`. Each index is settled once. */
  settle(index: number, error?: Error): void;
  /**
   * Settles records [from, to) at once (a Kafka produce request acknowledges a whole batch). `ackUs`: when
   * the acknowledgement arrived (monotonic µs of this thread's clock), if it was earlier than now.
   */
  settleRange(from: number, to: number, error?: Error, ackUs?: number): void;
}

export interface PerfTopicCreation {
  partitions: number;
  replicationFactor: number;
}

export interface KafkaPerfOptions {
  /** 0, 1 or -1 (all) */
  acks: number;
  /** bytes per produce request (the explicit batch kafkajs needs; it has no linger) */
  batchBytes: number;
  /** wait up to this long to fill a batch when a request slot is free */
  lingerMs: number;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  idempotent: boolean;
  transactionalId?: string;
  /** concurrent produce requests */
  maxInFlight: number;
  /** the client library: kafkajs (default, pure JS) or librdkafka (@confluentinc/kafka-javascript, optional) */
  client?: 'kafkajs' | 'librdkafka';
}

export interface RabbitPerfOptions {
  exchange: string;
  routingKey?: string;
  /** max unconfirmed publishes; 0 = no publisher confirms */
  confirm: number;
  persistent: boolean;
  queueType: 'classic' | 'quorum' | 'stream';
}

/** mqctl's own binary-protocol client (default) or the broker's WebSocket API. */
export type PulsarClientKind = 'binary' | 'websocket';

export interface PulsarPerfOptions {
  batching: boolean;
  batchDelayMs: number;
  maxPending: number;
  /** the data path; absent = the context's choice, else binary */
  client?: PulsarClientKind;
}

export interface PerfProducerOptions {
  topic: string;
  /** create the topic/queue when it does not exist */
  create?: PerfTopicCreation;
  kafka: KafkaPerfOptions;
  rabbitmq: RabbitPerfOptions;
  pulsar: PulsarPerfOptions;
}

export interface PerfProducerDriver {
  /** e.g. "kafkajs 2.2.4, acks=all, batch 256 KiB, 5 in flight" */
  readonly description: string;
  /** the client's own bound on unacknowledged records (RabbitMQ --confirm, Pulsar --max-pending), if any */
  readonly maxOutstanding?: number;
  /** Hands records over; every record is settled later through the chunk. Never throws. */
  send(chunk: PerfChunk): void;
  /** True while the client's own buffer is full: the generator waits (and that wait is send delay). */
  blocked(): boolean;
  /** Called by the driver when it stops being blocked or a request slot frees up. */
  onReady?: () => void;
  /** Sends what is buffered and waits (bounded) until every handed record is settled. */
  flush(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface PerfConsumerOptions {
  topic: string;
  /** consumer group / subscription; a fresh one when absent */
  group?: string;
  /** where a fresh group starts: the beginning, or the end as of now (e2e: only this run's records) */
  from: 'earliest' | 'latest';
  /** RabbitMQ prefetch / Pulsar receiver queue */
  prefetch: number;
  /**
   * `perf consume --threads N`: this consumer is one of N sharing the topic (Kafka: one group, partitions
   * assigned once all N joined; Pulsar: a Shared subscription; RabbitMQ: N consumers on the queue). Set by
   * preparePerfConsumerGroup, which also fixed the group and where it starts.
   */
  members?: number;
  /** Pulsar data path (absent = the context's choice, else binary) */
  pulsarClient?: PulsarClientKind;
}

export interface PerfConsumerDriver {
  readonly description: string;
  /** Starts delivering; `onRecord` gets the value size and the stamp when the record carries one. */
  start(onRecord: (bytes: number, stamp: string | undefined) => void): Promise<void>;
  close(): Promise<void>;
}

export async function createPerfProducer(
  connection: BrokerConnection,
  options: PerfProducerOptions,
): Promise<PerfProducerDriver> {
  switch (connection.kind) {
    case 'kafka':
      return createKafkaPerfProducer(connection, options);
    case 'rabbitmq':
      return createRabbitPerfProducer(connection, options);
    case 'pulsar':
      return createPulsarPerfProducer(connection, options);
  }
}

export async function createPerfConsumer(
  connection: BrokerConnection,
  options: PerfConsumerOptions,
): Promise<PerfConsumerDriver> {
  if (options.prefetch <= 0) throw new UsageError('--prefetch must be positive');
  switch (connection.kind) {
    case 'kafka':
      return createKafkaPerfConsumer(connection, options);
    case 'rabbitmq':
      return createRabbitPerfConsumer(connection, options);
    case 'pulsar':
      return createPulsarPerfConsumer(connection, options);
  }
}

/**
 * Before `members` consumers (worker threads, each with its own connection) share one topic: checks the
 * topic/queue, picks the group or subscription (a fresh one unless given) and, on Kafka with `from: latest`,
 * commits the end offsets as of now for it. Returns the options every member passes to createPerfConsumer.
 */
export async function preparePerfConsumerGroup(
  connection: BrokerConnection,
  options: PerfConsumerOptions,
  members: number,
): Promise<PerfConsumerOptions> {
  if (options.prefetch <= 0) throw new UsageError('--prefetch must be positive');
  const group = options.group ?? `mqctl-perf-${process.pid}-${Date.now().toString(36)}`;
  const shared = { ...options, group, members };
  switch (connection.kind) {
    case 'kafka':
      await prepareKafkaPerfGroup(connection, shared);
      break;
    case 'rabbitmq':
      await checkRabbitPerfQueue(connection, options.topic);
      break;
    case 'pulsar':
      await checkPulsarPerfTopic(connection, options.topic);
      break;
  }
  return shared;
}
