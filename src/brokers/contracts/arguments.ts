import { UsageError } from '../../core/errors';

/** Argument types RabbitMQ checks strictly: a string "60000" for x-message-ttl is refused by the broker. */
const NUMERIC_ARGUMENTS = new Set([
  'x-message-ttl',
  'x-expires',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-priority',
  'x-delivery-limit',
  'x-initial-cluster-size',
  'x-quorum-initial-group-size',
  'x-stream-max-segment-size-bytes',
]);
const BOOLEAN_ARGUMENTS = new Set(['x-single-active-consumer']);
const STRING_ARGUMENTS = new Set([
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-dead-letter-strategy',
  'x-overflow',
  'x-queue-mode',
  'x-queue-type',
  'x-max-age',
  'x-queue-leader-locator',
  'x-queue-master-locator',
  'alternate-exchange',
]);
const OVERFLOW = ['drop-head', 'reject-publish', 'reject-publish-dlx'];

/** `--argument k=v` values typed the way RabbitMQ wants them (numbers, booleans, strings). */
export function typeArguments(raw: Record<string, string>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (NUMERIC_ARGUMENTS.has(key)) {
      if (!/^\d+$/.test(value.trim())) {
        throw new UsageError(`argument ${key} must be a whole number of 0 or more (got "${value}")`);
      }
      result[key] = Number(value);
    } else if (BOOLEAN_ARGUMENTS.has(key)) {
      if (!/^(true|false)$/i.test(value))
        throw new UsageError(`argument ${key} must be true or false (got "${value}")`);
      result[key] = value.toLowerCase() === 'true';
    } else if (STRING_ARGUMENTS.has(key)) {
      result[key] = value;
    } else if (/^-?\d+$/.test(value)) {
      result[key] = Number(value);
    } else if (/^(true|false)$/.test(value)) {
      result[key] = value === 'true';
    } else {
      result[key] = value;
    }
  }
  if (result['x-overflow'] !== undefined && !OVERFLOW.includes(String(result['x-overflow']))) {
    throw new UsageError(
      `argument x-overflow must be one of ${OVERFLOW.join(', ')} (got "${result['x-overflow']}")`,
    );
  }
  return result;
}
