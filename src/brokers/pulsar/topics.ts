import { MqctlError, NotFoundError, UsageError } from '../../cli/errors';
import { sleep } from '../../util/timeout';
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
} from '../topics';
import type { PulsarConnection } from './connection';
import { parsePulsarTopic, type PulsarTopicName } from './topic-name';

/**
 * The topic-level policies mqctl exposes as `config` keys. Each maps to one admin REST sub-resource
 * (`.../{topic}/{path}`); the two retention keys share one policy object.
 */
interface PolicyKey {
  key: string;
  path: string;
  type: 'int' | 'bool';
  describe: string;
}
export const PULSAR_CONFIG_KEYS: PolicyKey[] = [
  { key: 'message-ttl-seconds', path: 'messageTTL', type: 'int', describe: 'message time to live' },
  {
    key: 'retention-time-minutes',
    path: 'retention',
    type: 'int',
    describe: 'retention time (-1 = forever)',
  },
  { key: 'retention-size-mb', path: 'retention', type: 'int', describe: 'retention size (-1 = unlimited)' },
  { key: 'max-producers', path: 'maxProducers', type: 'int', describe: 'producers per topic' },
  { key: 'max-consumers', path: 'maxConsumers', type: 'int', describe: 'consumers per topic' },
  {
    key: 'max-unacked-messages-per-consumer',
    path: 'maxUnackedMessagesOnConsumer',
    type: 'int',
    describe: 'unacked messages per consumer',
  },
  { key: 'deduplication-enabled', path: 'deduplicationEnabled', type: 'bool', describe: 'broker-side dedup' },
];

interface RawRetention {
  retentionTimeInMinutes?: number;
  retentionSizeInMB?: number;
}

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

interface TenantInfo {
  adminRoles?: string[];
  allowedClusters?: string[];
}

export interface TenantRow {
  name: string;
  adminRoles: string[];
  allowedClusters: string[];
}

export interface NamespaceRow {
  name: string;
  tenant: string;
  namespace: string;
}

/** Pulsar topics, tenants and namespaces through the admin REST API (what pulsar-admin calls). */
export class PulsarTopicAdmin implements TopicAdmin {
  readonly kind = 'pulsar' as const;

  constructor(private readonly connection: PulsarConnection) {}

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

  async requireExisting(names: string[]): Promise<void> {
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
    const [all, partitioned] = await Promise.all([
      this.http.request<string[]>({ path: nsPath, subject }),
      this.http.request<string[]>({ path: `${nsPath}/partitioned`, subject }),
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
    const configs = await this.readConfigs(topic);
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
    await this.requireNamespace(topic.tenant, topic.namespace);
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
      await this.applyPolicies(topic, policyValues, []);
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
    await this.requireExisting(names);
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

  /** Topic-level values (source "topic") and, where none is set, the applied namespace/broker value. */
  private async readConfigs(topic: PulsarTopicName): Promise<ConfigEntry[]> {
    const paths = [...new Set(PULSAR_CONFIG_KEYS.map((k) => k.path))];
    const values = await mapLimit(paths, 4, async (path) => {
      const [own, applied] = await Promise.all([
        this.http.request<unknown>({ path: `${this.base(topic)}/${path}`, allow404: true }),
        this.http.request<unknown>({
          path: `${this.base(topic)}/${path}`,
          query: { applied: true },
          allow404: true,
        }),
      ]);
      return [path, { own, applied }] as const;
    });
    const byPath = new Map(values);
    return PULSAR_CONFIG_KEYS.map((k) => {
      const { own, applied } = byPath.get(k.path) ?? {};
      const ownValue = policyField(k, own);
      const appliedValue = policyField(k, applied);
      const isDefault = ownValue === undefined;
      return {
        name: k.key,
        value: (isDefault ? appliedValue : ownValue) ?? null,
        source: isDefault ? 'namespace-or-broker' : 'topic',
        isDefault,
        sensitive: false,
      };
    });
  }

  async getConfig(name: string, options: { all?: boolean; keys?: string[] }): Promise<ConfigEntry[]> {
    const topic = this.parse(name);
    await this.partitionCountOf(topic);
    if (options.keys?.length) checkKnownKeys(options.keys);
    const configs = await this.readConfigs(topic);
    if (options.keys?.length) return configs.filter((c) => options.keys!.includes(c.name));
    return options.all ? configs : configs.filter((c) => !c.isDefault);
  }

  async setConfig(
    name: string,
    values: Record<string, string>,
    dryRun: boolean,
  ): Promise<ConfigChangeResult> {
    const topic = this.parse(name);
    await this.partitionCountOf(topic);
    const parsed = validatePolicyValues(values);
    if (!dryRun) await this.applyPolicies(topic, parsed, []);
    return this.changeResult(topic, values, [], dryRun);
  }

  async deleteConfig(name: string, keys: string[], dryRun: boolean): Promise<ConfigChangeResult> {
    const topic = this.parse(name);
    await this.partitionCountOf(topic);
    checkKnownKeys(keys);
    if (!dryRun) await this.applyPolicies(topic, {}, keys);
    return this.changeResult(topic, {}, keys, dryRun);
  }

  /**
   * Topic policies are stored in a system topic and applied asynchronously, so a read right after a write
   * can still see the old value: wait (bounded by --timeout) until the reads agree with what was written.
   */
  private async changeResult(
    topic: PulsarTopicName,
    set: Record<string, string>,
    deleted: string[],
    dryRun: boolean,
  ): Promise<ConfigChangeResult> {
    const deadline = Date.now() + this.connection.timeoutMs;
    let configs = await this.readConfigs(topic);
    const settled = () =>
      dryRun ||
      (Object.entries(set).every(
        ([k, v]) => configs.find((c) => c.name === k && !c.isDefault)?.value === normalise(v),
      ) &&
        deleted.every((k) => configs.find((c) => c.name === k)?.isDefault !== false));
    while (!settled() && Date.now() < deadline) {
      await sleep(200);
      configs = await this.readConfigs(topic);
    }
    return { name: topic.full, dryRun, set, deleted, configs: configs.filter((c) => !c.isDefault) };
  }

  private async applyPolicies(
    topic: PulsarTopicName,
    values: Record<string, number | boolean>,
    remove: string[],
  ): Promise<void> {
    const subject = `topic "${topic.full}"`;
    const retentionKeys = ['retention-time-minutes', 'retention-size-mb'];
    const retentionSet = retentionKeys.some((k) => k in values);
    for (const [key, value] of Object.entries(values)) {
      if (retentionKeys.includes(key)) continue;
      const spec = PULSAR_CONFIG_KEYS.find((k) => k.key === key)!;
      await this.http.request({
        method: 'POST',
        path: `${this.base(topic)}/${spec.path}`,
        // messageTTL takes a query parameter; the other policies take the value as the JSON body.
        ...(spec.path === 'messageTTL' ? { query: { messageTTL: Number(value) } } : { body: value }),
        subject,
      });
    }
    if (retentionSet) {
      const current = await this.http.request<RawRetention>({
        path: `${this.base(topic)}/retention`,
        query: { applied: true },
        subject,
      });
      const body = {
        retentionTimeInMinutes: retentionPart(
          values['retention-time-minutes'],
          current?.retentionTimeInMinutes,
          values['retention-size-mb'],
        ),
        retentionSizeInMB: retentionPart(
          values['retention-size-mb'],
          current?.retentionSizeInMB,
          values['retention-time-minutes'],
        ),
      };
      await this.http.request({ method: 'POST', path: `${this.base(topic)}/retention`, body, subject });
    }
    // Deleting a key removes the topic-level policy, so the namespace (or broker) value applies again.
    // Both retention keys live in one policy: removing either removes the topic's retention override.
    const paths = new Set(remove.map((k) => PULSAR_CONFIG_KEYS.find((s) => s.key === k)!.path));
    for (const path of paths) {
      await this.http.request({ method: 'DELETE', path: `${this.base(topic)}/${path}`, subject });
    }
  }

  // ---- tenants and namespaces ----

  async listTenants(): Promise<TenantRow[]> {
    const names = await this.http.request<string[]>({ path: '/admin/v2/tenants' });
    const rows = await mapLimit(names, 8, async (name) => {
      const info = await this.http.request<TenantInfo>({
        path: `/admin/v2/tenants/${encodeURIComponent(name)}`,
        allow404: true,
      });
      return { name, adminRoles: info?.adminRoles ?? [], allowedClusters: info?.allowedClusters ?? [] };
    });
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  async listNamespaces(tenant?: string): Promise<NamespaceRow[]> {
    const tenants = tenant ? [tenant] : (await this.listTenants()).map((t) => t.name);
    const lists = await mapLimit(tenants, 8, async (t) => {
      const names = await this.http.request<string[] | undefined>({
        path: `/admin/v2/namespaces/${encodeURIComponent(t)}`,
        allow404: true,
      });
      if (names === undefined) {
        throw new NotFoundError(`tenant "${t}" not found on Pulsar at ${this.cluster}`, {
          hint: 'list tenants with `mqctl tenant list`',
        });
      }
      return names;
    });
    return lists
      .flat()
      .map((name) => {
        const [t, ns] = name.split('/') as [string, string];
        return { name, tenant: t, namespace: ns };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private parseNamespace(name: string): { tenant: string; namespace: string; path: string } {
    const parts = name.split('/');
    if (parts.length !== 2 || !parts.every((p) => /^[A-Za-z0-9_.=:-]+$/.test(p))) {
      throw new UsageError(`invalid namespace "${name}"`, {
        hint: 'use tenant/namespace with letters, digits and _ . = : -',
      });
    }
    const [tenant, namespace] = parts as [string, string];
    return {
      tenant,
      namespace,
      path: `/admin/v2/namespaces/${encodeURIComponent(tenant)}/${encodeURIComponent(namespace)}`,
    };
  }

  private async requireNamespace(tenant: string, namespace: string): Promise<void> {
    const names = await this.http.request<string[] | undefined>({
      path: `/admin/v2/namespaces/${encodeURIComponent(tenant)}`,
      allow404: true,
    });
    if (names === undefined) {
      throw new NotFoundError(`tenant "${tenant}" not found on Pulsar at ${this.cluster}`, {
        hint: 'list tenants with `mqctl tenant list`',
      });
    }
    if (!names.includes(`${tenant}/${namespace}`)) {
      throw new NotFoundError(`namespace "${tenant}/${namespace}" not found on Pulsar at ${this.cluster}`, {
        hint: `create it with \`mqctl namespace create ${tenant}/${namespace}\``,
      });
    }
  }

  async createNamespace(
    name: string,
    options: { ifNotExists: boolean; dryRun: boolean },
  ): Promise<{ name: string; created: boolean; alreadyExisted: boolean; dryRun: boolean }> {
    const ns = this.parseNamespace(name);
    const existing = await this.listNamespaces(ns.tenant);
    if (existing.some((n) => n.name === name)) {
      if (options.ifNotExists) return { name, created: false, alreadyExisted: true, dryRun: options.dryRun };
      throw new UsageError(`namespace "${name}" already exists on Pulsar at ${this.cluster}`, {
        hint: 'pass --if-not-exists to accept an existing namespace',
      });
    }
    if (!options.dryRun) {
      await this.http.request({ method: 'PUT', path: ns.path, subject: `namespace "${name}"` });
    }
    return { name, created: !options.dryRun, alreadyExisted: false, dryRun: options.dryRun };
  }

  async requireNamespaceExists(name: string): Promise<void> {
    const ns = this.parseNamespace(name);
    await this.requireNamespace(ns.tenant, ns.namespace);
  }

  async deleteNamespace(
    name: string,
    options: { force: boolean },
  ): Promise<{ name: string; deleted: boolean }> {
    const ns = this.parseNamespace(name);
    await this.requireNamespace(ns.tenant, ns.namespace);
    try {
      await this.http.request({
        method: 'DELETE',
        path: ns.path,
        query: { force: options.force || undefined },
        subject: `namespace "${name}"`,
      });
    } catch (error) {
      if (error instanceof MqctlError && error.exitCode === 2) {
        throw new UsageError(
          `cannot delete namespace "${name}": ${error.message.replace(/^namespace "[^"]*": /, '')}`,
          {
            hint: 'delete its topics first, or pass --force to delete them with it',
          },
        );
      }
      throw error;
    }
    return { name, deleted: true };
  }
}

/**
 * One half of a retention policy. Pulsar refuses a 0 next to a non-zero limit, so a half the user did not
 * give keeps its current value when that is a real limit, and otherwise becomes -1 ("no limit").
 */
function retentionPart(
  given: number | boolean | undefined,
  current: number | undefined,
  other: number | boolean | undefined,
): number {
  if (typeof given === 'number') return given;
  if (current !== undefined && current !== 0) return current;
  return other === 0 ? 0 : -1;
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

function policyField(key: PolicyKey, raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (key.path === 'retention') {
    const r = raw as RawRetention;
    const v = key.key === 'retention-time-minutes' ? r.retentionTimeInMinutes : r.retentionSizeInMB;
    return v === undefined ? undefined : String(v);
  }
  return String(raw);
}

function normalise(value: string): string {
  return /^(true|false)$/i.test(value) ? value.toLowerCase() : String(Number(value));
}

function checkKnownKeys(keys: string[]): void {
  const unknown = keys.filter((k) => !PULSAR_CONFIG_KEYS.some((s) => s.key === k));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown Pulsar topic config key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
      {
        hint: `known keys: ${PULSAR_CONFIG_KEYS.map((k) => k.key).join(', ')}`,
      },
    );
  }
}

/** Checks keys and value types before anything is sent, so a bad value leaves the topic unchanged. */
export function validatePolicyValues(values: Record<string, string>): Record<string, number | boolean> {
  checkKnownKeys(Object.keys(values));
  const parsed: Record<string, number | boolean> = {};
  for (const [key, value] of Object.entries(values)) {
    const spec = PULSAR_CONFIG_KEYS.find((k) => k.key === key)!;
    if (spec.type === 'bool') {
      if (!/^(true|false)$/i.test(value))
        throw new UsageError(`${key} must be true or false (got "${value}")`);
      parsed[key] = value.toLowerCase() === 'true';
    } else {
      if (!/^-?\d+$/.test(value.trim()))
        throw new UsageError(`${key} must be a whole number (got "${value}")`);
      const n = Number(value);
      if (n < -1) throw new UsageError(`${key} must be -1 or more (got ${n})`);
      parsed[key] = n;
    }
  }
  return parsed;
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
