import type * as KafkaGroupAdminModule from './kafka/group-admin';
import type * as PulsarGroupAdminModule from './pulsar/group-admin';
import type * as RabbitGroupAdminModule from './rabbitmq/group-admin';
import type { GroupAdmin } from './contracts/group-admin';
import type { BrokerConnection } from './types';

// Each broker kind's module, and the SDK behind it, is loaded on first use: a command pays the start-up
// cost of the one kind it talks to (see docs/DEVELOPING.md, "Start-up").
const kafkaGroupAdminModule = (): typeof KafkaGroupAdminModule => require('./kafka/group-admin');
const pulsarGroupAdminModule = (): typeof PulsarGroupAdminModule => require('./pulsar/group-admin');
const rabbitGroupAdminModule = (): typeof RabbitGroupAdminModule => require('./rabbitmq/group-admin');

export * from './contracts/group-admin';

/** `mqctl group ...`: consumer groups (Kafka), subscriptions (Pulsar), queues (RabbitMQ). */
export function groupAdminFor(connection: BrokerConnection): GroupAdmin {
  switch (connection.kind) {
    case 'kafka':
      return new (kafkaGroupAdminModule().KafkaGroupAdmin)(connection);
    case 'pulsar':
      return new (pulsarGroupAdminModule().PulsarGroupAdmin)(connection);
    case 'rabbitmq':
      return new (rabbitGroupAdminModule().RabbitGroupAdmin)(connection);
  }
}
