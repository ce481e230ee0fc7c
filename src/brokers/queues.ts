import { UnsupportedError } from '../core/errors';
import { RabbitBindingAdmin } from './rabbitmq/bindings';
import { RabbitExchangeAdmin } from './rabbitmq/exchanges';
import { RabbitQueueAdmin } from './rabbitmq/queues';
import type { BindingAdmin } from './contracts/bindings';
import type { ExchangeAdmin } from './contracts/exchanges';
import type { QueueAdmin } from './contracts/queues';
import type { BrokerConnection } from './types';

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
  return connection.kind === 'rabbitmq' ? new RabbitQueueAdmin(connection) : notRabbit(connection, 'queue');
}

/** `mqctl exchange ...` */
export function exchangeAdminFor(connection: BrokerConnection): ExchangeAdmin {
  return connection.kind === 'rabbitmq'
    ? new RabbitExchangeAdmin(connection)
    : notRabbit(connection, 'exchange');
}

/** `mqctl binding ...` */
export function bindingAdminFor(connection: BrokerConnection): BindingAdmin {
  return connection.kind === 'rabbitmq'
    ? new RabbitBindingAdmin(connection)
    : notRabbit(connection, 'binding');
}
