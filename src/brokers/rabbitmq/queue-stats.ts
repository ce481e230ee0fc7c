import { NotFoundError } from '../../core/errors';
import type { RabbitConnection } from './connection';

interface Rate {
  rate?: number;
}

export interface QueueInfo {
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

/** Queue stats from the management API: what the lag report and group listing both read. */
export class RabbitQueueStats {
  constructor(private readonly conn: RabbitConnection) {}

  private queuePath(name?: string): string {
    return `/api/queues/${this.conn.vhostPath}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  async queues(names: string[]): Promise<QueueInfo[]> {
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
}
