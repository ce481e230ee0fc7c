import { spawn } from 'node:child_process';
import { UsageError } from '../core/errors';
import { parseDuration } from '../util/duration';

/**
 * `--fault 'at=20s cmd=docker kill rabbit-2'`: a command of the user's, run by /bin/sh at a moment of the
 * run (seconds after the producer started), marked on the timeline with its exit code and output. The
 * command comes only from the user's flag; mqctl never makes one up.
 */
export interface FaultSpec {
  /** ms after the producer started */
  atMs: number;
  command: string;
  /** kill the command after this long */
  timeoutMs: number;
}

export interface FaultRecord {
  command: string;
  /** seconds since the run started */
  at: number;
  ended: number;
  exitCode: number | null;
  signal: string | null;
  /** last 2,000 characters of stdout and stderr together */
  output: string;
}

const OUTPUT_KEEP = 2000;

/** Parses `at=DURATION [timeout=DURATION] cmd=COMMAND...` (cmd last: the rest of the text is the command). */
export function parseFault(text: string): FaultSpec {
  const m = /^\s*((?:\w+=\S+\s+)*?)cmd=(.+)$/s.exec(text);
  if (!m || !m[2]!.trim())
    throw new UsageError(`invalid --fault "${text}": no cmd=`, {
      hint: "e.g. --fault 'at=20s cmd=docker kill kafka-2' (any shell command, run with /bin/sh -c)",
    });
  const fields = new Map<string, string>();
  for (const part of m[1]!.trim().split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  for (const name of fields.keys())
    if (name !== 'at' && name !== 'timeout')
      throw new UsageError(
        `invalid --fault "${text}": unknown field ${name}= (expected at=, timeout=, cmd=)`,
      );
  const at = fields.get('at');
  if (at === undefined) throw new UsageError(`invalid --fault "${text}": no at= (e.g. at=20s)`);
  const timeout = fields.get('timeout');
  const duration = (field: string, value: string): number => {
    try {
      return parseDuration(value);
    } catch {
      throw new UsageError(`invalid --fault "${text}": ${field}=${value} is not a duration`, {
        hint: 'e.g. at=20s timeout=60s',
      });
    }
  };
  return {
    atMs: duration('at', at),
    command: m[2]!.trim(),
    timeoutMs: timeout === undefined ? 120_000 : duration('timeout', timeout),
  };
}

/** Runs one fault command; never throws (a failing command is recorded, not fatal). */
export function runFault(spec: FaultSpec, runStartMs: number): Promise<FaultRecord> {
  const at = (Date.now() - runStartMs) / 1000;
  return new Promise((resolve) => {
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
    };
    const child = spawn('/bin/sh', ['-c', spec.command], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), spec.timeoutMs);
    const finish = (exitCode: number | null, signal: string | null) => {
      clearTimeout(timer);
      resolve({
        command: spec.command,
        at,
        ended: (Date.now() - runStartMs) / 1000,
        exitCode,
        signal,
        output: output.trim(),
      });
    };
    child.on('error', (error) => {
      output += `\n${error.message}`;
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}
