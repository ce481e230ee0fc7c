import { KafkaLagSource } from './kafka/lag';
import { PulsarLagSource } from './pulsar/lag';
import { RabbitLagSource } from './rabbitmq/lag';
import type { LagSource } from './contracts/lag';
import type { BrokerConnection } from './types';

export * from './contracts/lag';

export function lagSourceFor(connection: BrokerConnection): LagSource {
  switch (connection.kind) {
    case 'kafka':
      return new KafkaLagSource(connection);
    case 'pulsar':
      return new PulsarLagSource(connection);
    case 'rabbitmq':
      return new RabbitLagSource(connection);
  }
}
