import { MqctlError } from '../../core/errors';

/** One row of `mqctl topic list`. Plain data, stable JSON (documented in docs/topics.md). */
export interface TopicSummary {
  name: string;
  partitions: number;
  /** Kafka only: replicas per partition (the largest replica set). */
  replicationFactor?: number;
  /** Kafka: internal topics (`__consumer_offsets`, ...); Pulsar: system topics. */
  internal: boolean;
  /** Pulsar: whether the topic is partitioned. Kafka topics always are. */
  partitioned: boolean;
  /** With --offsets: the number of messages retained (latest − earliest offsets, summed over partitions). */
  messages?: number;
  /** Kafka only: partitions with fewer in-sync replicas than replicas (not counting offline ones). */
  underReplicatedPartitions?: number;
  /** Kafka only: partitions without a leader (every replica's broker down). */
  offlinePartitions?: number;
}

export interface PartitionDetail {
  partition: number;
  /** Kafka: leader broker id (-1 when none); Pulsar: the owning broker, when known. */
  leader?: number | string;
  replicas?: number[];
  isr?: number[];
  offlineReplicas?: number[];
  earliestOffset?: string;
  latestOffset?: string;
  /** latest − earliest (Kafka) or the message count the broker reports (Pulsar). */
  messages?: number;
  underReplicated: boolean;
  offline: boolean;
  /** Pulsar per-partition stats. */
  backlog?: number;
  storageSize?: number;
  producers?: number;
  subscriptions?: number;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  /** e.g. "topic" (set on the topic), "broker", "default", "policy". */
  source: string;
  isDefault: boolean;
  sensitive: boolean;
  readOnly?: boolean;
}

export interface SubscriptionStats {
  name: string;
  type?: string;
  backlog: number;
  consumers: number;
  msgRateOut?: number;
}

export interface TopicStats {
  producers: number;
  subscriptions: SubscriptionStats[];
  /** Messages not yet acknowledged, summed over subscriptions. */
  backlog: number;
  /** Bytes in the backlog. */
  backlogSize: number;
  storageSize: number;
  msgRateIn: number;
  msgRateOut: number;
  msgInCounter?: number;
}

export interface TopicDescription {
  kind: 'kafka' | 'pulsar';
  /** The cluster address the description came from. */
  cluster: string;
  name: string;
  partitioned: boolean;
  partitions: number;
  replicationFactor?: number;
  internal: boolean;
  underReplicatedPartitions: number;
  offlinePartitions: number;
  partitionDetails: PartitionDetail[];
  /** Non-default configs (or all with --all-configs). */
  configs: ConfigEntry[];
  /** Pulsar: producers, subscriptions, backlog, storage size. */
  stats?: TopicStats;
  /** Pulsar: the latest schema's type and version, null when the topic has none. */
  schema?: { type: string; version: number } | null;
}

export interface TopicListOptions {
  /** Substring filter, or a regular expression when `regex` is set. */
  filter?: string;
  regex?: boolean;
  includeInternal?: boolean;
  offsets?: boolean;
  /** Pulsar: tenant/namespace (default public/default). */
  namespace?: string;
}

export interface TopicCreateSpec {
  name: string;
  /** Undefined: the broker default (Kafka) or non-partitioned (Pulsar). */
  partitions?: number;
  replicationFactor?: number;
  configs: Record<string, string>;
  ifNotExists: boolean;
  dryRun: boolean;
}

export interface TopicCreateResult {
  name: string;
  created: boolean;
  dryRun: boolean;
  /** Set when --if-not-exists found the topic already there. */
  alreadyExisted: boolean;
  partitions?: number;
  replicationFactor?: number;
  configs: Record<string, string>;
  /** Kafka: created, but its partitions had no leader yet when --timeout ran out. */
  leadersPending?: boolean;
}

export interface TopicDeleteResult {
  name: string;
  deleted: boolean;
}

export interface PartitionAlterResult {
  name: string;
  previousPartitions: number;
  partitions: number;
  changed: boolean;
  dryRun: boolean;
}

export interface ConfigChangeResult {
  name: string;
  dryRun: boolean;
  /** The values after the change (or that the change would produce with --dry-run). */
  set: Record<string, string>;
  deleted: string[];
  /** The topic's non-default configs after the change. */
  configs: ConfigEntry[];
}

/** Topic admin on Kafka and Pulsar (what `mqctl topic ...` uses). */
export interface TopicAdmin {
  readonly kind: 'kafka' | 'pulsar';
  list(options: TopicListOptions): Promise<TopicSummary[]>;
  describe(name: string, options: { allConfigs?: boolean }): Promise<TopicDescription>;
  create(spec: TopicCreateSpec): Promise<TopicCreateResult>;
  /** Checks every name exists first (exit 3 naming the missing ones) before deleting anything. */
  delete(names: string[], options: { force?: boolean }): Promise<TopicDeleteResult[]>;
  /**
   * Fails with exit 3 when a name does not exist; used before asking for confirmation. With `action`
   * (e.g. "delete topic"), broker-owned topics are refused first (exit 2, see contracts/protected.ts).
   */
  requireExisting(names: string[], action?: string): Promise<void>;
  /** The topic's partition count (Pulsar: 0 for a non-partitioned topic); missing → exit 3. */
  partitionCount(name: string): Promise<number>;
  alterPartitions(name: string, partitions: number, dryRun: boolean): Promise<PartitionAlterResult>;
  getConfig(name: string, options: { all?: boolean; keys?: string[] }): Promise<ConfigEntry[]>;
  setConfig(name: string, values: Record<string, string>, dryRun: boolean): Promise<ConfigChangeResult>;
  deleteConfig(name: string, keys: string[], dryRun: boolean): Promise<ConfigChangeResult>;
}

/** A failure part-way through a multi-item delete says what was already deleted. */
export function partialFailure(error: unknown, done: Array<{ name: string }>, failedAt: string): unknown {
  if (!(error instanceof MqctlError) || done.length === 0) return error;
  return new MqctlError(
    `${error.message} (deleted before the failure: ${done.map((d) => d.name).join(', ')}; not deleted: ${failedAt} and any after it)`,
    error.exitCode,
    { hint: error.hint },
  );
}
