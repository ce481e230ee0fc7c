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
  /**
   * RabbitMQ: the exchange and routing keys of the latest death (x-death[0]: how the message reached the queue it
   * last died in), or Spring AMQP's x-original-exchange / x-original-routingKey.
   */
  exchange?: string;
  routingKeys?: string[];
  /** RabbitMQ: rejected | expired | maxlen | delivery_limit. */
  reason?: string;
  /** RabbitMQ x-death count, Pulsar RECONSUMETIMES, Spring retry topics' retry_topic-attempts. */
  deaths?: number;
  /**
   * When the next attempt is due (ms since the epoch): Spring retry_topic-backoff-timestamp; Pulsar the
   * deliver-at time (publish time + DELAY_TIME); RabbitMQ, in a TTL retry queue, the x-death time + the TTL.
   */
  nextAttemptAt?: number;
  /** RabbitMQ: x-death count per queue (times dead-lettered out of it, all reasons). */
  deathsByQueue?: Record<string, number>;
  /** Spring: kafka_dlt-original-consumer-group. */
  consumerGroup?: string;
  /** Original timestamp (ms since the epoch) when the writer recorded it. */
  timestamp?: number;
}

export interface DlqError {
  /**
   * The error that matters: the cause when the writer recorded one (Spring's `kafka_dlt-exception-cause-fqcn`;
   * Spring's outer class is almost always ListenerExecutionFailedException), else the class it recorded.
   */
  className?: string;
  message?: string;
  /** The outer (wrapping) class when className is its cause. */
  wrapperClassName?: string;
  /** The outer message when the writer recorded the cause's message separately. */
  wrapperMessage?: string;
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
  /**
   * Kafka: the replay jobs that have progress on this DLQ, with the messages each has left (a Kafka DLQ keeps
   * replayed records: depth counts them, `left` does not). Fewest left first.
   */
  replayJobs?: Array<{ jobId: string; left: number }>;
  /**
   * The retry chain that feeds this DLQ: Spring's retry topics (`<topic>-retry`, `-retry-N`, `-retry-<delay>`),
   * Pulsar's retry letter topic (`<topic>-<subscription>-RETRY`), RabbitMQ's TTL retry queues (a queue with a
   * message TTL whose dead letters go back to the DLQ's source queue). Per stage its depth, how many of the
   * messages read wait for a due time still ahead, the most attempts seen and the next due time. The DLQ's own
   * depth is how many reached the end of the chain.
   */
  retryChain?: RetryStage[];
}

export interface RetryStage {
  /** The retry topic or queue. */
  topic: string;
  depth: number;
  /** Messages read (a bounded sample: the list's --sample per stage; RabbitMQ list reads none). */
  sampled: number;
  /**
   * Of those, messages whose next attempt is still ahead. RabbitMQ list (nothing read): the depth, since every
   * message of a queue with one TTL waits for it (the broker dead-letters a message back when it is due).
   */
  notYetDue: number;
  /** Most attempts seen: retry_topic-attempts, RECONSUMETIMES, the x-death count of the source queue. */
  maxAttempts?: number;
  /** Earliest due time (ms since the epoch) among the messages still waiting. */
  nextDueAt?: number;
  /** RabbitMQ: the stage's message TTL (ms), the wait before a message goes back. */
  ttlMs?: number;
  /** Pulsar: the subscription whose backlog is the depth. */
  subscription?: string;
}

/** Header names mqctl writes on every replayed message (never `x-` prefixed: RabbitMQ 4 owns those). */
export const MQCTL_HEADERS = {
  replayedFrom: 'mqctl-replayed-from',
  replayedAt: 'mqctl-replayed-at',
  replayCount: 'mqctl-replay-count',
  replayJob: 'mqctl-replay-job',
} as const;
