import { UnsupportedError } from '../core/errors';
import { KafkaTopicAdmin } from './kafka/topics';
import { PulsarTopicAdmin } from './pulsar/topics';
import type { TopicAdmin } from './contracts/topics';
import type { BrokerConnection } from './types';

export * from './contracts/topics';

/** `mqctl topic ...` on Kafka and Pulsar; on RabbitMQ it names the commands to use instead. */
export function topicAdminFor(connection: BrokerConnection): TopicAdmin {
  switch (connection.kind) {
    case 'kafka':
      return new KafkaTopicAdmin(connection);
    case 'pulsar':
      return new PulsarTopicAdmin(connection);
    case 'rabbitmq':
      throw new UnsupportedError(`RabbitMQ (${connection.target}) has no topics`, {
        hint: 'use `mqctl queue list|describe|create|delete|purge` or `mqctl exchange ...` / `mqctl binding ...`',
      });
  }
}
