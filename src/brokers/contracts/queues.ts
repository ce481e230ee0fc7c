import type { BindingRow } from './bindings';

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

export interface QueueDescription extends QueueRow {
  node?: string;
  memory?: number;
  messageBytes?: number;
  publishRate?: number;
  deliverRate?: number;
  headMessageTimestamp?: number;
  bindings: BindingRow[];
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

export interface QueueCreateResult {
  name: string;
  vhost: string;
  type: QueueType;
  created: boolean;
  alreadyExisted: boolean;
  dryRun: boolean;
  durable: boolean;
  arguments: Record<string, unknown>;
}

/** RabbitMQ queues (what `mqctl queue ...` uses). */
export interface QueueAdmin {
  readonly kind: 'rabbitmq';
  readonly vhost: string;
  listQueues(options: { filter?: string; regex?: boolean; allVhosts?: boolean }): Promise<QueueRow[]>;
  describeQueue(name: string): Promise<QueueDescription>;
  createQueue(spec: QueueCreateSpec): Promise<QueueCreateResult>;
  /**
   * The queues (exit 3 naming every missing one); used before asking for confirmation. `action` (delete,
   * purge) is refused first on RabbitMQ-reserved amq.* names (exit 2, see contracts/protected.ts).
   */
  requireQueues(names: string[], action: string): Promise<QueueRow[]>;
  deleteQueues(
    names: string[],
    options: { ifEmpty?: boolean; ifUnused?: boolean },
  ): Promise<Array<{ name: string; vhost: string; deleted: boolean }>>;
  /** Purges over AMQP so the result says how many messages were removed. */
  purgeQueue(name: string): Promise<{ name: string; vhost: string; purged: number }>;
}
