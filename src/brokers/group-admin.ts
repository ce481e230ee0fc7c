import { KafkaGroupAdmin } from './kafka/group-admin';
import { PulsarGroupAdmin } from './pulsar/group-admin';
import { RabbitGroupAdmin } from './rabbitmq/group-admin';
import type { GroupAdmin } from './contracts/group-admin';
import type { BrokerConnection } from './types';

export * from './contracts/group-admin';

/** `mqctl group ...`: consumer groups (Kafka), subscriptions (Pulsar), queues (RabbitMQ). */
export function groupAdminFor(connection: BrokerConnection): GroupAdmin {
  switch (connection.kind) {
    case 'kafka':
      return new KafkaGroupAdmin(connection);
    case 'pulsar':
      return new PulsarGroupAdmin(connection);
    case 'rabbitmq':
      return new RabbitGroupAdmin(connection);
  }
}
