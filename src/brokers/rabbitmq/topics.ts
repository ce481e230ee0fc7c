import { NotFoundError, UsageError } from '../../cli/errors';
import { withTimeout } from '../../util/timeout';
import { nameMatcher, validateRabbitName } from '../../topics/validate';
import { partialFailure } from '../pulsar/topics';
import { mapAmqpError, type RabbitConnection } from './connection';

export const QUEUE_TYPES = ['classic', 'quorum', 'stream'] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

/** One row of `mqctl queue list` (stable JSON, documented in docs/topics.md). */
export interface QueueRow {
  name: string;
  vhost: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
  state?: string;
  /** Ready + unacknowledged. */
  messages: number;
  messagesReady: number;
  messagesUnacknowledged: number;
  consumers: number;
  policy?: string;
  arguments: Record<string, unknown>;
}

export interface BindingRow {
  vhost: string;
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: Record<string, unknown>;
  /** The management API's id for this binding (used to delete it). */
  propertiesKey: string;
}

export interface QueueDescription extends QueueRow {
  node?: string;
  memory?: number;
  messageBytes?: number;
  publishRate?: number;
  deliverRate?: number;
  headMessageTimestamp?: number;
  bindings: BindingRow[];
}

export interface ExchangeRow {
  name: string;
  vhost: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
}

export interface QueueCreateSpec {
  name: string;
  type: QueueType;
  durable: boolean;
  autoDelete: boolean;
  arguments: Record<string, unknown>;
  ifNotExists: boolean;
  dryRun: boolean;
}

export interface ExchangeCreateSpec {
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
  ifNotExists: boolean;
  dryRun: boolean;
}

export interface BindingSpec {
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: Record<string, unknown>;
}

interface RawQueue {
  name: string;
  vhost: string;
  type?: string;
  durable?: boolean;
  auto_delete?: boolean;
  exclusive?: boolean;
  state?: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  policy?: string | null;
  arguments?: Record<string, unknown>;
  node?: string;
  memory?: number;
  message_bytes?: number;
  head_message_timestamp?: number | null;
  message_stats?: { publish_details?: { rate?: number }; deliver_get_details?: { rate?: number } };
}

interface RawExchange {
  name: string;
  vhost: string;
  type: string;
  durable?: boolean;
  auto_delete?: boolean;
  internal?: boolean;
  arguments?: Record<string, unknown>;
}

interface RawBinding {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments?: Record<string, unknown>;
  properties_key: string;
}

const QUEUE_COLUMNS =
  'name,vhost,type,durable,auto_delete,exclusive,state,messages,messages_ready,messages_unacknowledged,consumers,policy,arguments';

/** Argument types RabbitMQ checks strictly: a string "60000" for x-message-ttl is refused by the broker. */
const NUMERIC_ARGUMENTS = new Set([
  'x-message-ttl',
  'x-expires',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-priority',
  'x-delivery-limit',
  'x-initial-cluster-size',
  'x-quorum-initial-group-size',
  'x-stream-max-segment-size-bytes',
]);
const BOOLEAN_ARGUMENTS = new Set(['x-single-active-consumer']);
const STRING_ARGUMENTS = new Set([
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-dead-letter-strategy',
  'x-overflow',
  'x-queue-mode',
  'x-queue-type',
  'x-max-age',
  'x-queue-leader-locator',
  'x-queue-master-locator',
  'alternate-exchange',
]);
const OVERFLOW = ['drop-head', 'reject-publish', 'reject-publish-dlx'];

/** `--argument k=v` values typed the way RabbitMQ wants them (numbers, booleans, strings). */
export function typeArguments(raw: Record<string, string>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (NUMERIC_ARGUMENTS.has(key)) {
      if (!/^\d+$/.test(value.trim())) {
        throw new UsageError(`argument ${key} must be a whole number of 0 or more (got "${value}")`);
      }
      result[key] = Number(value);
    } else if (BOOLEAN_ARGUMENTS.has(key)) {
      if (!/^(true|false)$/i.test(value))
        throw new UsageError(`argument ${key} must be true or false (got "${value}")`);
      result[key] = value.toLowerCase() === 'true';
    } else if (STRING_ARGUMENTS.has(key)) {
      result[key] = value;
    } else if (/^-?\d+$/.test(value)) {
      result[key] = Number(value);
    } else if (/^(true|false)$/.test(value)) {
      result[key] = value === 'true';
    } else {
      result[key] = value;
    }
  }
  if (result['x-overflow'] !== undefined && !OVERFLOW.includes(String(result['x-overflow']))) {
    throw new UsageError(
      `argument x-overflow must be one of ${OVERFLOW.join(', ')} (got "${result['x-overflow']}")`,
    );
  }
  return result;
}

/**
 * RabbitMQ queues, exchanges and bindings: listing through the management HTTP API, declaring through
 * the same API (PUT is an idempotent declare), purging over AMQP (which reports how many messages went).
 */
export class RabbitQueueAdmin {
  readonly kind = 'rabbitmq' as const;

  constructor(private readonly connection: RabbitConnection) {}

  private get http() {
    return this.connection.management;
  }

  get vhost(): string {
    return this.connection.vhost;
  }

  private get where(): string {
    return `vhost "${this.vhost}" on RabbitMQ at ${this.connection.target}`;
  }

  private vh(): string {
    return this.connection.vhostPath;
  }

  private path(kind: 'queues' | 'exchanges', name: string, suffix = ''): string {
    return `/api/${kind}/${this.vh()}/${encodeURIComponent(name)}${suffix}`;
  }

  /** A vhost that does not exist is "not found" (exit 3), named, not an empty list. */
  private async requireVhost(): Promise<void> {
    const vhost = await this.http.request({ path: `/api/vhosts/${this.vh()}`, allow404: true });
    if (vhost === undefined) {
      throw new NotFoundError(`vhost "${this.vhost}" not found on RabbitMQ at ${this.connection.target}`, {
        hint: 'pass --vhost with an existing virtual host',
      });
    }
  }

  private queueNotFound(names: string[]): NotFoundError {
    return new NotFoundError(`queue ${names.map((n) => `"${n}"`).join(', ')} not found in ${this.where}`, {
      hint: 'list queues with `mqctl queue list`',
    });
  }

  private async rawQueue(name: string): Promise<RawQueue | undefined> {
    return this.http.request<RawQueue>({ path: this.path('queues', name), allow404: true });
  }

  // ---- queues ----

  async listQueues(options: { filter?: string; regex?: boolean; allVhosts?: boolean }): Promise<QueueRow[]> {
    const matches = nameMatcher(options.filter, options.regex);
    if (!options.allVhosts) await this.requireVhost();
    const raw = await this.http.request<RawQueue[]>({
      path: options.allVhosts ? '/api/queues' : `/api/queues/${this.vh()}`,
      query: { columns: QUEUE_COLUMNS },
    });
    return raw
      .filter((q) => matches(q.name))
      .map(toQueueRow)
      .sort((a, b) => a.vhost.localeCompare(b.vhost) || a.name.localeCompare(b.name));
  }

  async describeQueue(name: string): Promise<QueueDescription> {
    const q = await this.rawQueue(name);
    if (!q) {
      await this.requireVhost();
      throw this.queueNotFound([name]);
    }
    const bindings = await this.http.request<RawBinding[]>({
      path: this.path('queues', name, '/bindings'),
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

  async createQueue(spec: QueueCreateSpec): Promise<{
    name: string;
    vhost: string;
    type: QueueType;
    created: boolean;
    alreadyExisted: boolean;
    dryRun: boolean;
    durable: boolean;
    arguments: Record<string, unknown>;
  }> {
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
    return this.declare('queue', spec, result, () => this.rawQueue(spec.name), {
      durable: spec.durable,
      auto_delete: spec.autoDelete,
      arguments: declared,
    });
  }

  /**
   * Declares a queue or exchange through the management API unless it exists: an existing one is
   * `alreadyExisted` with --if-not-exists and a usage error without; a dry run stops before the PUT.
   */
  private async declare<R extends { created: boolean; alreadyExisted: boolean }>(
    noun: 'queue' | 'exchange',
    spec: { name: string; ifNotExists: boolean; dryRun: boolean },
    result: R,
    exists: () => Promise<unknown>,
    body: Record<string, unknown>,
  ): Promise<R> {
    await this.requireVhost();
    if (await exists()) {
      if (spec.ifNotExists) return { ...result, alreadyExisted: true };
      throw new UsageError(`${noun} "${spec.name}" already exists in ${this.where}`, {
        hint: `pass --if-not-exists to accept an existing ${noun}`,
      });
    }
    if (spec.dryRun) return result;
    await this.http.request({
      method: 'PUT',
      path: this.path(noun === 'queue' ? 'queues' : 'exchanges', spec.name),
      body,
      subject: `${noun} "${spec.name}" in ${this.where}`,
    });
    return { ...result, created: true };
  }

  async requireQueues(names: string[]): Promise<RawQueue[]> {
    const found = await Promise.all(names.map((n) => this.rawQueue(n)));
    const missing = names.filter((_, i) => !found[i]);
    if (missing.length > 0) {
      await this.requireVhost();
      throw this.queueNotFound(missing);
    }
    return found as RawQueue[];
  }

  async deleteQueues(
    names: string[],
    options: { ifEmpty?: boolean; ifUnused?: boolean },
  ): Promise<Array<{ name: string; vhost: string; deleted: boolean }>> {
    await this.requireQueues(names);
    const done: Array<{ name: string; vhost: string; deleted: boolean }> = [];
    for (const name of names) {
      try {
        await this.http.request({
          method: 'DELETE',
          path: this.path('queues', name),
          query: { 'if-empty': options.ifEmpty || undefined, 'if-unused': options.ifUnused || undefined },
          subject: `queue "${name}" in ${this.where}`,
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
    const [queue] = await this.requireQueues([name]);
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

  // ---- exchanges ----

  async listExchanges(options: { filter?: string; regex?: boolean }): Promise<ExchangeRow[]> {
    const matches = nameMatcher(options.filter, options.regex);
    await this.requireVhost();
    const raw = await this.http.request<RawExchange[]>({ path: `/api/exchanges/${this.vh()}` });
    return raw
      .filter((e) => matches(e.name))
      .map((e) => ({
        name: e.name,
        vhost: e.vhost,
        type: e.type,
        durable: Boolean(e.durable),
        autoDelete: Boolean(e.auto_delete),
        internal: Boolean(e.internal),
        arguments: e.arguments ?? {},
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private async rawExchange(name: string): Promise<RawExchange | undefined> {
    return this.http.request<RawExchange>({ path: this.path('exchanges', name), allow404: true });
  }

  private exchangeNotFound(name: string): NotFoundError {
    return new NotFoundError(`exchange "${name}" not found in ${this.where}`, {
      hint: 'list exchanges with `mqctl exchange list`',
    });
  }

  async createExchange(spec: ExchangeCreateSpec): Promise<{
    name: string;
    vhost: string;
    type: string;
    created: boolean;
    alreadyExisted: boolean;
    dryRun: boolean;
  }> {
    validateRabbitName(spec.name, 'exchange');
    const result = {
      name: spec.name,
      vhost: this.vhost,
      type: spec.type,
      created: false,
      alreadyExisted: false,
      dryRun: spec.dryRun,
    };
    return this.declare('exchange', spec, result, () => this.rawExchange(spec.name), {
      type: spec.type,
      durable: spec.durable,
      auto_delete: spec.autoDelete,
      internal: spec.internal,
      arguments: spec.arguments,
    });
  }

  async requireExchanges(names: string[]): Promise<void> {
    for (const name of names) {
      if (name === '' || name.startsWith('amq.')) {
        throw new UsageError(`exchange "${name}" is built in and cannot be deleted`);
      }
    }
    const found = await Promise.all(names.map((n) => this.rawExchange(n)));
    const missing = names.filter((_, i) => !found[i]);
    if (missing.length > 0) {
      await this.requireVhost();
      throw this.exchangeNotFound(missing[0]!);
    }
  }

  async deleteExchanges(
    names: string[],
    options: { ifUnused?: boolean },
  ): Promise<Array<{ name: string; vhost: string; deleted: boolean }>> {
    await this.requireExchanges(names);
    const done: Array<{ name: string; vhost: string; deleted: boolean }> = [];
    for (const name of names) {
      try {
        await this.http.request({
          method: 'DELETE',
          path: this.path('exchanges', name),
          query: { 'if-unused': options.ifUnused || undefined },
          subject: `exchange "${name}" in ${this.where}`,
        });
      } catch (error) {
        throw partialFailure(error, done, name);
      }
      done.push({ name, vhost: this.vhost, deleted: true });
    }
    return done;
  }

  // ---- bindings ----

  async listBindings(options: { source?: string; destination?: string }): Promise<BindingRow[]> {
    await this.requireVhost();
    const raw = await this.http.request<RawBinding[]>({ path: `/api/bindings/${this.vh()}` });
    return raw
      .map(toBindingRow)
      .filter((b) => options.source === undefined || b.source === options.source)
      .filter((b) => options.destination === undefined || b.destination === options.destination)
      .sort(
        (a, b) =>
          a.source.localeCompare(b.source) ||
          a.destination.localeCompare(b.destination) ||
          a.routingKey.localeCompare(b.routingKey),
      );
  }

  private bindingPath(spec: BindingSpec): string {
    const d = spec.destinationType === 'queue' ? 'q' : 'e';
    return `/api/bindings/${this.vh()}/e/${encodeURIComponent(spec.source)}/${d}/${encodeURIComponent(spec.destination)}`;
  }

  private async requireEnds(spec: BindingSpec): Promise<void> {
    if (spec.source === '') {
      throw new UsageError(
        'the default exchange ("") binds every queue by name implicitly; it takes no bindings',
        {
          hint: 'bind from a named exchange (--source)',
        },
      );
    }
    await this.requireVhost();
    if (!(await this.rawExchange(spec.source))) throw this.exchangeNotFound(spec.source);
    if (spec.destinationType === 'queue') {
      if (!(await this.rawQueue(spec.destination))) throw this.queueNotFound([spec.destination]);
    } else if (!(await this.rawExchange(spec.destination))) {
      throw this.exchangeNotFound(spec.destination);
    }
  }

  private async findBindings(spec: BindingSpec): Promise<RawBinding[]> {
    const existing = await this.http.request<RawBinding[]>({ path: this.bindingPath(spec) });
    return existing.filter(
      (b) => b.routing_key === spec.routingKey && sameArguments(b.arguments ?? {}, spec.arguments),
    );
  }

  async createBinding(
    spec: BindingSpec & { dryRun: boolean },
  ): Promise<BindingSpec & { vhost: string; created: boolean; alreadyExisted: boolean; dryRun: boolean }> {
    await this.requireEnds(spec);
    const base = {
      source: spec.source,
      destination: spec.destination,
      destinationType: spec.destinationType,
      routingKey: spec.routingKey,
      arguments: spec.arguments,
      vhost: this.vhost,
      dryRun: spec.dryRun,
    };
    if ((await this.findBindings(spec)).length > 0) return { ...base, created: false, alreadyExisted: true };
    if (spec.dryRun) return { ...base, created: false, alreadyExisted: false };
    await this.http.request({
      method: 'POST',
      path: this.bindingPath(spec),
      body: { routing_key: spec.routingKey, arguments: spec.arguments },
      subject: `binding ${spec.source} → ${spec.destination} in ${this.where}`,
    });
    return { ...base, created: true, alreadyExisted: false };
  }

  /** Fails with exit 3 when no binding matches source, destination, routing key and arguments. */
  async requireBinding(spec: BindingSpec): Promise<RawBinding> {
    await this.requireEnds(spec);
    const [match] = await this.findBindings(spec);
    if (!match) {
      throw new NotFoundError(
        `no binding ${spec.source} → ${spec.destinationType} ${spec.destination} with routing key "${spec.routingKey}" in ${this.where}`,
        { hint: `list them with \`mqctl binding list --source ${spec.source}\`` },
      );
    }
    return match;
  }

  async deleteBinding(spec: BindingSpec): Promise<BindingSpec & { vhost: string; deleted: boolean }> {
    const match = await this.requireBinding(spec);
    await this.http.request({
      method: 'DELETE',
      path: `${this.bindingPath(spec)}/${encodeURIComponent(match.properties_key)}`,
      subject: `binding ${spec.source} → ${spec.destination} in ${this.where}`,
    });
    return { ...spec, vhost: this.vhost, deleted: true };
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

function toBindingRow(b: RawBinding): BindingRow {
  return {
    vhost: b.vhost,
    source: b.source,
    destination: b.destination,
    destinationType: b.destination_type,
    routingKey: b.routing_key,
    arguments: b.arguments ?? {},
    propertiesKey: b.properties_key,
  };
}

function sameArguments(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false;
  return true;
}
