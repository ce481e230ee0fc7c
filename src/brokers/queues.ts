import { UnsupportedError } from '../core/errors';
import type * as RabbitBindingsModule from './rabbitmq/bindings';
import type * as RabbitExchangesModule from './rabbitmq/exchanges';
import type * as RabbitQueuesModule from './rabbitmq/queues';
import type { BindingAdmin } from './contracts/bindings';
import type { ExchangeAdmin } from './contracts/exchanges';
import type { QueueAdmin } from './contracts/queues';
import type { BrokerConnection } from './types';

// Each broker kind's module, and the SDK behind it, is loaded on first use: a command pays the start-up
// cost of the one kind it talks to (see docs/DEVELOPING.md, "Start-up").
const rabbitQueuesModule = (): typeof RabbitQueuesModule => require('./rabbitmq/queues');
const rabbitExchangesModule = (): typeof RabbitExchangesModule => require('./rabbitmq/exchanges');
const rabbitBindingsModule = (): typeof RabbitBindingsModule => require('./rabbitmq/bindings');

export * from './contracts/arguments';
export * from './contracts/bindings';
export * from './contracts/exchanges';
export * from './contracts/queues';

/** Queues, exchanges and bindings exist only on RabbitMQ: elsewhere, name the command to use instead. */
function notRabbit(connection: Exclude<BrokerConnection, { kind: 'rabbitmq' }>, noun: string): never {
  const kindName = connection.kind === 'kafka' ? 'Kafka' : 'Pulsar';
  throw new UnsupportedError(`${kindName} (${connection.target}) has no ${noun}s`, {
    hint: `use \`mqctl topic ${noun === 'queue' ? 'list|describe|create|delete' : 'list'}\` instead`,
  });
}

/** `mqctl queue ...` */
export function queueAdminFor(connection: BrokerConnection): QueueAdmin {
  return connection.kind === 'rabbitmq'
    ? new (rabbitQueuesModule().RabbitQueueAdmin)(connection)
    : notRabbit(connection, 'queue');
}

/** `mqctl exchange ...` */
export function exchangeAdminFor(connection: BrokerConnection): ExchangeAdmin {
  return connection.kind === 'rabbitmq'
    ? new (rabbitExchangesModule().RabbitExchangeAdmin)(connection)
    : notRabbit(connection, 'exchange');
}

/** `mqctl binding ...` */
export function bindingAdminFor(connection: BrokerConnection): BindingAdmin {
  return connection.kind === 'rabbitmq'
    ? new (rabbitBindingsModule().RabbitBindingAdmin)(connection)
    : notRabbit(connection, 'binding');
}
