import { EXIT_CODE_HELP } from '../core/errors';
import { redact, registerSecretsInArgv } from '../core/redact';
import { parseErrorLine } from './parse-errors';

/**
 * Last line of defence for errors raised before a command's own catch runs (oclif parse errors, unknown
 * commands, a broken install). Prints one line, no stack trace unless --debug or MQCTL_DEBUG is set.
 */
export function handleTopLevelError(error: unknown): void {
  const err = error as { oclif?: { exit?: number }; code?: string; message?: string; stack?: string };
  const exit = err?.oclif?.exit;
  if (err?.code === 'EEXIT' || (exit === 0 && !err?.message)) {
    process.exitCode = exit ?? 0;
    return;
  }
  const debug = process.argv.includes('--debug') || Boolean(process.env.MQCTL_DEBUG);
  registerSecretsInArgv(process.argv.slice(2));
  const line = parseErrorLine({ ...(err as object), message: err?.message ?? String(error) });
  process.stderr.write(redact(`Error: ${line.replace(/^Error:\s*/, '')}`) + '\n');
  if (debug && err?.stack) process.stderr.write(`${redact(err.stack)}\n`);
  // oclif uses 2 for parse errors; anything else unknown is a plain failure.
  process.exitCode =
    typeof exit === 'number' && exit in EXIT_CODE_HELP ? exit : exit === 127 ? 2 : (exit ?? 1);
}
