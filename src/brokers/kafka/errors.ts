import { AuthError, ExitCode, MqctlError, UnavailableError, errorForExitCode } from '../../core/errors';
import { tlsFailure } from '../tls';

interface KafkaJsLikeError extends Error {
  type?: string;
  code?: number | string;
  cause?: unknown;
}

export interface KafkaErrorRow {
  /** the protocol's name for the code, as kafkajs reports it in `type` */
  type: string;
  exit: number;
  hint?: string;
  /** the broker refused the login (SASL), not an operation: said as "refused authentication" */
  login?: true;
}

const ACLS = 'check the ACLs for this principal (kafka-acls --list)';
const CREDENTIALS = 'check --username/--sasl-mechanism and the password';

/**
 * Kafka protocol error codes mqctl gives an exit code of their own, keyed by code (kafkajs puts the code and
 * its name on KafkaJSProtocolError, from its table in kafkajs/src/protocol/error.js). A code not listed here
 * is exit 1 with the broker's message.
 */
export const KAFKA_PROTOCOL_ERRORS: Readonly<Record<number, KafkaErrorRow>> = {
  3: { type: 'UNKNOWN_TOPIC_OR_PARTITION', exit: ExitCode.NOT_FOUND },
  69: { type: 'GROUP_ID_NOT_FOUND', exit: ExitCode.NOT_FOUND },
  29: { type: 'TOPIC_AUTHORIZATION_FAILED', exit: ExitCode.AUTH, hint: ACLS },
  30: { type: 'GROUP_AUTHORIZATION_FAILED', exit: ExitCode.AUTH, hint: ACLS },
  31: { type: 'CLUSTER_AUTHORIZATION_FAILED', exit: ExitCode.AUTH, hint: ACLS },
  53: { type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', exit: ExitCode.AUTH, hint: ACLS },
  65: { type: 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', exit: ExitCode.AUTH, hint: ACLS },
  58: { type: 'SASL_AUTHENTICATION_FAILED', exit: ExitCode.AUTH, hint: CREDENTIALS, login: true },
  33: {
    type: 'UNSUPPORTED_SASL_MECHANISM',
    exit: ExitCode.AUTH,
    hint: 'the listener does not offer this --sasl-mechanism (plain, scram-sha-256 or scram-sha-512)',
    login: true,
  },
  34: { type: 'ILLEGAL_SASL_STATE', exit: ExitCode.AUTH, hint: CREDENTIALS, login: true },
  17: { type: 'INVALID_TOPIC_EXCEPTION', exit: ExitCode.USAGE },
  37: { type: 'INVALID_PARTITIONS', exit: ExitCode.USAGE },
  38: { type: 'INVALID_REPLICATION_FACTOR', exit: ExitCode.USAGE },
  39: { type: 'INVALID_REPLICA_ASSIGNMENT', exit: ExitCode.USAGE },
  40: { type: 'INVALID_CONFIG', exit: ExitCode.USAGE },
  42: { type: 'INVALID_REQUEST', exit: ExitCode.USAGE },
  36: { type: 'TOPIC_ALREADY_EXISTS', exit: ExitCode.USAGE },
  44: { type: 'POLICY_VIOLATION', exit: ExitCode.USAGE },
  68: { type: 'NON_EMPTY_GROUP', exit: ExitCode.USAGE },
  24: { type: 'INVALID_GROUP_ID', exit: ExitCode.USAGE },
  35: { type: 'UNSUPPORTED_VERSION', exit: ExitCode.USAGE },
};

/**
 * kafkajs' own error classes (kafkajs/src/errors.js) that mean "the cluster did not answer": by `name`.
 * KafkaJSSASLAuthenticationError is mapped before the protocol codes (see mapKafkaError).
 */
export const KAFKAJS_UNAVAILABLE_ERRORS: ReadonlySet<string> = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
]);

/**
 * Errors without kafkajs' structure (librdkafka's, a socket's): the network failures their messages name.
 * The last resort, after the tables above.
 */
const NETWORK_MESSAGE =
  /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|ECONNRESET|Connection timeout|Closed connection|not connected|Request timed out/i;
const SASL_MESSAGE = /SASL|authentication/i;

/**
 * Maps kafkajs errors to mqctl's error tree from the tables above: unreachable → 69, auth → 77, unknown
 * topic/group → 3, invalid request → 2, anything else → 1. `subject` names what the call was about.
 */
export function mapKafkaError(error: unknown, brokers: string, subject?: string): MqctlError {
  if (error instanceof MqctlError) return error;
  // createTopics and friends throw an aggregate of per-resource errors: the first one says what went wrong
  const aggregate = (error as { errors?: unknown[] }).errors?.[0];
  const err = (aggregate ?? error) as KafkaJsLikeError;
  // KafkaJSNumberOfRetriesExceeded carries the error it retried as its cause (kafkajs/src/retry/index.js)
  const inner =
    err.name === 'KafkaJSNumberOfRetriesExceeded' && err.cause instanceof Error
      ? (err.cause as KafkaJsLikeError)
      : err;
  const prefix = subject ? `${subject}: ` : '';
  const name = err.name ?? '';
  const type = inner.type ?? err.type ?? '';
  const refusedLogin = (suffix = '', hint = CREDENTIALS) =>
    new AuthError(`${prefix}Kafka at ${brokers} refused authentication: ${inner.message}${suffix}`, { hint });
  if (name === 'KafkaJSSASLAuthenticationError') return refusedLogin();
  const code =
    typeof inner.code === 'number' ? inner.code : typeof err.code === 'number' ? err.code : undefined;
  const row = code === undefined ? undefined : KAFKA_PROTOCOL_ERRORS[code];
  if (row && row.type === type) {
    switch (row.exit) {
      case ExitCode.AUTH:
        if (row.login) return refusedLogin(` (${type})`, row.hint);
        return new AuthError(`${prefix}not authorised (${type})`, { hint: row.hint });
      case ExitCode.NOT_FOUND:
        return errorForExitCode(row.exit, `${prefix}not found on Kafka at ${brokers} (${type})`, {
          hint: row.hint,
        });
      default:
        return errorForExitCode(row.exit, `${prefix}${inner.message} (${type})`, { hint: row.hint });
    }
  }
  const tls = tlsFailure(error, `${prefix}Kafka at ${brokers}`);
  if (tls) return tls;
  if (SASL_MESSAGE.test(inner.message ?? '') && /fail/i.test(inner.message ?? '')) return refusedLogin();
  if (KAFKAJS_UNAVAILABLE_ERRORS.has(name) || NETWORK_MESSAGE.test(inner.message ?? '')) {
    const reason = inner.message?.replace(/^Connection error: /, '') ?? 'connection failed';
    // A listener that closes the connection on the first request usually wants SASL or TLS first.
    const closed = /Closed connection/i.test(reason) || name === 'KafkaJSConnectionClosedError';
    return new UnavailableError(`cannot reach Kafka at ${brokers}: ${reason}`, {
      hint: closed
        ? 'the listener closed the connection: it may need SASL (--username/--password/--sasl-mechanism) or TLS (--tls)'
        : 'is the broker running and --brokers right? (the address comes from flags, MQCTL_* variables or the context: mqctl context list)',
      cause: error,
    });
  }
  return new MqctlError(
    `${prefix}Kafka error: ${inner.message ?? String(error)}${type ? ` (${type})` : ''}`,
    ExitCode.FAILURE,
    { cause: error },
  );
}
