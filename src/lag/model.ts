import type { BrokerKind } from '../config/types';

/**
 * One model for all three brokers. A row is the unit of lag: a Kafka partition of a group, a Pulsar
 * subscription (per partition when the topic is partitioned), or a RabbitMQ queue.
 */
export type LagStatus = 'OK' | 'LAGGING' | 'WARN' | 'STALLED' | 'ERR' | 'UNKNOWN';

/** Worst first is the highest rank; a group takes the worst status of its rows. */
export const STATUS_RANK: Record<LagStatus, number> = {
  UNKNOWN: 0,
  OK: 1,
  LAGGING: 2,
  WARN: 3,
  STALLED: 4,
  ERR: 5,
};

/** Where a row's time lag came from, so nobody mistakes an estimate for a measurement. */
export type TimeLagSource =
  /** now − timestamp of the record at the committed offset (Kafka). */
  | 'record'
  /** interpolated from sampled end offsets, kafka-lag-exporter style (the record is gone). */
  | 'interpolated'
  /** the record is gone and no samples bracket it: now − the oldest remaining record, a lower bound. */
  | 'lower-bound'
  /** earliestMsgPublishTimeInBacklog (Pulsar). */
  | 'publish-time'
  /** head_message_timestamp (RabbitMQ, whole seconds, only when publishers set the timestamp property). */
  | 'head-timestamp'
  /** nothing unconsumed: zero. */
  | 'caught-up'
  /** the broker cannot tell. */
  | 'unknown';

export interface LagOwner {
  memberId?: string;
  clientId?: string;
  host?: string;
}

export interface LagRow {
  kind: BrokerKind;
  /** Kafka consumer group, Pulsar subscription, RabbitMQ queue. */
  group: string;
  /** Kafka topic, Pulsar topic (full name), RabbitMQ queue. */
  topic: string;
  /** Kafka partition; Pulsar partition index of a partitioned topic; null otherwise. */
  partition: number | null;
  /** Kafka: the committed offset, null when the group has none for this partition. */
  committedOffset: number | null;
  logStartOffset: number | null;
  logEndOffset: number | null;
  /** Messages not yet consumed: Kafka log-end − committed, Pulsar msgBacklog, RabbitMQ ready + unacked. Null when unknown. */
  lag: number | null;
  /** Age of the oldest unconsumed message in milliseconds; null when unknown. */
  timeLagMs: number | null;
  timeLagSource: TimeLagSource;
  owner: LagOwner | null;
  /** Pulsar/RabbitMQ: delivered but not acknowledged. */
  unacked?: number;
  /** Pulsar/RabbitMQ: messages ready for delivery. */
  ready?: number;
  consumers?: number;
  /** Messages per second the consumers take (broker-reported, or from samples in --watch). */
  consumeRate?: number | null;
  /** Messages per second arriving (broker-reported, or from samples in --watch). */
  produceRate?: number | null;
  /** A counter that only grows while the consumer makes progress (Kafka: committed offset; Pulsar: msgOutCounter; RabbitMQ: acks). */
  progress: number | null;
  /** Seconds to catch up at the current rates; null when not catching up or unknown. */
  etaSeconds?: number | null;
  /** Kafka: records deleted by retention before the group read them (committed offset below the log start). */
  expiredUnread?: number;
  status: LagStatus;
  /** Why the status is what it is, in a few words. */
  reason?: string;
}

export interface GroupSummary {
  kind: BrokerKind;
  group: string;
  /** Kafka group state (Stable, Empty, ...); Pulsar subscription type; RabbitMQ queue state. */
  state?: string;
  members?: number;
  totalLag: number;
  /** Rows without a committed offset (Kafka: their lag counts every retained record, an upper bound). */
  rowsWithoutCommit: number;
  /** Records deleted by retention before the group read them, over its rows. */
  expiredUnread?: number;
  maxLag: number;
  maxTimeLagMs: number | null;
  consumeRate?: number | null;
  produceRate?: number | null;
  etaSeconds?: number | null;
  status: LagStatus;
  reason?: string;
}

export interface TopicTotal {
  group: string;
  topic: string;
  totalLag: number;
  partitions: number;
}

export interface LagReport {
  kind: BrokerKind;
  target: string;
  /** ms since the epoch when the snapshot was taken. */
  takenAt: number;
  /** How many samples the verdicts are based on (1 for a single snapshot). */
  samples: number;
  rows: LagRow[];
  groups: GroupSummary[];
  topics: TopicTotal[];
}

/** What a broker-specific source returns for one snapshot: rows plus group facts. */
export interface LagSnapshot {
  kind: BrokerKind;
  target: string;
  takenAt: number;
  rows: LagRow[];
  groups: Array<{ group: string; state?: string; members?: number }>;
}

export interface LagQuery {
  /** Groups (Kafka), subscriptions (Pulsar), queues (RabbitMQ); empty means all. */
  groups: string[];
  /** Topics to restrict to (Kafka/Pulsar) or queues (RabbitMQ); empty means all. */
  topics: string[];
  /** Pulsar namespace to scan when no topic is given. */
  namespace?: string;
  /** Kafka: read the record at the committed offset for the time lag (one batched fetch per broker). */
  timeLag: boolean;
}
