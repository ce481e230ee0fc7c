import { UnsupportedError } from '../core/errors';
import type * as KafkaTopicsModule from './kafka/topics';
import type * as PulsarTopicsModule from './pulsar/topics';
import type { TopicAdmin } from './contracts/topics';
import type { BrokerConnection } from './types';

// Each broker kind's module, and the SDK behind it, is loaded on first use: a command pays the start-up
// cost of the one kind it talks to (see docs/DEVELOPING.md, "Start-up").
const kafkaTopicsModule = (): typeof KafkaTopicsModule => require('./kafka/topics');
const pulsarTopicsModule = (): typeof PulsarTopicsModule => require('./pulsar/topics');

export * from './contracts/topics';

/** `mqctl topic ...` on Kafka and Pulsar; on RabbitMQ it names the commands to use instead. */
export function topicAdminFor(connection: BrokerConnection): TopicAdmin {
  switch (connection.kind) {
    case 'kafka':
      return new (kafkaTopicsModule().KafkaTopicAdmin)(connection);
    case 'pulsar':
      return new (pulsarTopicsModule().PulsarTopicAdmin)(connection);
    case 'rabbitmq':
      throw new UnsupportedError(`RabbitMQ (${connection.target}) has no topics`, {
        hint: 'use `mqctl queue list|describe|create|delete|purge` or `mqctl exchange ...` / `mqctl binding ...`',
      });
  }
}
