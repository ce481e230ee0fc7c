import type { ResolvedContext } from '../config/types';
import { KafkaConnection } from './kafka/connection';
import { PulsarConnection } from './pulsar/connection';
import { RabbitConnection } from './rabbitmq/connection';
import type { BrokerConnection, ConnectOptions } from './types';

/**
 * A connection to the broker a context names. Nothing is opened until first use, so commands that fail
 * validation never touch the network.
 */
export function connect(ctx: ResolvedContext, options: ConnectOptions): BrokerConnection {
  switch (ctx.kind) {
    case 'kafka':
      return new KafkaConnection(ctx, options);
    case 'pulsar':
      return new PulsarConnection(ctx, options);
    case 'rabbitmq':
      return new RabbitConnection(ctx, options);
  }
}

export type { BrokerConnection, ClusterInfo, ConnectOptions } from './types';
