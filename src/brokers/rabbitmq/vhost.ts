import { NotFoundError, UsageError } from '../../core/errors';
import type { BindingRow } from '../contracts/bindings';
import type { RabbitConnection } from './connection';

/** A queue as the management API returns it. */
export interface RawQueue {
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

export interface RawExchange {
  name: string;
  vhost: string;
  type: string;
  durable?: boolean;
  auto_delete?: boolean;
  internal?: boolean;
  arguments?: Record<string, unknown>;
}

export interface RawBinding {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments?: Record<string, unknown>;
  properties_key: string;
}

/**
 * One virtual host through the management HTTP API: what queues, exchanges and bindings share (the vhost
 * check, lookups by name, not-found errors, the declare step).
 */
export class RabbitVhost {
  constructor(readonly connection: RabbitConnection) {}

  get http() {
    return this.connection.management;
  }

  get vhost(): string {
    return this.connection.vhost;
  }

  get where(): string {
    return `vhost "${this.vhost}" on RabbitMQ at ${this.connection.target}`;
  }

  vh(): string {
    return this.connection.vhostPath;
  }

  path(kind: 'queues' | 'exchanges', name: string, suffix = ''): string {
    return `/api/${kind}/${this.vh()}/${encodeURIComponent(name)}${suffix}`;
  }

  /** A vhost that does not exist is "not found" (exit 3), named, not an empty list. */
  async requireVhost(): Promise<void> {
    const vhost = await this.http.request({ path: `/api/vhosts/${this.vh()}`, allow404: true });
    if (vhost === undefined) {
      throw new NotFoundError(`vhost "${this.vhost}" not found on RabbitMQ at ${this.connection.target}`, {
        hint: 'pass --vhost with an existing virtual host',
      });
    }
  }

  queueNotFound(names: string[]): NotFoundError {
    return new NotFoundError(`queue ${names.map((n) => `"${n}"`).join(', ')} not found in ${this.where}`, {
      hint: 'list queues with `mqctl queue list`',
    });
  }

  exchangeNotFound(name: string): NotFoundError {
    return new NotFoundError(`exchange "${name}" not found in ${this.where}`, {
      hint: 'list exchanges with `mqctl exchange list`',
    });
  }

  async rawQueue(name: string): Promise<RawQueue | undefined> {
    return this.http.request<RawQueue>({ path: this.path('queues', name), allow404: true });
  }

  async rawExchange(name: string): Promise<RawExchange | undefined> {
    return this.http.request<RawExchange>({ path: this.path('exchanges', name), allow404: true });
  }

  /**
   * Declares a queue or exchange through the management API unless it exists: an existing one is
   * `alreadyExisted` with --if-not-exists and a usage error without; a dry run stops before the PUT.
   */
  async declare<R extends { created: boolean; alreadyExisted: boolean }>(
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
}

export function toBindingRow(b: RawBinding): BindingRow {
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
