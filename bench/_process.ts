/** What the benchmarks share: running a command with a deadline and timing it, and finding the reference tools. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export interface ProcessRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** wall time, milliseconds */
  ms: number;
}

/** Runs a command to completion (SIGKILL after `timeoutMs`), capturing its output and wall time. */
export function runProcess(cmd: string, args: string[], timeoutMs = 600_000): Promise<ProcessRun> {
  const started = process.hrtime.bigint();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
  });
}

/** scripts/reftools.sh (the reference tools from Maven Central), or $MQCTL_REFTOOLS / $REFTOOLS. */
export function reftoolsPath(): string {
  const path = process.env.MQCTL_REFTOOLS ?? process.env.REFTOOLS ?? resolve(ROOT, 'scripts', 'reftools.sh');
  if (!existsSync(path)) throw new Error(`reference tools script not found at ${path}; set MQCTL_REFTOOLS`);
  return path;
}
