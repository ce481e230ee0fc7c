import type * as KafkaLagModule from './kafka/lag';
import type * as PulsarLagModule from './pulsar/lag';
import type * as RabbitLagModule from './rabbitmq/lag';
import type { LagSource } from './contracts/lag';
import type { BrokerConnection } from './types';

// Each broker kind's module, and the SDK behind it, is loaded on first use: a command pays the start-up
// cost of the one kind it talks to (see docs/DEVELOPING.md, "Start-up").
const kafkaLagModule = (): typeof KafkaLagModule => require('./kafka/lag');
const pulsarLagModule = (): typeof PulsarLagModule => require('./pulsar/lag');
const rabbitLagModule = (): typeof RabbitLagModule => require('./rabbitmq/lag');

export * from './contracts/lag';

export function lagSourceFor(connection: BrokerConnection): LagSource {
  switch (connection.kind) {
    case 'kafka':
      return new (kafkaLagModule().KafkaLagSource)(connection);
    case 'pulsar':
      return new (pulsarLagModule().PulsarLagSource)(connection);
    case 'rabbitmq':
      return new (rabbitLagModule().RabbitLagSource)(connection);
  }
}
