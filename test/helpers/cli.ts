import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(__dirname, '..', '..', '..', 'bin', 'run.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  /** Kill the process after this long (the test then fails on the code). */
  timeoutMs?: number;
  input?: string;
}

/** A config directory of its own per test, so tests never read or write the user's contexts. */
export function isolatedConfigEnv(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-test-'));
  return { XDG_CONFIG_HOME: dir, MQCTL_CONFIG: join(dir, 'mqctl', 'config.yaml') };
}

/** Runs bin/run.js exactly as a user would: a child process, no TTY, stdout and stderr captured. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const child = spawn(process.execPath, [BIN, ...args], {
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Parses stdout as JSON, failing with the output in the message when it is not. */
export function parseJson<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}
