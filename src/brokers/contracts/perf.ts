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
  /**
   * Retries of a failed produce request (`--producer-props retries=N retry.backoff.ms=… retry.backoff.max.ms=…`),
   * with exponential backoff from `retryBackoffMs` up to `retryBackoffMaxMs` per wait. Absent: the
   * connection's own budget (2 retries from 100 ms, for admin calls that must answer within --timeout),
   * which does not outlast a leader failover.
   */
  retries?: number;
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
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
  /** the largest record value the run will send (bytes): drivers refuse it before the load when the broker would */
  maxRecordBytes?: number;
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
  /** Called by the driver when it can no longer send at all (e.g. its client thread died): the run ends. */
  onFailure?: (error: Error) => void;
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
  /** `perf consume --threads N` on Kafka's direct fetch path: this member's index (it reads partitions p mod N = index) */
  memberIndex?: number;
  /**
   * Kafka: read with the direct fetch path (partitions assigned, no group runner, records counted in place
   * without a JS object each). Set by `perf consume`; readers that need values and positions (verify) or a
   * crash (kill) keep kafkajs' group consumer. MQCTL_KAFKA_CONSUMER=kafkajs turns it off.
   */
  directFetch?: boolean;
  /** Pulsar data path (absent = the context's choice, else binary) */
  pulsarClient?: PulsarClientKind;
  /**
   * RabbitMQ: automatic acknowledgement (`noAck`, at most once: the broker forgets a message once it is
   * sent). Default false: the driver acknowledges after the record was handed to `onRecord`.
   */
  autoAck?: boolean;
  /**
   * Pulsar (binary client): acknowledge each entry individually, or cumulatively up to the newest (the
   * default on the one consumer's Exclusive subscription; several consumers share a subscription and ack
   * individually).
   */
  pulsarAck?: 'individual' | 'cumulative';
}

/**
 * Called once per record received: the value size, the stamp when the record carries one, and (for
 * readers that check contents, like `mqctl verify`) the value itself and where the broker kept it, e.g.
 * `p0@1234` (Kafka partition and offset), `tag 17 redelivered` (RabbitMQ), `12:3:0` (Pulsar ledger, entry,
 * batch index).
 */
export type PerfRecordListener = (
  bytes: number,
  /** the mqctl-ts stamp: its text, or already as a number of epoch µs (Kafka's direct fetch path) */
  stamp: string | number | undefined,
  value?: Buffer,
  position?: string,
) => void;

export interface PerfConsumerDriver {
  readonly description: string;
  /** Epoch ms when the consumer first joined its group (Kafka), for rebalance.time.ms; absent elsewhere. */
  readonly joinedAtEpochMs?: number;
  /** Starts delivering to `onRecord`. */
  start(onRecord: PerfRecordListener): Promise<void>;
  close(): Promise<void>;
  /**
   * A crash, for fault tests: from now on nothing more reaches `onRecord` and nothing more is acknowledged
   * or committed (the process "hangs"); after `hangMs` the connection is dropped without a clean shutdown.
   * Absent where the driver cannot do it.
   */
  kill?(hangMs: number): Promise<void>;
  /** Set by the run: the driver calls it when it can no longer receive (the broker is gone): the run ends. */
  onFailure?: (error: Error) => void;
  /** The error the driver is retrying right now, if any (reported when the idle timeout ends the run). */
  currentError?(): Error | undefined;
}
