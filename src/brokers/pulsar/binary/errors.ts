import { AuthError, MqctlError, NotFoundError, UnavailableError } from '../../../cli/errors';
import { SERVER_ERROR_NAMES, ServerError } from './proto';

/** A broker's ServerError code and message as one of mqctl's error classes (exit codes 77, 3, 69, 1). */
export function serverError(code: number, message: string, what: string, target: string): MqctlError {
  const name = SERVER_ERROR_NAMES[code] ?? `error ${code}`;
  const text = `${what}: Pulsar at ${target} answered ${name}${message ? ` (${message})` : ''}`;
  switch (code) {
    case ServerError.AuthenticationError:
    case ServerError.AuthorizationError:
      return new AuthError(text, { hint: 'check the token (--token, or the context token / tokenEnv)' });
    case ServerError.TopicNotFound:
    case ServerError.SubscriptionNotFound:
    case ServerError.InvalidTopicName:
      return new NotFoundError(text, { hint: 'create the topic first, or pass --create-topic' });
    case ServerError.ServiceNotReady:
    case ServerError.TooManyRequests:
    case ServerError.MetadataError:
    case ServerError.PersistenceError:
      return new UnavailableError(text);
    default:
      return new MqctlError(text);
  }
}
