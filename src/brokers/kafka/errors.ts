import { AuthError, MqctlError, NotFoundError, UnavailableError, UsageError } from '../../cli/errors';

interface KafkaJsLikeError extends Error {
  type?: string;
  code?: number;
  retriable?: boolean;
  originalError?: KafkaJsLikeError;
  cause?: unknown;
}

const NOT_FOUND = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'GROUP_ID_NOT_FOUND',
  'UNKNOWN_TOPIC_ID',
  'RESOURCE_NOT_FOUND',
]);
const AUTH = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'DELEGATION_TOKEN_AUTHORIZATION_FAILED',
]);
const USAGE = new Set([
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_REPLICA_ASSIGNMENT',
  'INVALID_CONFIG',
  'INVALID_REQUEST',
  'TOPIC_ALREADY_EXISTS',
  'POLICY_VIOLATION',
  'NON_EMPTY_GROUP',
  'INVALID_GROUP_ID',
  'UNSUPPORTED_VERSION',
]);

/**
 * Maps kafkajs errors to mqctl's error tree: unreachable → 69, auth → 77, unknown topic/group → 3,
 * invalid request → 2. `subject` names what the call was about.
 */
export function mapKafkaError(error: unknown, brokers: string, subject?: string): MqctlError {
  if (error instanceof MqctlError) return error;
  // createTopics and friends throw an aggregate of per-resource errors: the first one says what went wrong
  const aggregate = (error as { errors?: unknown[] }).errors?.[0];
  const err = (aggregate ?? error) as KafkaJsLikeError;
  const inner = err.originalError ?? err;
  const prefix = subject ? `${subject}: ` : '';
  const name = err.name ?? '';
  const type = inner.type ?? err.type ?? '';
  if (
    name === 'KafkaJSSASLAuthenticationError' ||
    (/SASL|authentication/i.test(inner.message ?? '') && /fail/i.test(inner.message ?? ''))
  ) {
    return new AuthError(`${prefix}Kafka at ${brokers} refused authentication: ${inner.message}`, {
      hint: 'check --username/--sasl-mechanism and the password',
    });
  }
  if (AUTH.has(type))
    return new AuthError(`${prefix}not authorised (${type})`, { hint: 'check the ACLs for this principal' });
  if (NOT_FOUND.has(type)) return new NotFoundError(`${prefix}not found on Kafka at ${brokers} (${type})`);
  if (USAGE.has(type)) return new UsageError(`${prefix}${inner.message} (${type})`);
  if (
    name === 'KafkaJSConnectionError' ||
    name === 'KafkaJSNumberOfRetriesExceeded' ||
    name === 'KafkaJSRequestTimeoutError' ||
    name === 'KafkaJSBrokerNotFound' ||
    name === 'KafkaJSConnectionClosedError' ||
    /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|ECONNRESET|Connection timeout|Closed connection|not connected|Request timed out/i.test(
      inner.message ?? '',
    )
  ) {
    const reason = inner.message?.replace(/^Connection error: /, '') ?? 'connection failed';
    return new UnavailableError(`cannot reach Kafka at ${brokers}: ${reason}`, {
      hint: 'is the broker running and --brokers right? (local: npm run brokers:up kafka)',
      cause: error,
    });
  }
  return new MqctlError(
    `${prefix}Kafka error: ${inner.message ?? String(error)}${type ? ` (${type})` : ''}`,
    1,
    { cause: error },
  );
}
