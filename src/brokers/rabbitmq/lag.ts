import { NotFoundError, UnsupportedError } from '../../cli/errors';
import type { LagQuery, LagRow, LagSnapshot } from '../../lag/model';
import type { GroupDescription, GroupInfo, LagSource, ResetPlan, SkipResult } from '../lag';
import type { AmqpChannel, RabbitConnection } from './connection';

interface Rate {
  rate?: number;
}

interface QueueInfo {
  name: string;
  vhost?: string;
  state?: string;
  type?: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  /** Seconds since the epoch of the head message's `timestamp` property (classic queues, when set). */
  head_message_timestamp?: number | null;
  message_stats?: {
    publish?: number;
    publish_details?: Rate;
    ack?: number;
    ack_details?: Rate;
    deliver_no_ack?: number;
    deliver_no_ack_details?: Rate;
    get_no_ack?: number;
    get_no_ack_details?: Rate;
  };
  consumer_details?: Array<{
    consumer_tag?: string;
    channel_details?: { connection_name?: string; peer_host?: string; peer_port?: number; name?: string };
  }>;
}

/** Exact counts need AMQP: the management API's numbers are sampled (every 5 s by default). */
const EXACT_COUNT_LIMIT = 500;

/**
 * RabbitMQ lag: the queue is the unit. Depth = ready + unacked; ready and consumers are read exactly with a
 * passive queue.declare, unacked and the rates come from the management API. The time lag is known only
 * where the broker can tell: head_message_timestamp (whole seconds, only when publishers set the AMQP
 * timestamp property on a classic queue); otherwise it is reported as unknown, never guessed.
 */
export class RabbitLagSource implements LagSource {
  constructor(private readonly conn: RabbitConnection) {}

  private queuePath(name?: string): string {
    return `/api/queues/${this.conn.vhostPath}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  private async queues(names: string[]): Promise<QueueInfo[]> {
    if (names.length === 0) {
      const all = await this.conn.management.get<QueueInfo[]>(this.queuePath());
      return all.filter((q) => !q.name.startsWith('amq.'));
    }
    return Promise.all(
      names.map(async (name) => {
        const q = await this.conn.management.request<QueueInfo>({
          path: this.queuePath(name),
          allow404: true,
          subject: `queue ${name}`,
        });
        if (!q) {
          throw new NotFoundError(
            `queue "${name}" not found in vhost ${this.conn.vhost} on RabbitMQ at ${this.conn.target}`,
            {
              hint: 'list queues with: mqctl group list --kind rabbitmq',
            },
          );
        }
        return q;
      }),
    );
  }

  /** message_count and consumer_count from a passive declare, per queue; absent when it failed. */
  private async exactCounts(names: string[]): Promise<Map<string, { ready: number; consumers: number }>> {
    const counts = new Map<string, { ready: number; consumers: number }>();
    if (names.length === 0 || names.length > EXACT_COUNT_LIMIT) return counts;
    let channel: AmqpChannel | undefined;
    try {
      for (const name of names) {
        channel ??= await this.conn.channel();
        try {
          const ok = await channel.checkQueue(name);
          counts.set(name, { ready: ok.messageCount, consumers: ok.consumerCount });
        } catch {
          channel = undefined; // a failed passive declare closes the channel; the queue just went away
        }
      }
    } finally {
      await channel?.close().catch(() => undefined);
    }
    return counts;
  }

  async snapshot(query: LagQuery): Promise<LagSnapshot> {
    const names = [...new Set([...query.groups, ...query.topics])];
    const queues = await this.queues(names);
    const exact = await this.exactCounts(queues.map((q) => q.name));
    const takenAt = Date.now();
    const rows: LagRow[] = queues.map((q) => {
      const counted = exact.get(q.name);
      const ready = counted?.ready ?? q.messages_ready ?? 0;
      const unacked = q.messages_unacknowledged ?? 0;
      const lag = ready + unacked;
      const stats = q.message_stats ?? {};
      const head = q.head_message_timestamp;
      const consumers = counted?.consumers ?? q.consumers ?? 0;
      const progress = (stats.ack ?? 0) + (stats.deliver_no_ack ?? 0) + (stats.get_no_ack ?? 0);
      return {
        kind: 'rabbitmq',
        group: q.name,
        topic: q.name,
        partition: null,
        committedOffset: null,
        logStartOffset: null,
        logEndOffset: null,
        lag,
        timeLagMs:
          lag === 0 ? 0 : typeof head === 'number' && head > 0 ? Math.max(0, takenAt - head * 1000) : null,
        timeLagSource:
          lag === 0 ? 'caught-up' : typeof head === 'number' && head > 0 ? 'head-timestamp' : 'unknown',
        owner: null,
        unacked,
        ready,
        consumers,
        consumeRate:
          (stats.ack_details?.rate ?? 0) +
          (stats.deliver_no_ack_details?.rate ?? 0) +
          (stats.get_no_ack_details?.rate ?? 0),
        produceRate: stats.publish_details?.rate ?? 0,
        progress,
        status: 'UNKNOWN',
      };
    });
    return {
      kind: 'rabbitmq',
      target: this.conn.target,
      takenAt,
      rows,
      groups: queues.map((q) => ({
        group: q.name,
        state: q.state,
        members: exact.get(q.name)?.consumers ?? q.consumers ?? 0,
      })),
    };
  }

  async listGroups(): Promise<GroupInfo[]> {
    const queues = await this.queues([]);
    return queues
      .map((q) => ({
        kind: 'rabbitmq' as const,
        group: q.name,
        topic: q.name,
        state: q.state ?? '-',
        protocol: q.type,
        members: q.consumers ?? 0,
      }))
      .sort((a, b) => a.group.localeCompare(b.group));
  }

  async describeGroup(group: string): Promise<GroupDescription> {
    const [q] = await this.queues([group]);
    return {
      kind: 'rabbitmq',
      group,
      topic: group,
      state: q!.state ?? '-',
      protocol: q!.type,
      members: q!.consumers ?? 0,
      memberDetails: (q!.consumer_details ?? []).map((c) => ({
        memberId: c.consumer_tag ?? '-',
        clientId: c.channel_details?.connection_name ?? '-',
        host: c.channel_details?.peer_host
          ? `${c.channel_details.peer_host}:${c.channel_details.peer_port ?? ''}`
          : '-',
        assignments: [{ topic: group, partitions: [] }],
      })),
    };
  }

  private unsupported(what: string): never {
    throw new UnsupportedError(`RabbitMQ queues have no consumer offsets to ${what}`, {
      hint: 'a queue is consumed destructively; purge or delete the queue with the queue commands',
    });
  }

  async planReset(): Promise<ResetPlan> {
    this.unsupported('reset');
  }

  async executeReset(): Promise<void> {
    this.unsupported('reset');
  }

  async deleteGroup(): Promise<void> {
    this.unsupported('delete');
  }

  async skip(): Promise<SkipResult> {
    this.unsupported('skip');
  }
}
