import type { ResolvedContext } from '../config/types';
import type * as KafkaConnectionModule from './kafka/connection';
import type * as PulsarConnectionModule from './pulsar/connection';
import type * as RabbitConnectionModule from './rabbitmq/connection';
import type { BrokerConnection, ConnectOptions } from './types';

// Each broker kind's module, and the SDK behind it, is loaded on first use: a command pays the start-up
// cost of the one kind it talks to (see docs/DEVELOPING.md, "Start-up").
const kafkaConnectionModule = (): typeof KafkaConnectionModule => require('./kafka/connection');
const pulsarConnectionModule = (): typeof PulsarConnectionModule => require('./pulsar/connection');
const rabbitConnectionModule = (): typeof RabbitConnectionModule => require('./rabbitmq/connection');

/**
 * A connection to the broker a context names. Nothing is opened until first use, so commands that fail
 * validation never touch the network.
 */
export function connect(ctx: ResolvedContext, options: ConnectOptions): BrokerConnection {
  switch (ctx.kind) {
    case 'kafka':
      return new (kafkaConnectionModule().KafkaConnection)(ctx, options);
    case 'pulsar':
      return new (pulsarConnectionModule().PulsarConnection)(ctx, options);
    case 'rabbitmq':
      return new (rabbitConnectionModule().RabbitConnection)(ctx, options);
  }
}

export type { BrokerConnection, ClusterInfo, ConnectOptions } from './types';
