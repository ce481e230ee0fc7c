/** The connection union (one per broker kind); the shared contract is in contracts/connection.ts. */
import type { KafkaConnection } from './kafka/connection';
import type { PulsarConnection } from './pulsar/connection';
import type { RabbitConnection } from './rabbitmq/connection';

export type BrokerConnection = KafkaConnection | PulsarConnection | RabbitConnection;

export * from './contracts/connection';
