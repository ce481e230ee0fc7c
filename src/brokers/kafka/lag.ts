import { NotFoundError } from '../../core/errors';
import type { LagOwner, LagQuery, LagRow, LagSnapshot } from '../../lag/model';
import type { LagSource } from '../contracts/lag';
import type { KafkaConnection } from './connection';
import { mapLimit } from '../../topics/validate';
import { KafkaGroupOffsets, membersOf } from './group-offsets';

/** How many OffsetFetch requests run at once (pipelined to the group coordinators). */
const OFFSET_FETCH_CONCURRENCY = 64;

/** Kafka lag: committed offsets against log-end offsets per partition; time lag from the record timestamps. */
export class KafkaLagSource implements LagSource {
  private readonly offsets: KafkaGroupOffsets;

  constructor(private readonly conn: KafkaConnection) {
    this.offsets = new KafkaGroupOffsets(conn);
  }

  async snapshot(query: LagQuery): Promise<LagSnapshot> {
    const groupIds = query.groups.length ? query.groups : await this.offsets.allGroupIds();
    const [descriptions, offsets] = await Promise.all([
      this.offsets.describeGroups(groupIds),
      mapLimit(groupIds, OFFSET_FETCH_CONCURRENCY, (g) => this.offsets.committedOffsets(g, query.topics)),
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
    const ends = await this.offsets.topicOffsets([...topics].sort());

    const rows: LagRow[] = [];
    const takenAt = Date.now();
    for (const g of perGroup) {
      for (const [key, committed] of g.committed) {
        const [topic, partitionText] = key.split('\u0000') as [string, string];
        const partition = Number(partitionText);
        const end = ends.get(topic)?.get(partition);
        // never committed: every retained record is unread (an upper bound when the group starts at latest)
        const lag = !end ? null : Math.max(0, end.high - (committed ?? end.low));
        const expired = committed !== null && end && committed < end.low ? end.low - committed : 0;
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
          ...(expired > 0 ? { expiredUnread: expired } : {}),
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
              // never committed: every retained record is unread (an upper bound when the group starts at latest)
              lag: Math.max(0, end.high - end.low),
              timeLagMs: end.high === end.low ? 0 : null,
              timeLagSource: end.high === end.low ? 'caught-up' : 'unknown',
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
      if (row.lag === null || row.lag === 0 || row.logStartOffset === null) return null;
      // never committed: the oldest unread record is the first retained one
      return Math.max(row.committedOffset ?? row.logStartOffset, row.logStartOffset);
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
      const timestamps = await this.offsets.recordTimestamps(layer);
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
      row.timeLagSource =
        offset === row.committedOffset || row.committedOffset === null ? 'record' : 'lower-bound';
    }
  }
}
