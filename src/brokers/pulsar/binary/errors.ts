import { ExitCode, errorForExitCode, type MqctlError } from '../../../core/errors';
import { SERVER_ERROR_NAMES, ServerError } from './proto';

export interface ServerErrorRow {
  exit: number;
  hint?: string;
}

const TOKEN = 'check the token (--token, or the context token / tokenEnv)';

/** Pulsar ServerError codes (PulsarApi.proto) and the exit code each becomes; any other code is exit 1. */
export const PULSAR_SERVER_ERRORS: Readonly<Record<number, ServerErrorRow>> = {
  [ServerError.AuthenticationError]: { exit: ExitCode.AUTH, hint: TOKEN },
  [ServerError.AuthorizationError]: { exit: ExitCode.AUTH, hint: TOKEN },
  [ServerError.TopicNotFound]: {
    exit: ExitCode.NOT_FOUND,
    hint: 'create the topic first, or pass --create-topic',
  },
  [ServerError.SubscriptionNotFound]: {
    exit: ExitCode.NOT_FOUND,
    hint: 'create the topic first, or pass --create-topic',
  },
  [ServerError.InvalidTopicName]: {
    exit: ExitCode.NOT_FOUND,
    hint: 'create the topic first, or pass --create-topic',
  },
  [ServerError.ServiceNotReady]: { exit: ExitCode.UNAVAILABLE },
  [ServerError.TooManyRequests]: { exit: ExitCode.UNAVAILABLE },
  [ServerError.MetadataError]: { exit: ExitCode.UNAVAILABLE },
  [ServerError.PersistenceError]: { exit: ExitCode.UNAVAILABLE },
};

/** A broker's ServerError code and message as one of mqctl's error classes (exit codes 77, 3, 69, 1). */
export function serverError(code: number, message: string, what: string, target: string): MqctlError {
  const name = SERVER_ERROR_NAMES[code] ?? `error ${code}`;
  const text = `${what}: Pulsar at ${target} answered ${name}${message ? ` (${message})` : ''}`;
  const row = PULSAR_SERVER_ERRORS[code] ?? { exit: ExitCode.FAILURE };
  return errorForExitCode(row.exit, text, { hint: row.hint });
}
