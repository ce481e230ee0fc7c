import { UsageError } from '../../core/errors';
import { validateKafkaTopicName } from '../../topics/validate';

/**
 * Kafka's naming rules, checked before any request: topics use [a-zA-Z0-9._-], at most 249 characters
 * (org.apache.kafka.common.internals.Topic); group ids are any non-empty string without control characters
 * (the protocol allows any; control characters only come from typos and break every listing).
 */
export function validateKafkaName(role: 'topic' | 'group', name: string): void {
  if (role === 'topic') return validateKafkaTopicName(name);
  if (!name) throw new UsageError('consumer group id is empty');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new UsageError('invalid consumer group id: it holds control characters');
  if (name.length > 32767)
    throw new UsageError(`invalid consumer group id: ${name.length} characters, at most 32767`);
}
