import { mapLimit } from '../../topics/validate';
import {
  AssignerProtocol,
  createPrivateCluster,
  type Admin,
  type GroupDescription as KafkaGroupDescription,
  type RawBroker,
  type RawCluster,
} from './kafkajs';
import type { GroupMember } from '../contracts/group-admin';
import type { KafkaConnection } from './connection';

/** Bytes asked per partition when reading the record at a committed offset (Kafka still returns one whole batch). */
const TIME_LAG_FETCH_BYTES = 1024;
const READ_UNCOMMITTED = 0;

export interface PartitionOffsets {
  low: number;
  high: number;
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
  const cluster = createPrivateCluster(conn.kafka, {
    metadataMaxAge: 300_000,
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: READ_UNCOMMITTED,
  });
  if (!cluster) return undefined;
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

export function membersOf(group: KafkaGroupDescription): GroupMember[] {
  return group.members.map((m) => ({
    memberId: m.memberId,
    clientId: m.clientId,
    host: m.clientHost.replace(/^\//, ''),
    assignments: decodeAssignment(m.memberAssignment),
  }));
}

/**
 * What the lag report and group admin both read from Kafka: the consumer groups, their committed
 * offsets, the partitions' log-start/log-end offsets and the timestamp of the record at an offset.
 */
export class KafkaGroupOffsets {
  constructor(private readonly conn: KafkaConnection) {}

  admin(): Promise<Admin> {
    return this.conn.admin();
  }

  /** Consumer groups (protocol type "consumer" or none: groups that only commit offsets). */
  async allGroupIds(): Promise<string[]> {
    const admin = await this.admin();
    const { groups } = await this.conn.call('list groups', () => admin.listGroups());
    return groups
      .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
      .map((g) => g.groupId)
      .sort();
  }

  async describeGroups(groupIds: string[]): Promise<KafkaGroupDescription[]> {
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

  async committedOffsets(
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
}
