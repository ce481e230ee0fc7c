import type { BrokerKind } from '../../config/types';

/** A consumer group (Kafka), subscription (Pulsar) or queue (RabbitMQ) in a listing. */
export interface GroupInfo {
  kind: BrokerKind;
  group: string;
  /** Kafka: Stable, Empty, PreparingRebalance, ...; Pulsar: subscription type; RabbitMQ: queue state. */
  state: string;
  /** Kafka: the assignor (range, cooperative-sticky, ...); empty when the group has no members. */
  protocol?: string;
  protocolType?: string;
  members: number;
  /** Pulsar: the topic of the subscription. */
  topic?: string;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** topic → partitions (Kafka); Pulsar/RabbitMQ: the topic or queue, no partitions. */
  assignments: Array<{ topic: string; partitions: number[] }>;
}

export interface GroupDescription extends GroupInfo {
  coordinator?: string;
  memberDetails: GroupMember[];
}

export type ResetSpec =
  | { to: 'earliest' }
  | { to: 'latest' }
  | { to: 'datetime'; timestamp: number }
  | { to: 'offset'; offset: number }
  | { to: 'shift'; by: number }
  | { to: 'file'; entries: Array<{ topic: string; partition: number; offset: number }> };

export interface ResetTarget {
  topic: string;
  /** Empty: every partition. */
  partitions: number[];
}

export interface ResetPlanRow {
  group: string;
  topic: string;
  partition: number | null;
  currentOffset: number | null;
  newOffset: number | null;
  logStartOffset: number | null;
  logEndOffset: number | null;
  /** Pulsar: what the cursor reset does ("reset cursor to 2026-01-01T00:00:00Z"); backlog before. */
  action?: string;
  backlogBefore?: number | null;
}

export interface ResetPlan {
  kind: BrokerKind;
  group: string;
  spec: ResetSpec;
  rows: ResetPlanRow[];
}

export interface SkipResult {
  group: string;
  topic: string;
  backlogBefore: number;
  backlogAfter: number;
}

/**
 * Consumer-group admin: Kafka consumer groups, Pulsar subscriptions, RabbitMQ queues (read-only there).
 * What `mqctl group list|describe|reset-offsets|delete|skip` use; the lag itself is a LagSource.
 */
export interface GroupAdmin {
  listGroups(options: { topics: string[]; namespace?: string }): Promise<GroupInfo[]>;
  describeGroup(group: string, options: { topics: string[]; namespace?: string }): Promise<GroupDescription>;
  /** Works out what a reset would do; refuses (exit 2) while the group has active members. */
  planReset(group: string, targets: ResetTarget[], spec: ResetSpec): Promise<ResetPlan>;
  executeReset(plan: ResetPlan): Promise<void>;
  deleteGroup(group: string, options: { topics: string[] }): Promise<void>;
  /** Pulsar: skip N messages (or all) of a subscription's backlog. */
  skip(group: string, topic: string, count: number | 'all'): Promise<SkipResult>;
}
