import { AssignerProtocol, type Admin, type GroupDescription as KafkaGroupDescription } from './kafkajs';
import { NotFoundError, UnsupportedError, UsageError } from '../../cli/errors';
import type { LagOwner, LagQuery, LagRow, LagSnapshot } from '../../lag/model';
import type {
  GroupDescription,
  GroupInfo,
  GroupMember,
  LagSource,
  ResetPlan,
  ResetPlanRow,
  ResetSpec,
  ResetTarget,
  SkipResult,
} from '../lag';
import type { KafkaConnection } from './connection';

/** How many OffsetFetch requests run at once (pipelined to the group coordinators). */
const OFFSET_FETCH_CONCURRENCY = 64;
/** Bytes asked per partition when reading the record at a committed offset (Kafka still returns one whole batch). */
const TIME_LAG_FETCH_BYTES = 1024;
const READ_UNCOMMITTED = 0;

interface PartitionOffsets {
  low: number;
  high: number;
}

/** The subset of kafkajs' internal Cluster used here: batched ListOffsets and Fetch per leader. */
interface RawCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(opts: { nodeId: string }): Promise<RawBroker>;
  fetchTopicsOffset(
    topics: Array<{ topic: string; partitions: Array<{ partition: number }>; fromBeginning?: boolean }>,
  ): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
}

interface RawBroker {
  fetch(request: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{
      topic: string;
      partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }>;
    }>;
  }): Promise<{
    responses: Array<{
      topicName: string;
      partitions: Array<{
        partition: number;
        errorCode: number;
        messages: Array<{ offset: string; timestamp: string; isControlRecord?: boolean }>;
      }>;
    }>;
  }>;
}

const rawClusters = new WeakMap<KafkaConnection, Promise<RawCluster>>();

/**
 * kafkajs' admin asks ListOffsets one topic at a time, twice (earliest, latest). Its Cluster batches every
 * topic into one request per partition leader, which is what a lag report over hundreds of groups needs; the
 * Kafka client keeps its cluster factory under a private symbol, so take it from there (same config, same
 * SASL/TLS) and fall back to the admin when a kafkajs upgrade moves it.
 */
function rawCluster(conn: KafkaConnection): Promise<RawCluster> | undefined {
  const existing = rawClusters.get(conn);
  if (existing) return existing;
  const kafka = conn.kafka as unknown as Record<symbol, unknown>;
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const create = symbol ? (kafka[symbol] as ((o: object) => RawCluster) | undefined) : undefined;
  if (typeof create !== 'function') return undefined;
  const cluster = create({
    metadataMaxAge: 300_000,
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: READ_UNCOMMITTED,
  });
  const connected = conn.call('connect', async () => {
    await cluster.connect();
    return cluster;
  });
  connected.catch(() => undefined);
  rawClusters.set(conn, connected);
  conn.onClose(async () => {
    await cluster.disconnect();
  });
  return connected;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

function decodeAssignment(buffer: Buffer | undefined): Array<{ topic: string; partitions: number[] }> {
  if (!buffer || buffer.length === 0) return [];
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(buffer);
    if (!decoded) return [];
    return Object.entries(decoded.assignment).map(([topic, partitions]) => ({
      topic,
      partitions: [...partitions].sort((a, b) => a - b),
    }));
  } catch {
    return [];
  }
}

function membersOf(group: KafkaGroupDescription): GroupMember[] {
  return group.members.map((m) => ({
    memberId: m.memberId,
    clientId: m.clientId,
    host: m.clientHost.replace(/^\//, ''),
    assignments: decodeAssignment(m.memberAssignment),
  }));
}

export class KafkaLagSource implements LagSource {
  constructor(private readonly conn: KafkaConnection) {}

  private admin(): Promise<Admin> {
    return this.conn.admin();
  }

  /** Consumer groups (protocol type "consumer" or none: groups that only commit offsets). */
  private async allGroupIds(): Promise<string[]> {
    const admin = await this.admin();
    const { groups } = await this.conn.call('list groups', () => admin.listGroups());
    return groups
      .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
      .map((g) => g.groupId)
      .sort();
  }

  private async describeGroups(groupIds: string[]): Promise<KafkaGroupDescription[]> {
    if (groupIds.length === 0) return [];
    const admin = await this.admin();
    const { groups } = await this.conn.call('describe groups', () => admin.describeGroups(groupIds));
    return groups;
  }

  /** Log-start and log-end offsets of every partition of the topics: one ListOffsets per leader and kind. */
  async topicOffsets(topics: string[]): Promise<Map<string, Map<number, PartitionOffsets>>> {
    const result = new Map<string, Map<number, PartitionOffsets>>();
    if (topics.length === 0) return result;
    const clusterPromise = rawCluster(this.conn);
    if (!clusterPromise) return this.topicOffsetsViaAdmin(topics);
    const cluster = await clusterPromise;
    await this.conn.call(
      'fetch topic metadata',
      async () => {
        await cluster.addMultipleTargetTopics(topics);
      },
      `topics ${topics.slice(0, 3).join(', ')}${topics.length > 3 ? ', ...' : ''}`,
    );
    const request = (fromBeginning: boolean) =>
      topics.map((topic) => ({
        topic,
        fromBeginning,
        partitions: cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId })),
      }));
    const [high, low] = await this.conn.call('list offsets', () =>
      Promise.all([cluster.fetchTopicsOffset(request(false)), cluster.fetchTopicsOffset(request(true))]),
    );
    for (const t of high) {
      const partitions = new Map<number, PartitionOffsets>();
      for (const p of t.partitions) partitions.set(p.partition, { low: 0, high: Number(p.offset) });
      result.set(t.topic, partitions);
    }
    for (const t of low) {
      for (const p of t.partitions) {
        const entry = result.get(t.topic)?.get(p.partition);
        if (entry) entry.low = Number(p.offset);
      }
    }
    return result;
  }

  private async topicOffsetsViaAdmin(topics: string[]): Promise<Map<string, Map<number, PartitionOffsets>>> {
    const admin = await this.admin();
    const result = new Map<string, Map<number, PartitionOffsets>>();
    await mapLimit(topics, 16, async (topic) => {
      const offsets = await this.conn.call('list offsets', () => admin.fetchTopicOffsets(topic), topic);
      result.set(
        topic,
        new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }])),
      );
    });
    return result;
  }

  /**
   * The timestamp of the record at each offset asked: one Fetch per partition leader for all of them.
   * Returns topic → partition → timestamp (ms). Partitions whose record could not be read are absent.
   */
  async recordTimestamps(
    wanted: Array<{ topic: string; partition: number; offset: number }>,
  ): Promise<Map<string, number>> {
    const timestamps = new Map<string, number>();
    const clusterPromise = rawCluster(this.conn);
    if (wanted.length === 0 || !clusterPromise) return timestamps;
    const cluster = await clusterPromise;
    const byLeader = new Map<string, typeof wanted>();
    for (const w of wanted) {
      const leaders = cluster.findLeaderForPartitions(w.topic, [w.partition]);
      const nodeId = Object.keys(leaders)[0];
      if (nodeId === undefined) continue;
      const list = byLeader.get(nodeId) ?? [];
      list.push(w);
      byLeader.set(nodeId, list);
    }
    await Promise.all(
      [...byLeader.entries()].map(async ([nodeId, list]) => {
        // Kafka caps the response at maxBytes; partitions left out are asked again, a bounded number of times.
        let pending = list;
        for (let round = 0; round < 5 && pending.length > 0; round++) {
          const broker = await cluster.findBroker({ nodeId });
          const topics = new Map<
            string,
            Array<{ partition: number; fetchOffset: string; maxBytes: number }>
          >();
          for (const w of pending) {
            const parts = topics.get(w.topic) ?? [];
            parts.push({
              partition: w.partition,
              fetchOffset: String(w.offset),
              maxBytes: TIME_LAG_FETCH_BYTES,
            });
            topics.set(w.topic, parts);
          }
          let response: Awaited<ReturnType<RawBroker['fetch']>>;
          try {
            response = await this.conn.call('fetch records for time lag', () =>
              broker.fetch({
                replicaId: -1,
                isolationLevel: READ_UNCOMMITTED,
                maxWaitTime: 0,
                minBytes: 0,
                maxBytes: 8 * 1024 * 1024,
                topics: [...topics.entries()].map(([topic, partitions]) => ({ topic, partitions })),
              }),
            );
          } catch {
            return; // time lag is best effort: rows keep "unknown" (or get interpolated in --watch)
          }
          const answered = new Set<string>();
          const byKey = new Map(pending.map((w) => [`${w.topic}\u0000${w.partition}`, w]));
          for (const t of response.responses) {
            for (const p of t.partitions) {
              const w = byKey.get(`${t.topicName}\u0000${p.partition}`);
              if (!w || p.errorCode !== 0) continue;
              const record = p.messages.find((m) => Number(m.offset) >= w.offset && !m.isControlRecord);
              if (record) {
                timestamps.set(`${w.topic}\u0000${w.partition}`, Number(record.timestamp));
                answered.add(`${w.topic}\u0000${w.partition}`);
              } else if (p.messages.length > 0) {
                answered.add(`${w.topic}\u0000${w.partition}`); // only control records: leave unknown
              }
            }
          }
          const next = pending.filter((w) => !answered.has(`${w.topic}\u0000${w.partition}`));
          if (next.length === pending.length) break; // no progress: give up on the rest
          pending = next;
        }
      }),
    );
    return timestamps;
  }

  private async committedOffsets(
    groupId: string,
    topics: string[],
  ): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>> {
    const admin = await this.admin();
    return this.conn.call(
      'fetch committed offsets',
      () => admin.fetchOffsets({ groupId, topics: topics.length ? topics : undefined }),
      `group ${groupId}`,
    );
  }

  async snapshot(query: LagQuery): Promise<LagSnapshot> {
    const groupIds = query.groups.length ? query.groups : await this.allGroupIds();
    const [descriptions, offsets] = await Promise.all([
      this.describeGroups(groupIds),
      mapLimit(groupIds, OFFSET_FETCH_CONCURRENCY, (g) => this.committedOffsets(g, query.topics)),
    ]);
    const describedById = new Map(descriptions.map((d) => [d.groupId, d]));

    // Partitions per group: what it committed, plus what its members are assigned.
    const allGroups = groupIds.map((groupId, i) => {
      const committed = new Map<string, number | null>();
      for (const t of offsets[i]!) {
        for (const p of t.partitions) {
          // -1: no commit. Such partitions are added below for the topics the group consumes.
          const offset = Number(p.offset);
          if (offset >= 0) committed.set(`${t.topic}\u0000${p.partition}`, offset);
        }
      }
      const owners = new Map<string, LagOwner>();
      const description = describedById.get(groupId);
      for (const m of description ? membersOf(description) : []) {
        for (const a of m.assignments) {
          if (query.topics.length && !query.topics.includes(a.topic)) continue;
          for (const p of a.partitions) {
            const key = `${a.topic}\u0000${p}`;
            owners.set(key, { memberId: m.memberId, clientId: m.clientId, host: m.host });
            if (!committed.has(key)) committed.set(key, null);
          }
        }
      }
      return { groupId, committed, owners, description };
    });
    // Every group, filtered by topic: only the groups that consume one of those topics.
    const perGroup =
      !query.groups.length && query.topics.length ? allGroups.filter((g) => g.committed.size > 0) : allGroups;

    if (query.groups.length) {
      for (const g of perGroup) {
        const state = g.description?.state ?? 'Dead';
        if (g.committed.size === 0 && (state === 'Dead' || state === 'Unknown')) {
          throw new NotFoundError(`consumer group "${g.groupId}" not found on Kafka at ${this.conn.target}`, {
            hint: 'list groups with: mqctl group list',
          });
        }
      }
    }

    const topics = new Set<string>();
    for (const g of perGroup) for (const key of g.committed.keys()) topics.add(key.split('\u0000')[0]!);
    for (const t of query.topics) topics.add(t);
    const ends = await this.topicOffsets([...topics].sort());

    const rows: LagRow[] = [];
    const takenAt = Date.now();
    for (const g of perGroup) {
      for (const [key, committed] of g.committed) {
        const [topic, partitionText] = key.split('\u0000') as [string, string];
        const partition = Number(partitionText);
        const end = ends.get(topic)?.get(partition);
        const lag = committed === null || !end ? null : Math.max(0, end.high - committed);
        rows.push({
          kind: 'kafka',
          group: g.groupId,
          topic,
          partition,
          committedOffset: committed,
          logStartOffset: end?.low ?? null,
          logEndOffset: end?.high ?? null,
          lag,
          timeLagMs: lag === 0 ? 0 : null,
          timeLagSource: lag === 0 ? 'caught-up' : 'unknown',
          owner: g.owners.get(key) ?? null,
          progress: committed,
          status: 'UNKNOWN',
        });
      }
      // Every partition of a topic the group consumes is shown, committed or not ("-", never a zero lag).
      const groupTopics = new Set([...g.committed.keys()].map((k) => k.split('\u0000')[0]!));
      if (query.groups.length) for (const t of query.topics) groupTopics.add(t);
      {
        for (const topic of groupTopics) {
          for (const [partition, end] of ends.get(topic) ?? []) {
            const key = `${topic}\u0000${partition}`;
            if (g.committed.has(key)) continue;
            rows.push({
              kind: 'kafka',
              group: g.groupId,
              topic,
              partition,
              committedOffset: null,
              logStartOffset: end.low,
              logEndOffset: end.high,
              lag: null,
              timeLagMs: null,
              timeLagSource: 'unknown',
              owner: null,
              progress: null,
              status: 'UNKNOWN',
            });
          }
        }
      }
    }

    if (query.timeLag) await this.fillTimeLag(rows);
    return {
      kind: 'kafka',
      target: this.conn.target,
      takenAt,
      rows,
      groups: perGroup.map(({ groupId }) => {
        const d = describedById.get(groupId);
        return { group: groupId, state: d?.state, members: d?.members.length };
      }),
    };
  }

  /**
   * Time lag = now − timestamp of the record at the committed offset (the oldest unconsumed message). When
   * that record is gone (committed < log start), the oldest remaining record gives a lower bound, which
   * --watch replaces with an interpolation from sampled end offsets once it has them.
   */
  private async fillTimeLag(rows: LagRow[]): Promise<void> {
    const wanted = new Map<string, { topic: string; partition: number; offset: number }>();
    const offsetFor = (row: LagRow): number | null => {
      if (row.lag === null || row.lag === 0 || row.committedOffset === null || row.logStartOffset === null)
        return null;
      return Math.max(row.committedOffset, row.logStartOffset);
    };
    for (const row of rows) {
      const offset = offsetFor(row);
      if (offset === null) continue;
      // Several groups on one partition at different offsets need different records.
      wanted.set(`${row.topic}\u0000${row.partition}\u0000${offset}`, {
        topic: row.topic,
        partition: row.partition!,
        offset,
      });
    }
    if (wanted.size === 0) return;
    // One Fetch per leader per distinct offset "layer" (a partition read at several offsets by several
    // groups needs one layer per offset), one layer after the other.
    const layers: Array<Array<{ topic: string; partition: number; offset: number }>> = [];
    const depth = new Map<string, number>();
    for (const w of wanted.values()) {
      const key = `${w.topic}\u0000${w.partition}`;
      const d = depth.get(key) ?? 0;
      depth.set(key, d + 1);
      (layers[d] ??= []).push(w);
    }
    const found = new Map<string, number>();
    for (const layer of layers) {
      const timestamps = await this.recordTimestamps(layer);
      for (const w of layer) {
        const ts = timestamps.get(`${w.topic}\u0000${w.partition}`);
        if (ts !== undefined) found.set(`${w.topic}\u0000${w.partition}\u0000${w.offset}`, ts);
      }
    }
    const now = Date.now();
    for (const row of rows) {
      const offset = offsetFor(row);
      if (offset === null) continue;
      const ts = found.get(`${row.topic}\u0000${row.partition}\u0000${offset}`);
      if (ts === undefined) continue;
      row.timeLagMs = Math.max(0, now - ts);
      row.timeLagSource = offset === row.committedOffset ? 'record' : 'lower-bound';
    }
  }

  async listGroups(): Promise<GroupInfo[]> {
    const groupIds = await this.allGroupIds();
    const described = await this.describeGroups(groupIds);
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
    const [d] = await this.describeGroups([group]);
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
    const [d] = await this.describeGroups([group]);
    if (d && d.members.length > 0) {
      throw new UsageError(
        `cannot ${action} consumer group "${group}": it has ${d.members.length} active member(s) (state ${d.state})`,
        { hint: 'stop its consumers first (offsets can only change while the group is empty)' },
      );
    }
  }

  async planReset(group: string, targets: ResetTarget[], spec: ResetSpec): Promise<ResetPlan> {
    await this.requireInactive(group, 'reset offsets of');
    const admin = await this.admin();
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
    const existing = new Set(await this.conn.call('list topics', () => admin.listTopics()));
    for (const t of topicNames) {
      if (!existing.has(t)) throw new NotFoundError(`topic "${t}" not found on Kafka at ${this.conn.target}`);
    }
    const [ends, committed] = await Promise.all([
      this.topicOffsets(topicNames),
      this.committedOffsets(group, topicNames),
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
    const admin = await this.admin();
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const row of plan.rows) {
      if (row.newOffset === null || row.partition === null) continue;
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

  async deleteGroup(group: string): Promise<void> {
    await this.requireInactive(group, 'delete');
    const [d] = await this.describeGroups([group]);
    const committed = await this.committedOffsets(group, []);
    if ((!d || d.state === 'Dead') && committed.length === 0) {
      throw new NotFoundError(`consumer group "${group}" not found on Kafka at ${this.conn.target}`);
    }
    const admin = await this.admin();
    await this.conn.call('delete group', () => admin.deleteGroups([group]), `group ${group}`);
  }

  async skip(): Promise<SkipResult> {
    throw new UnsupportedError('skip is a Pulsar subscription operation', {
      hint: 'on Kafka use: mqctl group reset-offsets G --topic T --shift-by N --execute',
    });
  }
}
