import type { LagQuery, LagRow, LagSnapshot } from '../../lag/model';
import type { LagSource } from '../contracts/lag';
import type { AmqpChannel, RabbitConnection } from './connection';
import { RabbitQueueStats } from './queue-stats';

/** Exact counts need AMQP: the management API's numbers are sampled (every 5 s by default). */
const EXACT_COUNT_LIMIT = 500;

/**
 * RabbitMQ lag: the queue is the unit. Depth = ready + unacked; ready and consumers are read exactly with a
 * passive queue.declare, unacked and the rates come from the management API. The time lag is known only
 * where the broker can tell: head_message_timestamp (whole seconds, only when publishers set the AMQP
 * timestamp property on a classic queue); otherwise it is reported as unknown, never guessed.
 */
export class RabbitLagSource implements LagSource {
  private readonly stats: RabbitQueueStats;

  constructor(private readonly conn: RabbitConnection) {
    this.stats = new RabbitQueueStats(conn);
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
    const queues = await this.stats.queues(names);
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
}
