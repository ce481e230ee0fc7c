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
  '99': 'a perf gate or lag threshold failed',
  '130': 'interrupted (Ctrl-C) after printing a partial summary',
};

export interface MqctlErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Whether retrying the same call may succeed (network blips, leader moves). */
  retriable?: boolean;
}

export class MqctlError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  readonly retriable: boolean;

  constructor(message: string, exitCode: number = ExitCode.FAILURE, options: MqctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.retriable = options.retriable ?? false;
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
    super(message, ExitCode.UNAVAILABLE, { retriable: true, ...options });
  }
}

export class AuthError extends MqctlError {
  constructor(message: string, options: MqctlErrorOptions = {}) {
    super(message, ExitCode.AUTH, options);
  }
}

/** A perf gate or a lag threshold failed: the run worked, the verdict is "no". */
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

export function isMqctlError(error: unknown): error is MqctlError {
  return error instanceof MqctlError;
}

/** One line: the message, then the hint after an em dash. Never a stack trace. */
export function formatErrorLine(error: unknown): string {
  if (isMqctlError(error)) {
    return error.hint ? `${error.message} — ${error.hint}` : error.message;
  }
  if (error instanceof Error) return error.message.split('\n')[0] ?? String(error);
  return String(error);
}
