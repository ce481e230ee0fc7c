import { UnsupportedError } from '../../core/errors';
import type {
  GroupAdmin,
  GroupDescription,
  GroupHolding,
  GroupInfo,
  ResetPlan,
  SkipResult,
} from '../contracts/group-admin';
import type { RabbitConnection } from './connection';
import { RabbitQueueStats } from './queue-stats';

/** RabbitMQ queues as groups: listed and described; nothing to reset, delete or skip (no offsets). */
export class RabbitGroupAdmin implements GroupAdmin {
  private readonly stats: RabbitQueueStats;

  constructor(conn: RabbitConnection) {
    this.stats = new RabbitQueueStats(conn);
  }

  async listGroups(): Promise<GroupInfo[]> {
    const queues = await this.stats.queues([]);
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
    const [q] = await this.stats.queues([group]);
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

  async holdings(): Promise<GroupHolding[]> {
    this.unsupported('delete');
  }
}
