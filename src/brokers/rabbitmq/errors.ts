import { AuthError, ExitCode, MqctlError, UnavailableError, errorForExitCode } from '../../core/errors';
import { tlsFailure } from '../tls';

export interface AmqpReplyRow {
  /** the AMQP 0-9-1 constant's name */
  name: string;
  exit: number;
  hint: string;
  /** the hint when the broker refused the connection itself (handshake, connection.open) */
  connectHint?: string;
}

const CREDENTIALS =
  'check the user name and password (--username, --password or MQCTL_PASSWORD, or the URL or context)';
const PROTOCOL = 'a protocol error between mqctl and the broker: run again with --debug and report it';

/**
 * AMQP 0-9-1 reply codes (the spec's constants; RabbitMQ closes a channel or the connection with one) and the
 * exit code each becomes. Codes not listed here are exit 1 with the broker's reply text.
 */
export const AMQP_REPLY_CODES: Readonly<Record<number, AmqpReplyRow>> = {
  311: {
    name: 'CONTENT_TOO_LARGE',
    exit: ExitCode.USAGE,
    hint: 'the message is larger than the broker accepts (max_message_size)',
  },
  312: { name: 'NO_ROUTE', exit: ExitCode.FAILURE, hint: 'no queue is bound for this routing key' },
  313: { name: 'NO_CONSUMERS', exit: ExitCode.FAILURE, hint: 'the queue has no consumer to deliver to' },
  320: {
    name: 'CONNECTION_FORCED',
    exit: ExitCode.UNAVAILABLE,
    hint: 'the broker closed the connection (shutdown, restart or an operator): try again',
  },
  402: { name: 'INVALID_PATH', exit: ExitCode.USAGE, hint: 'check --vhost' },
  403: {
    name: 'ACCESS_REFUSED',
    exit: ExitCode.AUTH,
    hint: "check the user's permissions (configure, write, read) on the vhost",
    connectHint: CREDENTIALS,
  },
  404: {
    name: 'NOT_FOUND',
    exit: ExitCode.NOT_FOUND,
    hint: 'check the name and --vhost (mqctl queue list, mqctl exchange list)',
  },
  405: {
    name: 'RESOURCE_LOCKED',
    exit: ExitCode.FAILURE,
    hint: 'an exclusive queue is in use by another connection',
  },
  406: {
    name: 'PRECONDITION_FAILED',
    exit: ExitCode.USAGE,
    hint: 'it exists with other settings: declare it with the same arguments, or delete it first',
  },
  501: { name: 'FRAME_ERROR', exit: ExitCode.FAILURE, hint: PROTOCOL },
  502: { name: 'SYNTAX_ERROR', exit: ExitCode.FAILURE, hint: PROTOCOL },
  503: { name: 'COMMAND_INVALID', exit: ExitCode.FAILURE, hint: PROTOCOL },
  504: { name: 'CHANNEL_ERROR', exit: ExitCode.FAILURE, hint: PROTOCOL },
  505: { name: 'UNEXPECTED_FRAME', exit: ExitCode.FAILURE, hint: PROTOCOL },
  506: {
    name: 'RESOURCE_ERROR',
    exit: ExitCode.UNAVAILABLE,
    hint: 'the broker is short of a resource (memory, disk, channels): try again later',
  },
  530: {
    name: 'NOT_ALLOWED',
    exit: ExitCode.AUTH,
    hint: 'check that the vhost exists and the user may use it (--vhost; rabbitmqctl list_permissions -p VHOST)',
  },
  540: { name: 'NOT_IMPLEMENTED', exit: ExitCode.FAILURE, hint: PROTOCOL },
  541: {
    name: 'INTERNAL_ERROR',
    exit: ExitCode.UNAVAILABLE,
    hint: 'the broker reported an internal error (see its log): try again',
  },
};

/**
 * amqplib's own errors that carry no reply code: the connection or channel went away under it. Matched on
 * amqplib's fixed texts (lib/connection.js, lib/channel.js, lib/connect.js), never on the broker's.
 */
export const AMQPLIB_CONNECTION_LOST: readonly RegExp[] = [
  /^Socket closed abruptly during opening handshake$/,
  /^Unexpected close$/,
  /^Heartbeat timeout$/,
  /^channel closed$/,
  /^Channel ended, no reply will be forthcoming$/,
  /^Connection closed \(by client\)$/,
  /^connect ETIMEDOUT$/,
];

interface AmqpLikeError extends Error {
  code?: string | number;
}

/**
 * The reply code of an amqplib error: `code` on channel and connection closes; in the handshake amqplib only
 * formats it into the text ("Handshake terminated by server: 403 (ACCESS-REFUSED) with message …"), and on
 * connection.open it drops it ("Expected ConnectionOpenOk; got <ConnectionClose channel:0>"), where RabbitMQ
 * only ever answers 530 NOT_ALLOWED (no such vhost, access to it refused, connection limit).
 */
export function amqpReplyCode(error: unknown): number | undefined {
  const err = error as AmqpLikeError | undefined;
  if (typeof err?.code === 'number') return err.code;
  const message = typeof err?.message === 'string' ? err.message : '';
  const formatted = /^Handshake terminated by server: (\d{3}) \(/.exec(message);
  if (formatted) return Number(formatted[1]);
  if (/^Expected ConnectionOpenOk; got <ConnectionClose\b/.test(message)) return 530;
  return undefined;
}

/** The broker's reply text, from amqplib's `… with message "TEXT"` (or the message's first line). */
function replyText(message: string): string {
  const quoted = / with message "(.*)"$/s.exec(message);
  return (quoted?.[1] ?? message).split('\n')[0] ?? message;
}

/**
 * Maps amqplib errors to mqctl's error tree: the reply code through AMQP_REPLY_CODES, network errors (a
 * socket code such as ECONNREFUSED, or amqplib's connection-lost texts) to 69, anything else to 1.
 * `vhost`, when given, is named for refusals at connect time.
 */
export function mapAmqpError(error: unknown, target: string, vhost?: string): MqctlError {
  if (error instanceof MqctlError) return error;
  const err = error as AmqpLikeError;
  const message = err?.message ?? String(error);
  const code = amqpReplyCode(err);
  const row = code === undefined ? undefined : AMQP_REPLY_CODES[code];
  if (code !== undefined && row) {
    const connecting = typeof err.code !== 'number';
    const text =
      code === 530 && connecting && !/ with message /.test(message) ? undefined : replyText(message);
    if (connecting && code === 403)
      return new AuthError(`RabbitMQ at ${target} refused the login: ${text}`, { hint: row.connectHint });
    if (connecting && code === 530)
      return new AuthError(
        `RabbitMQ at ${target} refused the connection to vhost ${vhost === undefined ? '' : `"${vhost}" `}(${row.name}${text ? `: ${text}` : ''})`,
        { hint: row.hint },
      );
    return errorForExitCode(row.exit, `RabbitMQ at ${target}: ${text} (reply code ${code})`, {
      hint: row.hint,
      cause: error,
    });
  }
  const tls = tlsFailure(error, `RabbitMQ at ${target}`);
  if (tls) return tls;
  if (typeof err?.code === 'string' || AMQPLIB_CONNECTION_LOST.some((re) => re.test(message))) {
    return new UnavailableError(
      `cannot reach RabbitMQ at ${target} (${typeof err?.code === 'string' ? err.code : message.split('\n')[0]})`,
      {
        hint: 'is the broker running and --url right? (the address comes from flags, MQCTL_* variables or the context: mqctl context list)',
        cause: error,
      },
    );
  }
  return new MqctlError(`RabbitMQ error: ${message.split('\n')[0]}`, ExitCode.FAILURE, { cause: error });
}
