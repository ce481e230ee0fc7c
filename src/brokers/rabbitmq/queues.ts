import { UsageError } from '../../core/errors';
import { withTimeout } from '../../util/timeout';
import { nameMatcher, validateRabbitName } from '../../topics/validate';
import {
  QUEUE_TYPES,
  type QueueAdmin,
  type QueueCreateResult,
  type QueueCreateSpec,
  type QueueDescription,
  type QueueRow,
} from '../contracts/queues';
import { partialFailure } from '../contracts/topics';
import { refuseProtected } from '../contracts/protected';
import type { RabbitConnection } from './connection';
import { mapAmqpError } from './errors';
import { RabbitVhost, toBindingRow, type RawBinding, type RawQueue } from './vhost';

const QUEUE_COLUMNS =
  'name,vhost,type,durable,auto_delete,exclusive,state,messages,messages_ready,messages_unacknowledged,consumers,policy,arguments';

/**
 * RabbitMQ queues: listing through the management HTTP API, declaring through the same API (PUT is an
 * idempotent declare), purging over AMQP (which reports how many messages went).
 */
export class RabbitQueueAdmin implements QueueAdmin {
  readonly kind = 'rabbitmq' as const;
  private readonly vhostApi: RabbitVhost;

  constructor(private readonly connection: RabbitConnection) {
    this.vhostApi = new RabbitVhost(connection);
  }

  get vhost(): string {
    return this.vhostApi.vhost;
  }

  async listQueues(options: { filter?: string; regex?: boolean; allVhosts?: boolean }): Promise<QueueRow[]> {
    const api = this.vhostApi;
    const matches = nameMatcher(options.filter, options.regex);
    if (!options.allVhosts) await api.requireVhost();
    const raw = await api.http.request<RawQueue[]>({
      path: options.allVhosts ? '/api/queues' : `/api/queues/${api.vh()}`,
      query: { columns: QUEUE_COLUMNS },
    });
    return raw
      .filter((q) => matches(q.name))
      .map(toQueueRow)
      .sort((a, b) => a.vhost.localeCompare(b.vhost) || a.name.localeCompare(b.name));
  }

  async describeQueue(name: string): Promise<QueueDescription> {
    const api = this.vhostApi;
    const q = await api.rawQueue(name);
    if (!q) {
      await api.requireVhost();
      throw api.queueNotFound([name]);
    }
    const bindings = await api.http.request<RawBinding[]>({
      path: api.path('queues', name, '/bindings'),
      subject: `queue "${name}"`,
    });
    return {
      ...toQueueRow(q),
      node: q.node,
      memory: q.memory,
      messageBytes: q.message_bytes,
      publishRate: q.message_stats?.publish_details?.rate,
      deliverRate: q.message_stats?.deliver_get_details?.rate,
      headMessageTimestamp: q.head_message_timestamp ?? undefined,
      bindings: bindings.map(toBindingRow),
    };
  }

  async createQueue(spec: QueueCreateSpec): Promise<QueueCreateResult> {
    validateRabbitName(spec.name, 'queue');
    if (!QUEUE_TYPES.includes(spec.type)) {
      throw new UsageError(`unknown queue type "${spec.type}"`, {
        hint: `use one of ${QUEUE_TYPES.join(', ')}`,
      });
    }
    if (spec.type !== 'classic' && (!spec.durable || spec.autoDelete)) {
      throw new UsageError(`${spec.type} queues must be durable and cannot auto-delete`, {
        hint: 'drop --no-durable/--auto-delete, or use --type classic',
      });
    }
    const declared = { ...spec.arguments, 'x-queue-type': spec.type };
    const result = {
      name: spec.name,
      vhost: this.vhost,
      type: spec.type,
      created: false,
      alreadyExisted: false,
      dryRun: spec.dryRun,
      durable: spec.durable,
      arguments: declared,
    };
    return this.vhostApi.declare('queue', spec, result, () => this.vhostApi.rawQueue(spec.name), {
      durable: spec.durable,
      auto_delete: spec.autoDelete,
      arguments: declared,
    });
  }

  async requireQueues(names: string[], action: string): Promise<QueueRow[]> {
    for (const name of names) refuseProtected(action, { kind: 'rabbitmq', type: 'queue', name });
    return (await this.findQueues(names)).map(toQueueRow);
  }

  /** The queues named, or exit 3 naming every missing one. */
  private async findQueues(names: string[]): Promise<RawQueue[]> {
    const api = this.vhostApi;
    const found = await Promise.all(names.map((n) => api.rawQueue(n)));
    const missing = names.filter((_, i) => !found[i]);
    if (missing.length > 0) {
      await api.requireVhost();
      throw api.queueNotFound(missing);
    }
    return found as RawQueue[];
  }

  async deleteQueues(
    names: string[],
    options: { ifEmpty?: boolean; ifUnused?: boolean },
  ): Promise<Array<{ name: string; vhost: string; deleted: boolean }>> {
    const api = this.vhostApi;
    await this.requireQueues(names, 'delete queue');
    const done: Array<{ name: string; vhost: string; deleted: boolean }> = [];
    for (const name of names) {
      try {
        await api.http.request({
          method: 'DELETE',
          path: api.path('queues', name),
          query: { 'if-empty': options.ifEmpty || undefined, 'if-unused': options.ifUnused || undefined },
          subject: `queue "${name}" in ${api.where}`,
        });
      } catch (error) {
        throw partialFailure(error, done, name);
      }
      done.push({ name, vhost: this.vhost, deleted: true });
    }
    return done;
  }

  /** Purges over AMQP so the result says how many messages were removed. */
  async purgeQueue(name: string): Promise<{ name: string; vhost: string; purged: number }> {
    refuseProtected('purge queue', { kind: 'rabbitmq', type: 'queue', name });
    const [queue] = await this.findQueues([name]);
    if (queue?.type === 'stream') {
      throw new UsageError(`queue "${name}" is a stream; streams cannot be purged`, {
        hint: 'streams drop old data by retention (x-max-age, x-max-length-bytes)',
      });
    }
    const channel = await this.connection.channel();
    try {
      const ok = await withTimeout(
        channel.purgeQueue(name),
        this.connection.timeoutMs,
        `purge queue "${name}" on RabbitMQ at ${this.connection.target}`,
      );
      return { name, vhost: this.vhost, purged: ok.messageCount };
    } catch (error) {
      throw mapAmqpError(error, this.connection.target);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}

function toQueueRow(q: RawQueue): QueueRow {
  return {
    name: q.name,
    vhost: q.vhost,
    type: q.type ?? 'classic',
    durable: Boolean(q.durable),
    autoDelete: Boolean(q.auto_delete),
    exclusive: Boolean(q.exclusive),
    state: q.state,
    messages: q.messages ?? 0,
    messagesReady: q.messages_ready ?? 0,
    messagesUnacknowledged: q.messages_unacknowledged ?? 0,
    consumers: q.consumers ?? 0,
    policy: q.policy ?? undefined,
    arguments: q.arguments ?? {},
  };
}
