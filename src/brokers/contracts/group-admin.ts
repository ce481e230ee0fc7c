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

/** What a group holds on one topic, for a confirmation prompt (Kafka: committed offsets; Pulsar: backlog). */
export interface GroupHolding {
  topic: string;
  /** Kafka: partitions of the topic with a committed offset. */
  partitions?: number;
  /** Pulsar: messages in the subscription's backlog on the topic. */
  backlog?: number;
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
  /**
   * What deleting (or skipping) the group takes away, for the confirmation prompt: Kafka its committed
   * offsets per topic, Pulsar its backlog on each of `topics`. Exit 3 when the group does not exist; exit 2
   * for a broker-owned topic (`action` words the refusal, as the change itself would).
   */
  holdings(group: string, options: { topics: string[]; action?: string }): Promise<GroupHolding[]>;
  /**
   * For `topic delete`'s prompt: the groups that read each topic (Kafka: committed offsets on it), or
   * undefined when that is not cheap to know (too many groups on the cluster). Pulsar's subscriptions come
   * with the topic's stats, RabbitMQ has no groups: neither implements it.
   */
  groupsReading?(topics: string[]): Promise<Map<string, string[]> | undefined>;
}
