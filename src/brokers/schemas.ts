import { UnsupportedError } from '../core/errors';
import type * as PulsarSchemasModule from './pulsar/schemas';
import type { SchemaAdmin } from './contracts/schemas';
import type { BrokerConnection } from './types';

// Each broker kind's module, and the SDK behind it, is loaded on first use: a command pays the start-up
// cost of the one kind it talks to (see docs/DEVELOPING.md, "Start-up").
const pulsarSchemasModule = (): typeof PulsarSchemasModule => require('./pulsar/schemas');

export * from './contracts/schemas';

/**
 * `mqctl schema ...`: Pulsar's built-in schema registry. Kafka keeps schemas in a separate registry server
 * (Confluent Schema Registry, Karapace, Apicurio) that mqctl does not talk to; RabbitMQ has no schemas.
 */
export function schemaAdminFor(connection: BrokerConnection): SchemaAdmin {
  switch (connection.kind) {
    case 'pulsar':
      return new (pulsarSchemasModule().PulsarSchemaAdmin)(connection);
    case 'kafka':
      throw new UnsupportedError(
        `mqctl schema works with Pulsar's built-in schema registry; Kafka (${connection.target}) keeps schemas in a separate registry server`,
        { hint: "use that registry's own REST API or CLI (Confluent Schema Registry, Karapace, Apicurio)" },
      );
    case 'rabbitmq':
      throw new UnsupportedError(
        `mqctl schema works with Pulsar's built-in schema registry; RabbitMQ (${connection.target}) has no schemas`,
        { hint: 'RabbitMQ stores message bodies as bytes; validate them in the publishing application' },
      );
  }
}
