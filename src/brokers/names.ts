import type { BrokerKind } from '../config/types';
import { validateKafkaName } from './kafka/names';
import { parsePulsarTopic, validatePulsarPath, validatePulsarSubscription } from './pulsar/topic-name';
import { validateRabbitObjectName } from './rabbitmq/names';

/**
 * What a name given to a command stands for. `topic` is a Kafka/Pulsar topic and a RabbitMQ queue (perf,
 * DLQs); `group` is a Kafka consumer group, a Pulsar subscription and a RabbitMQ queue (lag, group).
 */
export type NameRole = 'topic' | 'group' | 'queue' | 'exchange' | 'tenant' | 'namespace';

/**
 * Checks a name against the naming rules of the broker kind (one module per kind) before any broker call:
 * an impossible name is a usage error (exit 2), never "not found" (3).
 */
export function validateName(kind: BrokerKind, role: NameRole, name: string): void {
  switch (kind) {
    case 'kafka':
      if (role === 'topic' || role === 'group') validateKafkaName(role, name);
      return;
    case 'pulsar':
      if (role === 'topic') parsePulsarTopic(name);
      else if (role === 'group') validatePulsarSubscription(name);
      else if (role === 'tenant' || role === 'namespace') validatePulsarPath(role, name);
      return;
    case 'rabbitmq':
      if (role === 'exchange') validateRabbitObjectName('exchange', name);
      else if (role === 'topic' || role === 'group' || role === 'queue')
        validateRabbitObjectName('queue', name);
      return;
  }
}
