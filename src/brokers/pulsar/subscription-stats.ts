import { UsageError } from '../../core/errors';
import type { PulsarConnection } from './connection';
import { parsePulsarTopic, type PulsarTopicName } from './topic-name';

export interface ConsumerStats {
  consumerName?: string;
  address?: string;
  clientVersion?: string;
  unackedMessages?: number;
  msgRateOut?: number;
}

export interface SubscriptionStats {
  msgBacklog?: number;
  unackedMessages?: number;
  msgRateOut?: number;
  msgOutCounter?: number;
  type?: string;
  earliestMsgPublishTimeInBacklog?: number;
  consumers?: ConsumerStats[];
}

export interface TopicStats {
  msgRateIn?: number;
  subscriptions?: Record<string, SubscriptionStats>;
}

export interface PartitionedStats extends TopicStats {
  metadata?: { partitions?: number };
  partitions?: Record<string, TopicStats>;
}

/** One (topic, partition) and its stats. */
export interface TopicUnit {
  topic: PulsarTopicName;
  partition: number | null;
  stats: TopicStats;
}

const STATS_QUERY = { getEarliestTimeInBacklog: true, getPreciseBacklog: true };

/**
 * Subscription stats through the admin REST API, per topic or partition: what the lag report and the
 * subscription admin both read.
 */
export class PulsarSubscriptionStats {
  constructor(private readonly conn: PulsarConnection) {}

  base(t: PulsarTopicName): string {
    return `/admin/v2/${t.restPath}`;
  }

  private async partitionCount(t: PulsarTopicName): Promise<number> {
    const meta = await this.conn.admin.request<{ partitions?: number }>({
      path: `${this.base(t)}/partitions`,
      subject: `topic ${t.full}`,
    });
    return meta?.partitions ?? 0;
  }

  /** Topics named, or every persistent topic of the namespace (partitions folded into their topic). */
  async resolveTopics(query: { topics: string[]; namespace?: string }): Promise<PulsarTopicName[]> {
    if (query.topics.length) return query.topics.map((t) => parsePulsarTopic(t));
    const namespace = query.namespace ?? 'public/default';
    if (!/^[^/]+\/[^/]+$/.test(namespace)) {
      throw new UsageError(`invalid Pulsar namespace "${namespace}"`, { hint: 'use tenant/namespace' });
    }
    const [all, partitioned] = await Promise.all([
      this.conn.admin.request<string[]>({
        path: `/admin/v2/persistent/${namespace}`,
        subject: `namespace ${namespace}`,
      }),
      this.conn.admin.request<string[]>({
        path: `/admin/v2/persistent/${namespace}/partitioned`,
        subject: `namespace ${namespace}`,
      }),
    ]);
    const partitionedSet = new Set(partitioned ?? []);
    const names = new Set<string>(partitionedSet);
    for (const t of all ?? []) {
      const base = t.replace(/-partition-\d+$/, '');
      if (base !== t && partitionedSet.has(base)) continue;
      names.add(t);
    }
    return [...names].sort().map((t) => parsePulsarTopic(t));
  }

  async units(topics: PulsarTopicName[]): Promise<TopicUnit[]> {
    const perTopic = await Promise.all(
      topics.map(async (t): Promise<TopicUnit[]> => {
        const partitions = await this.partitionCount(t);
        if (partitions === 0) {
          const stats = await this.conn.admin.request<TopicStats>({
            path: `${this.base(t)}/stats`,
            query: STATS_QUERY,
            subject: `topic ${t.full}`,
          });
          return [{ topic: t, partition: null, stats }];
        }
        const stats = await this.conn.admin.request<PartitionedStats>({
          path: `${this.base(t)}/partitioned-stats`,
          query: { ...STATS_QUERY, perPartition: true },
          subject: `topic ${t.full}`,
        });
        return Object.entries(stats.partitions ?? {})
          .map(([name, s]) => ({
            topic: t,
            partition: Number(/-partition-(\d+)$/.exec(name)?.[1] ?? -1),
            stats: s,
          }))
          .sort((a, b) => (a.partition ?? 0) - (b.partition ?? 0));
      }),
    );
    return perTopic.flat();
  }
}
