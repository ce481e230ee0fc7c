import { KafkaDlq } from './kafka/dlq';
import { PulsarDlq } from './pulsar/dlq';
import { RabbitDlq } from './rabbitmq/dlq';
import type { DlqAccess } from './contracts/dlq';
import type { BrokerConnection } from './types';

export * from './contracts/dlq';

export function dlqFor(connection: BrokerConnection): DlqAccess {
  switch (connection.kind) {
    case 'kafka':
      return new KafkaDlq(connection);
    case 'pulsar':
      return new PulsarDlq(connection);
    case 'rabbitmq':
      return new RabbitDlq(connection);
  }
}
