import type * as KafkaDlqModule from './kafka/dlq';
import type * as PulsarDlqModule from './pulsar/dlq';
import type * as RabbitDlqModule from './rabbitmq/dlq';
import type { DlqAccess } from './contracts/dlq';
import type { BrokerConnection } from './types';

// Each broker kind's module, and the SDK behind it, is loaded on first use: a command pays the start-up
// cost of the one kind it talks to (see docs/DEVELOPING.md, "Start-up").
const kafkaDlqModule = (): typeof KafkaDlqModule => require('./kafka/dlq');
const pulsarDlqModule = (): typeof PulsarDlqModule => require('./pulsar/dlq');
const rabbitDlqModule = (): typeof RabbitDlqModule => require('./rabbitmq/dlq');

export * from './contracts/dlq';

export function dlqFor(connection: BrokerConnection): DlqAccess {
  switch (connection.kind) {
    case 'kafka':
      return new (kafkaDlqModule().KafkaDlq)(connection);
    case 'pulsar':
      return new (pulsarDlqModule().PulsarDlq)(connection);
    case 'rabbitmq':
      return new (rabbitDlqModule().RabbitDlq)(connection);
  }
}
