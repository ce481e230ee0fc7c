/**
 * Plain data for dead-letter queues, shared by every broker kind. Nothing here holds an SDK object.
 */

/** Which system wrote the dead letter, as recognised from its headers. */
export type DlqConvention = 'spring' | 'connect' | 'rabbitmq' | 'pulsar' | 'unknown';

/** Where a dead letter came from, decoded from the headers its writer set. */
export interface DlqOrigin {
  convention: DlqConvention;
  /** Kafka/Pulsar topic, or the RabbitMQ queue the message died in. */
  topic?: string;
  partition?: number;
  offset?: string;
  /** Pulsar: the original message id. */
  messageId?: string;
  /** RabbitMQ: the exchange and routing keys the message was first published with (x-death). */
  exchange?: string;
  routingKeys?: string[];
  /** RabbitMQ: rejected | expired | maxlen | delivery_limit. */
  reason?: string;
  /** RabbitMQ x-death count, Pulsar RECONSUMETIMES. */
  deaths?: number;
  /** Spring: kafka_dlt-original-consumer-group. */
  consumerGroup?: string;
  /** Original timestamp (ms since the epoch) when the writer recorded it. */
  timestamp?: number;
}

export interface DlqError {
  className?: string;
  message?: string;
}

/** What mqctl itself wrote on a message it replayed earlier. */
export interface DlqReplayMark {
  count: number;
  from?: string;
  at?: string;
}

/** One message read from a DLQ, decoded. */
export interface DlqMessage {
  /** The DLQ (topic or queue) it was read from. */
  dlq: string;
  /** Kafka partition; undefined elsewhere. */
  partition?: number;
  /** Kafka offset, Pulsar message id, RabbitMQ position in the browse (1-based). */
  position: string;
  /** Broker timestamp in ms since the epoch (Kafka record time, Pulsar publish time, x-death time). */
  timestamp?: number;
  key?: Buffer;
  payload: Buffer;
  /** Headers / properties as strings (binary values as hex with a 0x prefix). */
  headers: Record<string, string>;
  /** Raw header bytes where the broker gives bytes (Kafka), for faithful replay. */
  rawHeaders?: Record<string, Buffer | Buffer[]>;
  origin: DlqOrigin;
  error: DlqError;
  replay: DlqReplayMark;
  /** RabbitMQ message-id / Pulsar message id of the stored copy. */
  messageId?: string;
}

/** A DLQ as `dlq list` shows it. */
export interface DlqSummaryRow {
  name: string;
  kind: 'kafka' | 'pulsar' | 'rabbitmq';
  /** How it was recognised: name pattern, dlx binding, pulsar naming. */
  recognisedBy: string;
  depth: number;
  oldestTimestamp?: number;
  newestTimestamp?: number;
  oldestAgeMs?: number;
  newestAgeMs?: number;
  /** Source topics/queues it holds messages for (from headers of a bounded sample, or DLX wiring). */
  sources: string[];
}

/** Header names mqctl writes on every replayed message (never `x-` prefixed: RabbitMQ 4 owns those). */
export const MQCTL_HEADERS = {
  replayedFrom: 'mqctl-replayed-from',
  replayedAt: 'mqctl-replayed-at',
  replayCount: 'mqctl-replay-count',
  replayJob: 'mqctl-replay-job',
} as const;
