/**
 * The error tree every layer throws. Each class carries the exit code users and CI scripts rely on
 * (documented in the README and in every command's --help), and an optional hint: what to try next.
 */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  UNAVAILABLE: 69,
  AUTH: 77,
  THRESHOLD: 99,
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_HELP: Record<string, string> = {
  '0': 'success; all gates and thresholds passed',
  '1': 'unexpected failure',
  '2': 'usage error or invalid input',
  '3': 'not found (topic, group, queue, context)',
  '69': 'broker unreachable or not ready',
  '77': 'authentication or authorisation refused',
  '99': 'a check said no: perf gate, lag threshold, verify gate, or schema compatibility',
  '130': 'interrupted (Ctrl-C) after printing a partial summary',
};

export interface MqctlErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class MqctlError extends Error {
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, exitCode: number = ExitCode.FAILURE, options: MqctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

export class UsageError extends MqctlError {
  constructor(message: string, options: MqctlErrorOptions = {}) {
    super(message, ExitCode.USAGE, options);
  }
}

export class NotFoundError extends MqctlError {
  constructor(message: string, options: MqctlErrorOptions = {}) {
    super(message, ExitCode.NOT_FOUND, options);
  }
}

export class UnavailableError extends MqctlError {
  constructor(message: string, options: MqctlErrorOptions = {}) {
    super(message, ExitCode.UNAVAILABLE, options);
  }
}

export class AuthError extends MqctlError {
  constructor(message: string, options: MqctlErrorOptions = {}) {
    super(message, ExitCode.AUTH, options);
  }
}

/** A check said no (perf gate, lag threshold, verify gate, schema compatibility): the run worked, the verdict is "no". */
export class ThresholdError extends MqctlError {
  constructor(message: string, options: MqctlErrorOptions = {}) {
    super(message, ExitCode.THRESHOLD, options);
  }
}

export class InterruptedError extends MqctlError {
  constructor(message = 'interrupted', options: MqctlErrorOptions = {}) {
    super(message, ExitCode.INTERRUPTED, options);
  }
}

/** A capability the broker kind does not have (e.g. `topic create` on RabbitMQ). */
export class UnsupportedError extends UsageError {}

/**
 * The error class for an exit code: the broker error tables (src/brokers/…/errors.ts, http.ts) map a broker's
 * code to an exit code, and this picks the class, so `instanceof NotFoundError` holds for a mapped 404.
 */
export function errorForExitCode(
  exitCode: number,
  message: string,
  options: MqctlErrorOptions = {},
): MqctlError {
  switch (exitCode) {
    case ExitCode.USAGE:
      return new UsageError(message, options);
    case ExitCode.NOT_FOUND:
      return new NotFoundError(message, options);
    case ExitCode.UNAVAILABLE:
      return new UnavailableError(message, options);
    case ExitCode.AUTH:
      return new AuthError(message, options);
    default:
      return new MqctlError(message, exitCode, options);
  }
}

export function isMqctlError(error: unknown): error is MqctlError {
  return error instanceof MqctlError;
}

/** Line breaks inside a message (a parser quoting the input it choked on) would break the one-line rule. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** One line: the message, then the hint after an em dash. Never a stack trace. */
export function formatErrorLine(error: unknown): string {
  if (isMqctlError(error)) {
    return oneLine(error.hint ? `${error.message} — ${error.hint}` : error.message);
  }
  if (error instanceof Error) return error.message.split('\n')[0] ?? String(error);
  return String(error);
}

/**
 * Parses one flag's value; a usage error the parser throws names the flag, so a command with several flags
 * of one type (durations, sizes, rates) says which value is wrong: `--linger: invalid duration "x"`.
 */
export function forFlag<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageError && !error.message.includes(flag)) {
      throw new UsageError(`${flag}: ${error.message}`, { hint: error.hint, cause: error });
    }
    throw error;
  }
}
