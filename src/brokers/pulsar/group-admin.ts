import { NotFoundError, UnsupportedError, UsageError } from '../../core/errors';
import type {
  GroupAdmin,
  GroupDescription,
  GroupHolding,
  GroupInfo,
  ResetPlan,
  ResetPlanRow,
  ResetSpec,
  ResetTarget,
  SkipResult,
} from '../contracts/group-admin';
import type { PulsarConnection } from './connection';
import { PulsarSubscriptionStats } from './subscription-stats';
import { parsePulsarTopic, refuseSystemTopic, type PulsarTopicName } from './topic-name';

/** Pulsar subscriptions as groups: list, describe, reset cursors, delete, skip. */
export class PulsarGroupAdmin implements GroupAdmin {
  private readonly stats: PulsarSubscriptionStats;

  constructor(private readonly conn: PulsarConnection) {
    this.stats = new PulsarSubscriptionStats(conn);
  }

  async listGroups(options: { topics: string[]; namespace?: string }): Promise<GroupInfo[]> {
    const units = await this.stats.units(await this.stats.resolveTopics(options));
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
    const units = await this.stats.units(await this.stats.resolveTopics(options));
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
    const [unit] = await this.stats.units([t]).then((u) => [
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
      refuseSystemTopic('reset a subscription on', t);
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
      refuseSystemTopic('reset a subscription on', t);
      const sub = await this.subscriptionOn(t, plan.group);
      if (sub.consumers > 0) {
        throw new UsageError(
          `cannot reset subscription "${plan.group}" on ${t.full}: it has ${sub.consumers} connected consumer(s)`,
          { hint: 'stop its consumers first' },
        );
      }
      const subPath = `${this.stats.base(t)}/subscription/${encodeURIComponent(plan.group)}`;
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

  async holdings(group: string, options: { topics: string[]; action?: string }): Promise<GroupHolding[]> {
    if (options.topics.length === 0) {
      throw new UsageError('deleting a Pulsar subscription needs its topic', { hint: 'pass --topic T' });
    }
    const holdings: GroupHolding[] = [];
    for (const topic of options.topics) {
      const t = parsePulsarTopic(topic);
      refuseSystemTopic(options.action ?? 'delete a subscription on', t);
      holdings.push({ topic: t.full, backlog: (await this.subscriptionOn(t, group)).backlog });
    }
    return holdings;
  }

  async deleteGroup(group: string, options: { topics: string[] }): Promise<void> {
    if (options.topics.length === 0) {
      throw new UsageError('deleting a Pulsar subscription needs its topic', { hint: 'pass --topic T' });
    }
    for (const topic of options.topics) {
      const t = parsePulsarTopic(topic);
      refuseSystemTopic('delete a subscription on', t);
      const sub = await this.subscriptionOn(t, group);
      if (sub.consumers > 0) {
        throw new UsageError(
          `cannot delete subscription "${group}" on ${t.full}: it has ${sub.consumers} connected consumer(s)`,
          { hint: 'stop its consumers first' },
        );
      }
      await this.conn.admin.request({
        method: 'DELETE',
        path: `${this.stats.base(t)}/subscription/${encodeURIComponent(group)}`,
        subject: `subscription ${group}`,
      });
    }
  }

  async skip(group: string, topic: string, count: number | 'all'): Promise<SkipResult> {
    const t = parsePulsarTopic(topic);
    refuseSystemTopic('skip messages on', t);
    const before = await this.subscriptionOn(t, group);
    const subPath = `${this.stats.base(t)}/subscription/${encodeURIComponent(group)}`;
    await this.conn.admin.request({
      method: 'POST',
      path: count === 'all' ? `${subPath}/skip_all` : `${subPath}/skip/${count}`,
      subject: `subscription ${group}`,
    });
    const after = await this.subscriptionOn(t, group);
    return { group, topic: t.full, backlogBefore: before.backlog, backlogAfter: after.backlog };
  }
}
