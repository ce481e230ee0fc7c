import { MqctlError, NotFoundError, UsageError } from '../../core/errors';
import { mapLimit, nameMatcher, validatePartitionCount } from '../../topics/validate';
import type {
  ConfigChangeResult,
  ConfigEntry,
  PartitionAlterResult,
  PartitionDetail,
  SubscriptionStats,
  TopicAdmin,
  TopicCreateResult,
  TopicCreateSpec,
  TopicDeleteResult,
  TopicDescription,
  TopicListOptions,
  TopicStats,
  TopicSummary,
} from '../contracts/topics';
import { partialFailure } from '../contracts/topics';
import type { PulsarConnection } from './connection';
import { parsePulsarTopic, refuseSystemTopic, type PulsarTopicName } from './topic-name';
import { PulsarNamespaceAdmin } from './namespaces';
import { latestSchema } from './schema-registry';
import { checkKnownKeys, PulsarTopicPolicies, validatePolicyValues } from './topic-policies';

interface RawSubscription {
  msgBacklog?: number;
  type?: string;
  consumers?: unknown[];
  msgRateOut?: number;
}

interface RawTopicStats {
  msgRateIn?: number;
  msgRateOut?: number;
  msgInCounter?: number;
  storageSize?: number;
  backlogSize?: number;
  publishers?: unknown[];
  subscriptions?: Record<string, RawSubscription>;
  ownerBroker?: string;
  partitions?: Record<string, RawTopicStats>;
}

export class PulsarTopicAdmin implements TopicAdmin {
  readonly kind = 'pulsar' as const;

  private readonly policies: PulsarTopicPolicies;

  constructor(private readonly connection: PulsarConnection) {
    this.policies = new PulsarTopicPolicies(connection.admin, connection.timeoutMs);
  }

  private get cluster(): string {
    return this.connection.settings.adminUrl;
  }

  private get http() {
    return this.connection.admin;
  }

  /** A short name resolves to the context's tenant/namespace (default public/default). */
  parse(name: string): PulsarTopicName {
    return parsePulsarTopic(name, {
      tenant: this.connection.settings.tenant ?? 'public',
      namespace: this.connection.settings.namespace ?? 'default',
    });
  }

  private notFound(topic: PulsarTopicName | string): NotFoundError {
    const full = typeof topic === 'string' ? topic : topic.full;
    return new NotFoundError(`topic "${full}" not found on Pulsar at ${this.cluster}`, {
      hint: 'list topics with `mqctl topic list --namespace tenant/namespace`',
    });
  }

  private base(topic: PulsarTopicName): string {
    return `/admin/v2/${topic.restPath}`;
  }

  async partitionCount(name: string): Promise<number> {
    return this.partitionCountOf(this.parse(name));
  }

  /** Partition count of an existing topic (0 = non-partitioned); not found → exit 3. */
  private async partitionCountOf(topic: PulsarTopicName): Promise<number> {
    const meta = await this.http.request<{ partitions?: number }>({
      path: `${this.base(topic)}/partitions`,
      allow404: true,
      subject: `topic "${topic.full}"`,
    });
    if (meta === undefined) throw this.notFound(topic);
    const partitions = meta.partitions ?? 0;
    if (partitions > 0) return partitions;
    // Non-partitioned: the metadata call answers {partitions: 0} for any name in some versions.
    const stats = await this.http.request({
      path: `${this.base(topic)}/stats`,
      allow404: true,
      subject: `topic "${topic.full}"`,
    });
    if (stats === undefined) throw this.notFound(topic);
    return 0;
  }

  private async exists(topic: PulsarTopicName): Promise<boolean> {
    try {
      await this.partitionCountOf(topic);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  async requireExisting(names: string[], action?: string): Promise<void> {
    if (action) for (const name of names) refuseSystemTopic(action, this.parse(name));
    const missing: string[] = [];
    for (const name of names) {
      const topic = this.parse(name);
      if (!(await this.exists(topic))) missing.push(topic.full);
    }
    if (missing.length > 0) {
      throw new NotFoundError(
        `topic ${missing.map((n) => `"${n}"`).join(', ')} not found on Pulsar at ${this.cluster}`,
        { hint: 'list topics with `mqctl topic list --namespace tenant/namespace`' },
      );
    }
  }

  private namespaceOf(option: string | undefined): { tenant: string; namespace: string } {
    const value =
      option ??
      `${this.connection.settings.tenant ?? 'public'}/${this.connection.settings.namespace ?? 'default'}`;
    const parts = value.split('/');
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw new UsageError(`invalid namespace "${value}"`, {
        hint: 'use tenant/namespace, e.g. public/default',
      });
    }
    return { tenant: parts[0], namespace: parts[1] };
  }

  async list(options: TopicListOptions): Promise<TopicSummary[]> {
    if (options.offsets) {
      throw new UsageError('--offsets applies to Kafka only', {
        hint: 'Pulsar has no offsets; see backlog and storage size with `mqctl topic describe`',
      });
    }
    const matches = nameMatcher(options.filter, options.regex);
    const { tenant, namespace } = this.namespaceOf(options.namespace);
    const nsPath = `/admin/v2/persistent/${encodeURIComponent(tenant)}/${encodeURIComponent(namespace)}`;
    const subject = `namespace "${tenant}/${namespace}"`;
    // The admin API leaves system topics (__change_events, ...) out unless asked (Pulsar 2.11+).
    const query = options.includeInternal ? { includeSystemTopic: true } : undefined;
    const [all, partitioned] = await Promise.all([
      this.http.request<string[]>({ path: nsPath, subject, query }),
      this.http.request<string[]>({ path: `${nsPath}/partitioned`, subject, query }),
    ]);
    const partitionedSet = new Set(partitioned);
    const isPartitionOf = (name: string) => {
      const m = /^(.*)-partition-\d+$/.exec(name);
      return m !== null && partitionedSet.has(m[1]!);
    };
    const rows: TopicSummary[] = [];
    for (const name of all) {
      if (partitionedSet.has(name) || isPartitionOf(name)) continue;
      rows.push({ name, partitions: 0, internal: isSystemTopic(name), partitioned: false });
    }
    const partitionedRows = partitioned.map((name) => ({
      name,
      partitions: 0,
      internal: isSystemTopic(name),
      partitioned: true,
    }));
    const wanted = [...rows, ...partitionedRows]
      .filter((r) => matches(r.name))
      .filter((r) => options.includeInternal || !r.internal);
    await mapLimit(
      wanted.filter((r) => r.partitioned),
      8,
      async (row) => {
        const meta = await this.http.request<{ partitions?: number }>({
          path: `${this.base(this.parse(row.name))}/partitions`,
          allow404: true,
        });
        row.partitions = meta?.partitions ?? 0;
      },
    );
    return wanted.sort((a, b) => a.name.localeCompare(b.name));
  }

  async describe(name: string, options: { allConfigs?: boolean }): Promise<TopicDescription> {
    const topic = this.parse(name);
    const partitions = await this.partitionCountOf(topic);
    const subject = `topic "${topic.full}"`;
    const raw =
      partitions > 0
        ? await this.http.request<RawTopicStats>({
            path: `${this.base(topic)}/partitioned-stats`,
            query: { perPartition: true },
            subject,
          })
        : await this.http.request<RawTopicStats>({ path: `${this.base(topic)}/stats`, subject });
    const [configs, schema] = await Promise.all([this.policies.read(topic), latestSchema(this.http, topic)]);
    const partitionDetails: PartitionDetail[] = Object.entries(raw.partitions ?? {})
      .map(([partitionName, stats]) => {
        const index = Number(/-partition-(\d+)$/.exec(partitionName)?.[1] ?? -1);
        const s = toStats(stats);
        return {
          partition: index,
          leader: stats.ownerBroker,
          messages: stats.msgInCounter,
          underReplicated: false,
          offline: false,
          backlog: s.backlog,
          storageSize: s.storageSize,
          producers: s.producers,
          subscriptions: s.subscriptions.length,
        };
      })
      .sort((a, b) => a.partition - b.partition);
    return {
      kind: 'pulsar',
      cluster: this.cluster,
      name: topic.full,
      partitioned: partitions > 0,
      partitions,
      internal: isSystemTopic(topic.full),
      underReplicatedPartitions: 0,
      offlinePartitions: 0,
      partitionDetails,
      configs: options.allConfigs ? configs : configs.filter((c) => !c.isDefault),
      stats: toStats(raw),
      schema: schema ? { type: schema.type, version: schema.version } : null,
    };
  }

  async create(spec: TopicCreateSpec): Promise<TopicCreateResult> {
    const topic = this.parse(spec.name);
    validatePartitionCount(spec.partitions);
    if (spec.replicationFactor !== undefined) {
      throw new UsageError('--replication-factor does not apply to Pulsar', {
        hint: 'Pulsar replicates per namespace (BookKeeper ensemble/write/ack quorum): set it with the namespace persistence policy',
      });
    }
    const policyValues = validatePolicyValues(spec.configs);
    const result: TopicCreateResult = {
      name: topic.full,
      created: false,
      dryRun: spec.dryRun,
      alreadyExisted: false,
      partitions: spec.partitions ?? 0,
      configs: spec.configs,
    };
    if (await this.exists(topic)) {
      if (spec.ifNotExists) return { ...result, alreadyExisted: true };
      throw new UsageError(`topic "${topic.full}" already exists on Pulsar at ${this.cluster}`, {
        hint: 'pass --if-not-exists to accept an existing topic, or `mqctl topic alter` to change it',
      });
    }
    // The namespace must exist; creating a topic would otherwise fail with a less helpful message.
    await new PulsarNamespaceAdmin(this.connection).requireNamespace(topic.tenant, topic.namespace);
    if (spec.dryRun) return result;
    const subject = `topic "${topic.full}"`;
    if (spec.partitions !== undefined) {
      await this.http.request({
        method: 'PUT',
        path: `${this.base(topic)}/partitions`,
        body: spec.partitions,
        subject,
      });
    } else {
      await this.http.request({ method: 'PUT', path: this.base(topic), subject });
    }
    try {
      await this.policies.apply(topic, policyValues, []);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MqctlError(
        `topic "${topic.full}" was created, but setting its configs failed: ${reason}`,
        error instanceof MqctlError ? error.exitCode : 1,
        { hint: 'retry with `mqctl topic config set`, or delete the topic' },
      );
    }
    return { ...result, created: true };
  }

  async delete(names: string[], options: { force?: boolean }): Promise<TopicDeleteResult[]> {
    await this.requireExisting(names, 'delete topic');
    const results: TopicDeleteResult[] = [];
    for (const name of names) {
      const topic = this.parse(name);
      const subject = `topic "${topic.full}"`;
      try {
        const partitions = await this.partitionCountOf(topic);
        await this.http.request({
          method: 'DELETE',
          path: partitions > 0 ? `${this.base(topic)}/partitions` : this.base(topic),
          query: { force: Boolean(options.force) },
          subject,
        });
      } catch (error) {
        throw partialFailure(error, results, topic.full);
      }
      results.push({ name: topic.full, deleted: true });
    }
    return results;
  }

  async alterPartitions(name: string, partitions: number, dryRun: boolean): Promise<PartitionAlterResult> {
    validatePartitionCount(partitions);
    const topic = this.parse(name);
    refuseSystemTopic('change the partitions of topic', topic);
    const current = await this.partitionCountOf(topic);
    const result = { name: topic.full, previousPartitions: current, partitions, changed: false, dryRun };
    if (current === 0) {
      throw new UsageError(`topic "${topic.full}" is not partitioned; Pulsar cannot add partitions to it`, {
        hint: 'create a partitioned topic with `mqctl topic create NAME --partitions N`',
      });
    }
    if (partitions < current) {
      throw new UsageError(
        `cannot decrease topic "${topic.full}" from ${current} to ${partitions} partitions: Pulsar can only add partitions`,
        { hint: 'create a new topic with fewer partitions and move the data instead' },
      );
    }
    if (partitions === current || dryRun) return result;
    await this.http.request({
      method: 'POST',
      path: `${this.base(topic)}/partitions`,
      body: partitions,
      subject: `topic "${topic.full}"`,
    });
    return { ...result, changed: true };
  }

  async getConfig(name: string, options: { all?: boolean; keys?: string[] }): Promise<ConfigEntry[]> {
    const topic = this.parse(name);
    await this.partitionCountOf(topic);
    if (options.keys?.length) checkKnownKeys(options.keys);
    const configs = await this.policies.read(topic);
    if (options.keys?.length) return configs.filter((c) => options.keys!.includes(c.name));
    return options.all ? configs : configs.filter((c) => !c.isDefault);
  }

  async setConfig(
    name: string,
    values: Record<string, string>,
    dryRun: boolean,
  ): Promise<ConfigChangeResult> {
    const topic = this.parse(name);
    refuseSystemTopic('change the policies of topic', topic);
    await this.partitionCountOf(topic);
    const parsed = validatePolicyValues(values);
    if (!dryRun) await this.policies.apply(topic, parsed, []);
    return this.policies.changeResult(topic, values, [], dryRun);
  }

  async deleteConfig(name: string, keys: string[], dryRun: boolean): Promise<ConfigChangeResult> {
    const topic = this.parse(name);
    refuseSystemTopic('change the policies of topic', topic);
    await this.partitionCountOf(topic);
    checkKnownKeys(keys);
    if (!dryRun) await this.policies.apply(topic, {}, keys);
    return this.policies.changeResult(topic, {}, keys, dryRun);
  }
}

function toStats(raw: RawTopicStats): TopicStats {
  const subscriptions: SubscriptionStats[] = Object.entries(raw.subscriptions ?? {})
    .map(([name, s]) => ({
      name,
      type: s.type,
      backlog: s.msgBacklog ?? 0,
      consumers: s.consumers?.length ?? 0,
      msgRateOut: s.msgRateOut,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    producers: raw.publishers?.length ?? 0,
    subscriptions,
    backlog: subscriptions.reduce((sum, s) => sum + s.backlog, 0),
    backlogSize: raw.backlogSize ?? 0,
    storageSize: raw.storageSize ?? 0,
    msgRateIn: raw.msgRateIn ?? 0,
    msgRateOut: raw.msgRateOut ?? 0,
    msgInCounter: raw.msgInCounter,
  };
}

/** Pulsar system topics (topic policies, transactions, health checks) start with "__". */
function isSystemTopic(name: string): boolean {
  const local = name.split('/').pop() ?? name;
  return local.startsWith('__') || name.includes('/__');
}
