/** RabbitMQ exchanges (what `mqctl exchange ...` uses). */

export interface ExchangeRow {
  name: string;
  vhost: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
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

export interface ExchangeCreateResult {
  name: string;
  vhost: string;
  type: string;
  created: boolean;
  alreadyExisted: boolean;
  dryRun: boolean;
}

export interface ExchangeAdmin {
  readonly kind: 'rabbitmq';
  readonly vhost: string;
  listExchanges(options: { filter?: string; regex?: boolean }): Promise<ExchangeRow[]>;
  createExchange(spec: ExchangeCreateSpec): Promise<ExchangeCreateResult>;
  /**
   * Refuses the default and amq.* exchanges (exit 2, see contracts/protected.ts) and missing ones (exit 3)
   * before anything is deleted.
   */
  requireExchanges(names: string[], action?: string): Promise<void>;
  deleteExchanges(
    names: string[],
    options: { ifUnused?: boolean },
  ): Promise<Array<{ name: string; vhost: string; deleted: boolean }>>;
}
