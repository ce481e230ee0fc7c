/** RabbitMQ bindings (what `mqctl binding ...` uses). */

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

export interface BindingSpec {
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: Record<string, unknown>;
}

export interface BindingAdmin {
  readonly kind: 'rabbitmq';
  readonly vhost: string;
  listBindings(options: { source?: string; destination?: string }): Promise<BindingRow[]>;
  createBinding(
    spec: BindingSpec & { dryRun: boolean },
  ): Promise<BindingSpec & { vhost: string; created: boolean; alreadyExisted: boolean; dryRun: boolean }>;
  /** Fails with exit 3 when no binding matches source, destination, routing key and arguments. */
  requireBinding(spec: BindingSpec): Promise<void>;
  deleteBinding(spec: BindingSpec): Promise<BindingSpec & { vhost: string; deleted: boolean }>;
}
