import { UnsupportedError } from '../core/errors';
import type * as KafkaSchemaRegistryModule from './kafka/schema-registry';
import type * as PulsarSchemasModule from './pulsar/schemas';
import type { SchemaAdmin, SchemaRegistryOptions } from './contracts/schemas';
import type { BrokerConnection } from './types';

// Each broker kind's module, and the SDK behind it, is loaded on first use: a command pays the start-up
// cost of the one kind it talks to (see docs/DEVELOPING.md, "Start-up").
const pulsarSchemasModule = (): typeof PulsarSchemasModule => require('./pulsar/schemas');
const kafkaSchemaRegistryModule = (): typeof KafkaSchemaRegistryModule => require('./kafka/schema-registry');

export * from './contracts/schemas';

/**
 * `mqctl schema ...`: Pulsar's built-in schema registry; on Kafka, a Confluent-compatible schema registry server
 * (Confluent Schema Registry, Karapace, Apicurio's ccompat API) named by `registry` options or the context.
 * RabbitMQ has no schemas. Registry options given for Pulsar are refused (exit 2), never ignored.
 */
export function schemaAdminFor(
  connection: BrokerConnection,
  registry: SchemaRegistryOptions = {},
): SchemaAdmin {
  if (connection.kind !== 'kafka') {
    const flag = registry.registryUrl
      ? '--registry-url'
      : registry.subject
        ? '--subject'
        : registry.key
          ? '--key'
          : undefined;
    if (flag)
      throw new UnsupportedError(
        `${flag} applies to Kafka schema registries, not to ${connection.kind === 'pulsar' ? 'Pulsar' : 'RabbitMQ'} (${connection.target})`,
      );
  }
  switch (connection.kind) {
    case 'pulsar':
      return new (pulsarSchemasModule().PulsarSchemaAdmin)(connection);
    case 'kafka':
      return new (kafkaSchemaRegistryModule().KafkaSchemaRegistryAdmin)(connection, registry);
    case 'rabbitmq':
      throw new UnsupportedError(
        `mqctl schema works with Pulsar's built-in schema registry and Kafka schema registries; RabbitMQ (${connection.target}) has no schemas`,
        { hint: 'RabbitMQ stores message bodies as bytes; validate them in the publishing application' },
      );
  }
}
