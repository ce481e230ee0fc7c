import {
  ConfigResourceTypes,
  withInternalTopicFlags,
  type Admin,
  type ITopicMetadata,
  type PartitionMetadata,
} from './kafkajs';
import { MqctlError, NotFoundError, UsageError } from '../../core/errors';
import { sleep } from '../../util/timeout';
import { mapLimit, nameMatcher, validateKafkaTopicName, validatePartitionCount } from '../../topics/validate';
import type {
  ConfigChangeResult,
  ConfigEntry,
  PartitionAlterResult,
  PartitionDetail,
  TopicAdmin,
  TopicCreateResult,
  TopicCreateSpec,
  TopicDeleteResult,
  TopicDescription,
  TopicListOptions,
  TopicSummary,
} from '../contracts/topics';
import type { KafkaConnection } from './connection';
import { waitForTopicLeaders } from './wait';
import { refuseProtected } from '../contracts/protected';

/** DescribeConfigs' ConfigSource enum (KIP-226), as words users know from kafka-configs.sh. */
const CONFIG_SOURCES: Record<number, string> = {
  0: 'unknown',
  1: 'topic',
  2: 'broker',
  3: 'cluster-default',
  4: 'static-broker',
  5: 'default',
  6: 'broker-logger',
};
const TOPIC_SOURCE = 1;

interface KafkaConfigEntry {
  configName: string;
  configValue: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource?: number;
  isSensitive: boolean;
}

/** Kafka topics through the kafkajs admin client (the same requests kafka-topics.sh and kafka-configs.sh send). */
export class KafkaTopicAdmin implements TopicAdmin {
  readonly kind = 'kafka' as const;

  constructor(private readonly connection: KafkaConnection) {}

  private get cluster(): string {
    return this.connection.target;
  }

  private admin(): Promise<Admin> {
    return this.connection.admin();
  }

  private notFound(names: string[]): NotFoundError {
    const list = names.map((n) => `"${n}"`).join(', ');
    return new NotFoundError(`topic ${list} not found on Kafka at ${this.cluster}`, {
      hint: 'list topics with `mqctl topic list`',
    });
  }

  /** Runs a kafkajs call under the deadline, errors mapped to exit codes (see mapKafkaError). */
  private call<T>(what: string, fn: () => Promise<T>, subject?: string): Promise<T> {
    return this.connection.call(what, fn, subject);
  }

  private async topicNames(): Promise<string[]> {
    const admin = await this.admin();
    return this.call('list topics', () => admin.listTopics());
  }

  /**
   * Throws exit 3 for topics that do not exist and, when `action` changes them, exit 2 for broker-owned
   * ones: by name before connecting, and by the broker's own internal flag once its Metadata answer is in.
   */
  async requireExisting(names: string[], action?: string): Promise<void> {
    for (const name of names) validateKafkaTopicName(name);
    if (action) for (const name of names) refuseProtected(action, { kind: 'kafka', type: 'topic', name });
    const { names: all, internal } = await this.connection.listTopics();
    const existing = new Set(all);
    const missing = names.filter((n) => !existing.has(n));
    if (missing.length > 0) throw this.notFound(missing);
    if (action)
      for (const name of names)
        refuseProtected(action, { kind: 'kafka', type: 'topic', name, brokerInternal: internal.has(name) });
  }

  /**
   * One topic's metadata. The admin client never auto-creates topics, so asking for a missing one is safe:
   * the broker answers UNKNOWN_TOPIC_OR_PARTITION (exit 3), without listing the whole cluster first.
   */
  private async metadata(name: string): Promise<ITopicMetadata & { brokerInternal: boolean }> {
    validateKafkaTopicName(name);
    const admin = await this.admin();
    const {
      value: { topics },
      internal,
    } = await withInternalTopicFlags(() =>
      this.call(
        'fetch topic metadata',
        // a partition without a leader (its replicas' brokers down) is shown as offline, not an error: the
        // admin client reads metadata tolerantly (tolerantAdmin)
        () => admin.fetchTopicMetadata({ topics: [name] }),
        `topic "${name}"`,
      ),
    ).catch((error: unknown) => {
      throw error instanceof NotFoundError ? this.notFound([name]) : error;
    });
    const topic = topics.find((t) => t.name === name);
    if (!topic) throw this.notFound([name]);
    return { ...topic, brokerInternal: internal.has(name) };
  }

  async list(options: TopicListOptions): Promise<TopicSummary[]> {
    const matches = nameMatcher(options.filter, options.regex);
    const admin = await this.admin();
    // One Metadata request for every topic (what kafka-topics.sh --describe does), not one per topic.
    // Partitions without a leader (a broker down) are listed and counted, not an error for the whole list.
    const {
      value: { topics },
      internal,
    } = await withInternalTopicFlags(() =>
      this.call('fetch topic metadata', () => admin.fetchTopicMetadata()),
    );
    const rows: TopicSummary[] = topics
      .filter((t) => matches(t.name))
      .map((t) => ({
        name: t.name,
        partitions: t.partitions.length,
        replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
        internal: isInternalTopic(t.name) || internal.has(t.name),
        partitioned: true,
        underReplicatedPartitions: t.partitions.filter((p) => !isOffline(p) && isUnderReplicated(p)).length,
        offlinePartitions: t.partitions.filter(isOffline).length,
      }))
      .filter((t) => options.includeInternal || !t.internal)
      .sort((a, b) => a.name.localeCompare(b.name));
    if (options.offsets) {
      await mapLimit(rows, 8, async (row) => {
        // an offline partition's offsets cannot be read: the count is left out rather than understated
        if (row.offlinePartitions) return;
        const offsets = await this.call(
          'fetch offsets',
          () => admin.fetchTopicOffsets(row.name),
          `topic "${row.name}"`,
        );
        row.messages = offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
      });
    }
    return rows;
  }

  async describe(name: string, options: { allConfigs?: boolean }): Promise<TopicDescription> {
    const topic = await this.metadata(name);
    const admin = await this.admin();
    // kafkajs asks every partition's leader for offsets: with a partition offline there is none to ask, so
    // the offsets of such a topic are left out (the partitions table shows '-') and the rest is described
    const anyOffline = topic.partitions.some(isOffline);
    const [offsets, configs] = await Promise.all([
      anyOffline
        ? Promise.resolve([] as Array<{ partition: number; low: string; high: string }>)
        : this.call('fetch offsets', () => admin.fetchTopicOffsets(name), `topic "${name}"`),
      this.readConfigs(name),
    ]);
    const offsetsByPartition = new Map(offsets.map((o) => [o.partition, o]));
    const partitionDetails: PartitionDetail[] = topic.partitions
      .map((p) => {
        const o = offsetsByPartition.get(p.partitionId);
        const offline = isOffline(p);
        return {
          partition: p.partitionId,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas ?? [],
          earliestOffset: o?.low,
          latestOffset: o?.high,
          messages: o ? Number(o.high) - Number(o.low) : undefined,
          underReplicated: isUnderReplicated(p),
          offline,
        };
      })
      .sort((a, b) => a.partition - b.partition);
    return {
      kind: 'kafka',
      cluster: this.cluster,
      name,
      partitioned: true,
      partitions: partitionDetails.length,
      replicationFactor: Math.max(0, ...partitionDetails.map((p) => p.replicas?.length ?? 0)),
      internal: isInternalTopic(name) || topic.brokerInternal,
      // one state per partition, as the STATUS column shows it: an offline partition counts as offline only
      underReplicatedPartitions: partitionDetails.filter((p) => p.underReplicated && !p.offline).length,
      offlinePartitions: partitionDetails.filter((p) => p.offline).length,
      partitionDetails,
      configs: options.allConfigs ? configs : configs.filter((c) => !c.isDefault),
    };
  }

  async create(spec: TopicCreateSpec): Promise<TopicCreateResult> {
    validateKafkaTopicName(spec.name);
    validatePartitionCount(spec.partitions);
    if (spec.replicationFactor !== undefined) {
      if (!Number.isInteger(spec.replicationFactor) || spec.replicationFactor <= 0) {
        throw new UsageError(
          `--replication-factor must be a whole number above 0 (got ${spec.replicationFactor})`,
        );
      }
    }
    const admin = await this.admin();
    const result: TopicCreateResult = {
      name: spec.name,
      created: false,
      dryRun: spec.dryRun,
      alreadyExisted: false,
      partitions: spec.partitions,
      replicationFactor: spec.replicationFactor,
      configs: spec.configs,
    };
    const names = await this.topicNames();
    const existing = new Set(names);
    if (existing.has(spec.name)) {
      if (spec.ifNotExists) return { ...result, alreadyExisted: true };
      throw new UsageError(`topic "${spec.name}" already exists on Kafka at ${this.cluster}`, {
        hint: 'pass --if-not-exists to accept an existing topic, or `mqctl topic alter` to change it',
      });
    }
    if (spec.replicationFactor !== undefined) {
      const cluster = await this.call('describe cluster', () => admin.describeCluster());
      if (spec.replicationFactor > cluster.brokers.length) {
        throw new UsageError(
          `replication factor ${spec.replicationFactor} is above the number of brokers (${cluster.brokers.length}) on Kafka at ${this.cluster}`,
          { hint: `use --replication-factor ${cluster.brokers.length} or less` },
        );
      }
    }
    await this.checkConfigKeys(Object.keys(spec.configs), names, spec.name);
    const created = await this.call(
      spec.dryRun ? 'validate topic' : 'create topic',
      () =>
        admin.createTopics({
          validateOnly: spec.dryRun,
          // mqctl waits for the leaders itself (waitForTopic): kafkajs gives up when the broker's metadata
          // cache does not know the new topic yet, which happens on a busy KRaft broker.
          waitForLeaders: false,
          timeout: this.connection.timeoutMs,
          topics: [
            {
              topic: spec.name,
              numPartitions: spec.partitions ?? -1,
              replicationFactor: spec.replicationFactor ?? -1,
              configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
            },
          ],
        }),
      `topic "${spec.name}"`,
    ).catch((error: unknown) => {
      throw explainInvalidConfig(error, spec.configs);
    });
    if (!created && !spec.dryRun) {
      // Someone created it between our check and our request.
      if (spec.ifNotExists) return { ...result, alreadyExisted: true };
      throw new UsageError(`topic "${spec.name}" already exists on Kafka at ${this.cluster}`);
    }
    if (!spec.dryRun) {
      const topic = await this.waitForTopic(spec.name);
      if (topic) {
        result.partitions = topic.partitions.length;
        result.replicationFactor = Math.max(0, ...topic.partitions.map((p) => p.replicas.length));
      } else {
        result.leadersPending = true;
      }
    }
    return { ...result, created: !spec.dryRun };
  }

  private waitForTopic(name: string): Promise<ITopicMetadata | undefined> {
    return waitForTopicLeaders(this.connection, name);
  }

  /**
   * A KRaft broker's metadata cache follows the controller a little behind; on a busy broker that can be
   * seconds. Polls `done` (bounded by --timeout) so a command's effect is visible when it returns. Gives up
   * quietly: the change itself was acknowledged by the controller.
   */
  private async waitForMetadata(done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.connection.timeoutMs;
    while (Date.now() < deadline) {
      if (await done().catch(() => false)) return;
      await sleep(200);
    }
  }

  async delete(names: string[], _options: { force?: boolean } = {}): Promise<TopicDeleteResult[]> {
    await this.requireExisting(names, 'delete topic');
    const admin = await this.admin();
    await this.call(
      'delete topics',
      () => admin.deleteTopics({ topics: names, timeout: this.connection.timeoutMs }),
      `topic ${names.map((n) => `"${n}"`).join(', ')}`,
    ).catch((error: unknown) => {
      if (error instanceof MqctlError && error.exitCode === 69) {
        throw new MqctlError(
          `${error.message}; the delete request may or may not have been applied`,
          error.exitCode,
          { hint: 'check with `mqctl topic list` once the broker is back' },
        );
      }
      throw error;
    });
    // So that a describe or list right after this command does not still show the topics.
    await this.waitForMetadata(async () => {
      const left = new Set(await admin.listTopics());
      return names.every((n) => !left.has(n));
    });
    return names.map((name) => ({ name, deleted: true }));
  }

  async partitionCount(name: string): Promise<number> {
    return (await this.metadata(name)).partitions.length;
  }

  async alterPartitions(name: string, partitions: number, dryRun: boolean): Promise<PartitionAlterResult> {
    validatePartitionCount(partitions);
    refuseProtected('change the partitions of topic', { kind: 'kafka', type: 'topic', name });
    const topic = await this.metadata(name);
    refuseProtected('change the partitions of topic', {
      kind: 'kafka',
      type: 'topic',
      name,
      brokerInternal: topic.brokerInternal,
    });
    const current = topic.partitions.length;
    const result = { name, previousPartitions: current, partitions, changed: false, dryRun };
    if (partitions < current) {
      throw new UsageError(
        `cannot decrease topic "${name}" from ${current} to ${partitions} partitions: Kafka can only add partitions`,
        { hint: 'removing partitions would drop their data; create a new topic and copy the data instead' },
      );
    }
    if (partitions === current) return result;
    const admin = await this.admin();
    await this.call(
      dryRun ? 'validate partitions' : 'create partitions',
      () =>
        admin.createPartitions({
          validateOnly: dryRun,
          timeout: this.connection.timeoutMs,
          topicPartitions: [{ topic: name, count: partitions }],
        }),
      `topic "${name}"`,
    );
    if (!dryRun) {
      // So that the next command (describe, another alter) sees the new count, not a stale cache.
      await this.waitForMetadata(async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
        return (topics.find((t) => t.name === name)?.partitions.length ?? 0) >= partitions;
      });
    }
    return { ...result, changed: !dryRun };
  }

  /**
   * Kafka answers an unknown key with a bare INVALID_CONFIG, so check the keys first against the names the
   * broker itself reports for an existing topic (right for its version), else Kafka 4's list.
   */
  private async checkConfigKeys(keys: string[], topics: string[], subject: string): Promise<void> {
    if (keys.length === 0) return;
    let known: Set<string> = new Set(KAFKA_TOPIC_CONFIG_KEYS);
    const sample = topics.find((t) => !isInternalTopic(t)) ?? topics[0];
    if (sample) {
      const entries = await this.readConfigs(sample).catch(() => []);
      if (entries.length > 0) known = new Set(entries.map((e) => e.name));
    }
    const unknown = keys.filter((k) => !known.has(k));
    if (unknown.length > 0) throw unknownKeys(unknown, subject);
  }

  private async readConfigs(name: string): Promise<ConfigEntry[]> {
    const admin = await this.admin();
    const response = await this.call(
      'describe configs',
      () =>
        admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name }],
        }),
      `topic "${name}"`,
    );
    const entries = (response.resources[0]?.configEntries ?? []) as KafkaConfigEntry[];
    return entries
      .map((e) => {
        const source = e.configSource ?? (e.isDefault ? 5 : TOPIC_SOURCE);
        return {
          name: e.configName,
          value: e.isSensitive ? null : e.configValue,
          source: CONFIG_SOURCES[source] ?? String(source),
          // Non-default for a topic means set on the topic itself (what kafka-topics.sh shows as Configs:).
          isDefault: source !== TOPIC_SOURCE,
          sensitive: e.isSensitive,
          readOnly: e.readOnly,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async getConfig(name: string, options: { all?: boolean; keys?: string[] }): Promise<ConfigEntry[]> {
    await this.requireExisting([name]);
    const configs = await this.readConfigs(name);
    if (options.keys && options.keys.length > 0) {
      const known = new Set(configs.map((c) => c.name));
      const unknown = options.keys.filter((k) => !known.has(k));
      if (unknown.length > 0) throw unknownKeys(unknown, name);
      return configs.filter((c) => options.keys!.includes(c.name));
    }
    return options.all ? configs : configs.filter((c) => !c.isDefault);
  }

  setConfig(name: string, values: Record<string, string>, dryRun: boolean): Promise<ConfigChangeResult> {
    return this.changeConfig(name, values, [], dryRun);
  }

  deleteConfig(name: string, keys: string[], dryRun: boolean): Promise<ConfigChangeResult> {
    return this.changeConfig(name, {}, keys, dryRun);
  }

  /**
   * kafkajs sends the legacy AlterConfigs request, which replaces a topic's whole set of dynamic configs.
   * So read the topic's current overrides, apply the change, and send the merged set: keys the user did not
   * name keep their values. (Not atomic against a concurrent writer; kafka-configs.sh uses the incremental
   * API instead.)
   */
  private async changeConfig(
    name: string,
    set: Record<string, string>,
    remove: string[],
    dryRun: boolean,
  ): Promise<ConfigChangeResult> {
    await this.requireExisting([name], 'change the configs of topic');
    const current = await this.readConfigs(name);
    const known = new Set(current.map((c) => c.name));
    const unknown = [...Object.keys(set), ...remove].filter((k) => !known.has(k));
    if (unknown.length > 0) throw unknownKeys(unknown, name);
    const merged = new Map<string, string>();
    for (const c of current) if (!c.isDefault && c.value !== null) merged.set(c.name, c.value);
    for (const key of remove) merged.delete(key);
    for (const [key, value] of Object.entries(set)) merged.set(key, value);
    const admin = await this.admin();
    await this.call(
      dryRun ? 'validate configs' : 'alter configs',
      () =>
        admin
          .alterConfigs({
            validateOnly: dryRun,
            resources: [
              {
                type: ConfigResourceTypes.TOPIC,
                name,
                configEntries: [...merged].map(([key, value]) => ({ name: key, value })),
              },
            ],
          })
          .catch((error: unknown) => {
            throw explainInvalidConfig(error, set);
          }),
      `topic "${name}"`,
    );
    const after = dryRun
      ? [...merged].map(([key, value]) => ({
          name: key,
          value,
          source: 'topic',
          isDefault: false,
          sensitive: false,
        }))
      : (await this.readConfigs(name)).filter((c) => !c.isDefault);
    return { name, dryRun, set, deleted: remove, configs: after };
  }
}

/** INVALID_CONFIG with keys that exist means a value is wrong: name the values that were sent. */
function explainInvalidConfig(error: unknown, values: Record<string, string>): unknown {
  const err = error as { type?: string; errors?: Array<{ type?: string }>; message?: string };
  const type = err.type ?? err.errors?.[0]?.type ?? '';
  const isInvalid =
    type === 'INVALID_CONFIG' || (error instanceof MqctlError && /INVALID_CONFIG/.test(error.message));
  if (!isInvalid) return error;
  const sent = Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return new UsageError(
    `Kafka refused the config${sent ? ` (${sent})` : ''}: a value is invalid (INVALID_CONFIG)`,
    {
      hint: 'check the values against the Kafka topic config reference; nothing was changed',
    },
  );
}

/** Kafka 4.x topic config names (TopicConfig), used only when the cluster has no topic to ask. */
const KAFKA_TOPIC_CONFIG_KEYS = [
  'cleanup.policy',
  'compression.gzip.level',
  'compression.lz4.level',
  'compression.type',
  'compression.zstd.level',
  'delete.retention.ms',
  'file.delete.delay.ms',
  'flush.messages',
  'flush.ms',
  'follower.replication.throttled.replicas',
  'index.interval.bytes',
  'leader.replication.throttled.replicas',
  'local.retention.bytes',
  'local.retention.ms',
  'max.compaction.lag.ms',
  'max.message.bytes',
  'message.timestamp.after.max.ms',
  'message.timestamp.before.max.ms',
  'message.timestamp.type',
  'min.cleanable.dirty.ratio',
  'min.compaction.lag.ms',
  'min.insync.replicas',
  'preallocate',
  'remote.log.copy.disable',
  'remote.log.delete.on.disable',
  'remote.storage.enable',
  'retention.bytes',
  'retention.ms',
  'segment.bytes',
  'segment.index.bytes',
  'segment.jitter.ms',
  'segment.ms',
  'unclean.leader.election.enable',
];

function unknownKeys(keys: string[], topic: string): UsageError {
  return new UsageError(
    `unknown topic config key${keys.length > 1 ? 's' : ''} ${keys.join(', ')} for "${topic}"`,
    {
      hint: 'see all keys with `mqctl topic config get <topic> --all`',
    },
  );
}

/** Kafka's own internal topics and the `__`-prefixed ones tools create (Connect, Streams, Schema Registry). */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('__');
}

/** No leader (its replicas' brokers are down or fenced), or every replica offline. */
export function isOffline(p: Pick<PartitionMetadata, 'leader' | 'replicas' | 'offlineReplicas'>): boolean {
  return p.leader < 0 || (p.offlineReplicas?.length ?? 0) >= p.replicas.length;
}

/** Fewer in-sync replicas than replicas (kafka-topics.sh --under-replicated-partitions). */
export function isUnderReplicated(p: Pick<PartitionMetadata, 'isr' | 'replicas'>): boolean {
  return p.isr.length < p.replicas.length;
}
