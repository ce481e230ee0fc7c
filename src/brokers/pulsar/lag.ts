import { NotFoundError, UnsupportedError, UsageError } from '../../cli/errors';
import type { LagQuery, LagRow, LagSnapshot } from '../../lag/model';
import type {
  GroupDescription,
  GroupInfo,
  LagSource,
  ResetPlan,
  ResetPlanRow,
  ResetSpec,
  ResetTarget,
  SkipResult,
} from '../lag';
import type { PulsarConnection } from './connection';
import { parsePulsarTopic, type PulsarTopicName } from './topic-name';

interface ConsumerStats {
  consumerName?: string;
  address?: string;
  clientVersion?: string;
  unackedMessages?: number;
  msgRateOut?: number;
}

interface SubscriptionStats {
  msgBacklog?: number;
  unackedMessages?: number;
  msgRateOut?: number;
  msgOutCounter?: number;
  type?: string;
  earliestMsgPublishTimeInBacklog?: number;
  consumers?: ConsumerStats[];
}

interface TopicStats {
  msgRateIn?: number;
  subscriptions?: Record<string, SubscriptionStats>;
}

interface PartitionedStats extends TopicStats {
  metadata?: { partitions?: number };
  partitions?: Record<string, TopicStats>;
}

/** One (topic, partition) and its stats. */
interface TopicUnit {
  topic: PulsarTopicName;
  partition: number | null;
  stats: TopicStats;
}

const STATS_QUERY = { getEarliestTimeInBacklog: true, getPreciseBacklog: true };

/**
 * Pulsar lag: subscriptions are the groups. Backlog, unacked, consumers and rates come from the topic
 * stats; the time lag is now − earliestMsgPublishTimeInBacklog (asked with getEarliestTimeInBacklog=true).
 */
export class PulsarLagSource implements LagSource {
  constructor(private readonly conn: PulsarConnection) {}

  private base(t: PulsarTopicName): string {
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
  private async resolveTopics(query: { topics: string[]; namespace?: string }): Promise<PulsarTopicName[]> {
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

  private async units(topics: PulsarTopicName[]): Promise<TopicUnit[]> {
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

  async snapshot(query: LagQuery): Promise<LagSnapshot> {
    const topics = await this.resolveTopics(query);
    const units = await this.units(topics);
    const takenAt = Date.now();
    const rows: LagRow[] = [];
    const groupFacts = new Map<string, { group: string; state?: string; consumers: Set<string> }>();
    for (const unit of units) {
      for (const [sub, s] of Object.entries(unit.stats.subscriptions ?? {})) {
        if (query.groups.length && !query.groups.includes(sub)) continue;
        const backlog = s.msgBacklog ?? 0;
        const unacked = s.unackedMessages ?? 0;
        const earliest = s.earliestMsgPublishTimeInBacklog ?? 0;
        const consumers = s.consumers ?? [];
        const facts = groupFacts.get(sub) ?? { group: sub, state: s.type, consumers: new Set<string>() };
        for (const c of consumers) facts.consumers.add(`${c.consumerName ?? ''}@${c.address ?? ''}`);
        groupFacts.set(sub, facts);
        rows.push({
          kind: 'pulsar',
          group: sub,
          topic: unit.topic.full,
          partition: unit.partition,
          committedOffset: null,
          logStartOffset: null,
          logEndOffset: null,
          lag: backlog,
          timeLagMs: backlog === 0 ? 0 : earliest > 0 ? Math.max(0, takenAt - earliest) : null,
          timeLagSource: backlog === 0 ? 'caught-up' : earliest > 0 ? 'publish-time' : 'unknown',
          owner:
            consumers.length === 0
              ? null
              : consumers.length === 1
                ? {
                    memberId: consumers[0]!.consumerName,
                    host: consumers[0]!.address,
                    clientId: consumers[0]!.clientVersion,
                  }
                : { memberId: `${consumers.length} consumers` },
          unacked,
          ready: Math.max(0, backlog - unacked),
          consumers: consumers.length,
          consumeRate: s.msgRateOut ?? 0,
          produceRate: unit.stats.msgRateIn ?? 0,
          progress: s.msgOutCounter ?? null,
          status: 'UNKNOWN',
        });
      }
    }
    for (const g of query.groups) {
      if (!groupFacts.has(g)) {
        throw new NotFoundError(
          `subscription "${g}" not found on ${topics.length === 1 ? topics[0]!.full : `${topics.length} topics`} (Pulsar at ${this.conn.target})`,
          { hint: 'list subscriptions with: mqctl group list --kind pulsar --topic T' },
        );
      }
    }
    return {
      kind: 'pulsar',
      target: this.conn.target,
      takenAt,
      rows,
      groups: [...groupFacts.values()].map((g) => ({
        group: g.group,
        state: g.state,
        members: g.consumers.size,
      })),
    };
  }

  async listGroups(options: { topics: string[]; namespace?: string }): Promise<GroupInfo[]> {
    const units = await this.units(await this.resolveTopics(options));
    const seen = new Map<string, GroupInfo>();
    for (const unit of units) {
      for (const [sub, s] of Object.entries(unit.stats.subscriptions ?? {})) {
        const key = `${unit.topic.full}\u0000${sub}`;
        const info = seen.get(key) ?? {
          kind: 'pulsar' as const,
          group: sub,
          topic: unit.topic.full,
          state: s.type ?? '-',
          members: 0,
        };
        info.members += s.consumers?.length ?? 0;
        seen.set(key, info);
      }
    }
    return [...seen.values()].sort(
      (a, b) => a.group.localeCompare(b.group) || a.topic!.localeCompare(b.topic!),
    );
  }

  async describeGroup(
    group: string,
    options: { topics: string[]; namespace?: string },
  ): Promise<GroupDescription> {
    const units = await this.units(await this.resolveTopics(options));
    let found = false;
    let state = '-';
    const members = new Map<string, GroupDescription['memberDetails'][number]>();
    for (const unit of units) {
      const s = unit.stats.subscriptions?.[group];
      if (!s) continue;
      found = true;
      state = s.type ?? state;
      for (const c of s.consumers ?? []) {
        const id = `${c.consumerName ?? '-'}@${c.address ?? '-'}`;
        const m = members.get(id) ?? {
          memberId: c.consumerName ?? '-',
          clientId: c.clientVersion ?? '-',
          host: (c.address ?? '-').replace(/^\//, ''),
          assignments: [],
        };
        let a = m.assignments.find((x) => x.topic === unit.topic.full);
        if (!a) m.assignments.push((a = { topic: unit.topic.full, partitions: [] }));
        if (unit.partition !== null) a.partitions.push(unit.partition);
        members.set(id, m);
      }
    }
    if (!found) {
      throw new NotFoundError(`subscription "${group}" not found (Pulsar at ${this.conn.target})`, {
        hint: 'pass --topic T; list subscriptions with: mqctl group list --kind pulsar --topic T',
      });
    }
    return {
      kind: 'pulsar',
      group,
      state,
      members: members.size,
      memberDetails: [...members.values()],
    };
  }

  private async subscriptionOn(
    t: PulsarTopicName,
    group: string,
  ): Promise<{ backlog: number; consumers: number }> {
    const [unit] = await this.units([t]).then((u) => [
      u.reduce(
        (acc, x) => {
          const s = x.stats.subscriptions?.[group];
          if (s) {
            acc.found = true;
            acc.backlog += s.msgBacklog ?? 0;
            acc.consumers += s.consumers?.length ?? 0;
          }
          return acc;
        },
        { found: false, backlog: 0, consumers: 0 },
      ),
    ]);
    if (!unit!.found) {
      throw new NotFoundError(
        `subscription "${group}" not found on ${t.full} (Pulsar at ${this.conn.target})`,
        {
          hint: 'list subscriptions with: mqctl group list --kind pulsar --topic T',
        },
      );
    }
    return unit!;
  }

  async planReset(group: string, targets: ResetTarget[], spec: ResetSpec): Promise<ResetPlan> {
    if (spec.to !== 'earliest' && spec.to !== 'latest' && spec.to !== 'datetime') {
      throw new UnsupportedError(
        `Pulsar subscriptions reset by time, to earliest or to latest, not --${spec.to}`,
        {
          hint: 'use --to-earliest, --to-latest, --to-datetime or --by-duration (or mqctl group skip)',
        },
      );
    }
    if (targets.length === 0) throw new UsageError('no topic to reset', { hint: 'pass --topic T' });
    const rows: ResetPlanRow[] = [];
    for (const target of targets) {
      if (target.partitions.length) {
        throw new UnsupportedError('Pulsar cursors reset per topic, not per partition', {
          hint: 'pass --topic T without :partitions',
        });
      }
      const t = parsePulsarTopic(target.topic);
      const sub = await this.subscriptionOn(t, group);
      if (sub.consumers > 0) {
        throw new UsageError(
          `cannot reset subscription "${group}" on ${t.full}: it has ${sub.consumers} connected consumer(s)`,
          { hint: 'stop its consumers first' },
        );
      }
      const action =
        spec.to === 'earliest'
          ? 'reset cursor to the earliest message'
          : spec.to === 'latest'
            ? 'skip the whole backlog (cursor to the end)'
            : `reset cursor to ${new Date(spec.timestamp).toISOString()}`;
      rows.push({
        group,
        topic: t.full,
        partition: null,
        currentOffset: null,
        newOffset: null,
        logStartOffset: null,
        logEndOffset: null,
        action,
        backlogBefore: sub.backlog,
      });
    }
    return { kind: 'pulsar', group, spec, rows };
  }

  async executeReset(plan: ResetPlan): Promise<void> {
    for (const row of plan.rows) {
      const t = parsePulsarTopic(row.topic);
      const sub = await this.subscriptionOn(t, plan.group);
      if (sub.consumers > 0) {
        throw new UsageError(
          `cannot reset subscription "${plan.group}" on ${t.full}: it has ${sub.consumers} connected consumer(s)`,
          { hint: 'stop its consumers first' },
        );
      }
      const subPath = `${this.base(t)}/subscription/${encodeURIComponent(plan.group)}`;
      const spec = plan.spec;
      if (spec.to === 'latest') {
        await this.conn.admin.request({
          method: 'POST',
          path: `${subPath}/skip_all`,
          subject: `subscription ${plan.group}`,
        });
      } else {
        // the REST route takes whole milliseconds; a fractional value matches no route and answers a bare 404
        const ts = spec.to === 'datetime' ? Math.floor(spec.timestamp) : 0;
        await this.conn.admin.request({
          method: 'POST',
          path: `${subPath}/resetcursor/${ts}`,
          subject: `subscription ${plan.group}`,
        });
      }
    }
  }

  async deleteGroup(group: string, options: { topics: string[] }): Promise<void> {
    if (options.topics.length === 0) {
      throw new UsageError('deleting a Pulsar subscription needs its topic', { hint: 'pass --topic T' });
    }
    for (const topic of options.topics) {
      const t = parsePulsarTopic(topic);
      const sub = await this.subscriptionOn(t, group);
      if (sub.consumers > 0) {
        throw new UsageError(
          `cannot delete subscription "${group}" on ${t.full}: it has ${sub.consumers} connected consumer(s)`,
          { hint: 'stop its consumers first' },
        );
      }
      await this.conn.admin.request({
        method: 'DELETE',
        path: `${this.base(t)}/subscription/${encodeURIComponent(group)}`,
        subject: `subscription ${group}`,
      });
    }
  }

  async skip(group: string, topic: string, count: number | 'all'): Promise<SkipResult> {
    const t = parsePulsarTopic(topic);
    const before = await this.subscriptionOn(t, group);
    const subPath = `${this.base(t)}/subscription/${encodeURIComponent(group)}`;
    await this.conn.admin.request({
      method: 'POST',
      path: count === 'all' ? `${subPath}/skip_all` : `${subPath}/skip/${count}`,
      subject: `subscription ${group}`,
    });
    const after = await this.subscriptionOn(t, group);
    return { group, topic: t.full, backlogBefore: before.backlog, backlogAfter: after.backlog };
  }
}
