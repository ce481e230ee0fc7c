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
import type { KafkaConnection } from './connection';
import { refuseProtected } from '../contracts/protected';
import { KafkaGroupOffsets, membersOf } from './group-offsets';
import { mapLimit } from '../../topics/validate';

/** `topic delete`'s prompt asks every group for its offsets on the topic only up to this many groups. */
export const GROUPS_READING_LIMIT = 200;

/** Kafka consumer groups: list, describe, reset offsets (planned, then executed), delete. */
export class KafkaGroupAdmin implements GroupAdmin {
  private readonly offsets: KafkaGroupOffsets;

  constructor(private readonly conn: KafkaConnection) {
    this.offsets = new KafkaGroupOffsets(conn);
  }

  async listGroups(): Promise<GroupInfo[]> {
    const groupIds = await this.offsets.allGroupIds();
    const described = await this.offsets.describeGroups(groupIds);
    return described.map((d) => ({
      kind: 'kafka',
      group: d.groupId,
      state: d.state,
      protocol: d.protocol || undefined,
      protocolType: d.protocolType || undefined,
      members: d.members.length,
    }));
  }

  async describeGroup(group: string): Promise<GroupDescription> {
    const [d] = await this.offsets.describeGroups([group]);
    if (!d || d.state === 'Dead') {
      throw new NotFoundError(`consumer group "${group}" not found on Kafka at ${this.conn.target}`, {
        hint: 'list groups with: mqctl group list',
      });
    }
    return {
      kind: 'kafka',
      group: d.groupId,
      state: d.state,
      protocol: d.protocol || undefined,
      protocolType: d.protocolType || undefined,
      members: d.members.length,
      memberDetails: membersOf(d),
    };
  }

  private async requireInactive(group: string, action: string): Promise<void> {
    const [d] = await this.offsets.describeGroups([group]);
    if (d && d.members.length > 0) {
      throw new UsageError(
        `cannot ${action} consumer group "${group}": it has ${d.members.length} active member(s) (state ${d.state})`,
        { hint: 'stop its consumers first (offsets can only change while the group is empty)' },
      );
    }
  }

  async planReset(group: string, targets: ResetTarget[], spec: ResetSpec): Promise<ResetPlan> {
    await this.requireInactive(group, 'reset offsets of');
    const admin = await this.offsets.admin();
    if (spec.to === 'file') {
      const topicsInFile = [...new Set(spec.entries.map((e) => e.topic))];
      targets = topicsInFile.map((topic) => ({
        topic,
        partitions: spec.entries.filter((e) => e.topic === topic).map((e) => e.partition),
      }));
    }
    if (targets.length === 0)
      throw new UsageError('no topic to reset', { hint: 'pass --topic T[:partitions]' });
    const topicNames = [...new Set(targets.map((t) => t.topic))];
    for (const name of topicNames)
      refuseProtected('reset offsets on', { kind: 'kafka', type: 'topic', name });
    const { names, internal } = await this.conn.listTopics();
    const existing = new Set(names);
    for (const t of topicNames) {
      if (!existing.has(t)) throw new NotFoundError(`topic "${t}" not found on Kafka at ${this.conn.target}`);
      refuseProtected('reset offsets on', {
        kind: 'kafka',
        type: 'topic',
        name: t,
        brokerInternal: internal.has(t),
      });
    }
    const [ends, committed] = await Promise.all([
      this.offsets.topicOffsets(topicNames),
      this.offsets.committedOffsets(group, topicNames),
    ]);
    const current = new Map<string, number | null>();
    for (const t of committed)
      for (const p of t.partitions)
        current.set(`${t.topic}\u0000${p.partition}`, Number(p.offset) >= 0 ? Number(p.offset) : null);

    const byTime = new Map<string, number>();
    if (spec.to === 'datetime') {
      await Promise.all(
        topicNames.map(async (topic) => {
          const offsets = await this.conn.call(
            'look up offsets by time',
            () => admin.fetchTopicOffsetsByTimestamp(topic, Math.floor(spec.timestamp)),
            topic,
          );
          for (const o of offsets) byTime.set(`${topic}\u0000${o.partition}`, Number(o.offset));
        }),
      );
    }

    const rows: ResetPlanRow[] = [];
    for (const target of targets) {
      const partitions = ends.get(target.topic)!;
      const wanted = target.partitions.length
        ? target.partitions
        : [...partitions.keys()].sort((a, b) => a - b);
      for (const partition of wanted) {
        const end = partitions.get(partition);
        if (!end) {
          throw new NotFoundError(`partition ${partition} of topic "${target.topic}" does not exist`, {
            hint: `the topic has partitions 0-${partitions.size - 1}`,
          });
        }
        const key = `${target.topic}\u0000${partition}`;
        const cur = current.get(key) ?? null;
        const clamp = (o: number) => Math.min(end.high, Math.max(end.low, o));
        let next: number;
        switch (spec.to) {
          case 'earliest':
            next = end.low;
            break;
          case 'latest':
            next = end.high;
            break;
          case 'datetime':
            next = clamp(byTime.get(key) ?? end.high);
            break;
          case 'offset':
            next = clamp(spec.offset);
            break;
          case 'shift':
            // Without a committed offset, shift from the log start (Kafka's tool uses the reset position).
            next = clamp((cur ?? end.low) + spec.by);
            break;
          case 'file': {
            const entry = spec.entries.find((e) => e.topic === target.topic && e.partition === partition);
            next = clamp(entry!.offset);
            break;
          }
        }
        rows.push({
          group,
          topic: target.topic,
          partition,
          currentOffset: cur,
          newOffset: next,
          logStartOffset: end.low,
          logEndOffset: end.high,
        });
      }
    }
    return { kind: 'kafka', group, spec, rows };
  }

  async executeReset(plan: ResetPlan): Promise<void> {
    await this.requireInactive(plan.group, 'reset offsets of');
    const admin = await this.offsets.admin();
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const row of plan.rows) {
      if (row.newOffset === null || row.partition === null) continue;
      refuseProtected('reset offsets on', { kind: 'kafka', type: 'topic', name: row.topic });
      const list = byTopic.get(row.topic) ?? [];
      list.push({ partition: row.partition, offset: String(row.newOffset) });
      byTopic.set(row.topic, list);
    }
    for (const [topic, partitions] of byTopic) {
      await this.conn.call(
        'commit offsets',
        () => admin.setOffsets({ groupId: plan.group, topic, partitions }),
        `group ${plan.group}`,
      );
    }
  }

  /** The group's committed offsets (exit 3 when the group is unknown: no description and no offsets). */
  private async requireCommitted(
    group: string,
  ): Promise<Awaited<ReturnType<KafkaGroupOffsets['committedOffsets']>>> {
    const [d] = await this.offsets.describeGroups([group]);
    const committed = await this.offsets.committedOffsets(group, []);
    if ((!d || d.state === 'Dead') && committed.length === 0) {
      throw new NotFoundError(`consumer group "${group}" not found on Kafka at ${this.conn.target}`);
    }
    return committed;
  }

  async holdings(group: string): Promise<GroupHolding[]> {
    const committed = await this.requireCommitted(group);
    return committed
      .map((t) => ({ topic: t.topic, partitions: t.partitions.filter((p) => Number(p.offset) >= 0).length }))
      .filter((t) => t.partitions > 0)
      .sort((a, b) => a.topic.localeCompare(b.topic));
  }

  async groupsReading(topics: string[]): Promise<Map<string, string[]> | undefined> {
    const ids = await this.offsets.allGroupIds();
    if (ids.length > GROUPS_READING_LIMIT) return undefined;
    const reading = new Map<string, string[]>(topics.map((t) => [t, []]));
    await mapLimit(ids, 8, async (id) => {
      const committed = await this.offsets.committedOffsets(id, topics).catch(() => []);
      for (const t of committed)
        if (t.partitions.some((p) => Number(p.offset) >= 0)) reading.get(t.topic)?.push(id);
    });
    for (const groups of reading.values()) groups.sort();
    return reading;
  }

  async deleteGroup(group: string): Promise<void> {
    await this.requireInactive(group, 'delete');
    await this.requireCommitted(group);
    const admin = await this.offsets.admin();
    await this.conn.call('delete group', () => admin.deleteGroups([group]), `group ${group}`);
  }

  async skip(): Promise<SkipResult> {
    throw new UnsupportedError('skip is a Pulsar subscription operation', {
      hint: 'on Kafka use: mqctl group reset-offsets G --topic T --shift-by N --execute',
    });
  }
}
