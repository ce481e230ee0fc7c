import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { tempDir } from './tmp';

/**
 * The CLI every test runs: this tree's bin/run.js, or MQCTL_TEST_BIN (another tree's bin/run.js: how the
 * bad-input table was run against the pre-fix tree, docs/DEVELOPING.md "Tests").
 */
export const BIN = process.env.MQCTL_TEST_BIN
  ? resolve(process.env.MQCTL_TEST_BIN)
  : resolve(__dirname, '..', '..', '..', 'bin', 'run.js');

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
  /** Working directory (default: the test runner's). */
  cwd?: string;
}

/** A config directory of its own per test, so tests never read or write the user's contexts. */
export function isolatedConfigEnv(): Record<string, string> {
  const dir = tempDir('mqctl-test-');
  return { XDG_CONFIG_HOME: dir, MQCTL_CONFIG: join(dir, 'mqctl', 'config.yaml') };
}

/** What one spawn produced: its streams and the files it was told to write (results, reports, JUnit...). */
export interface RecordedRun {
  args: string[];
  stdout: string;
  stderr: string;
  files: Record<string, string>;
  /** the exit code, when the recorder knows it (runCli) */
  code?: number | null;
}

/** Every run of this process, in order: a test can grep them all (for test secrets, say). */
export const recordedRuns: RecordedRun[] = [];

/** Flags whose value is a file mqctl writes. */
const OUTPUT_FILE_FLAGS = new Set([
  '--result',
  '--report',
  '--junit',
  '--summary-md',
  '--hdr-log',
  '--hgrm',
  '--export',
]);

function readOutputFile(files: Record<string, string>, path: string): void {
  try {
    if (existsSync(path) && statSync(path).isFile() && statSync(path).size < 32 * 1024 * 1024)
      files[path] = readFileSync(path, 'utf8');
  } catch {
    // unreadable: nothing was written there
  }
}

/**
 * The files a run wrote: each output flag's file and its siblings `FILE.*` (--hgrm writes FILE.<histogram>.hgrm
 * too), and $GITHUB_STEP_SUMMARY when the run was given one.
 */
function outputFilesOf(
  args: readonly string[],
  env?: Record<string, string | undefined>,
): Record<string, string> {
  const files: Record<string, string> = {};
  args.forEach((arg, i) => {
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    if (!OUTPUT_FILE_FLAGS.has(flag!)) return;
    const path = inline ?? args[i + 1];
    if (!path || path === '-') return;
    readOutputFile(files, path);
    try {
      for (const sibling of readdirSync(dirname(path)))
        if (sibling.startsWith(`${basename(path)}.`)) readOutputFile(files, join(dirname(path), sibling));
    } catch {
      // no directory: nothing was written there
    }
  });
  if (env?.GITHUB_STEP_SUMMARY) readOutputFile(files, env.GITHUB_STEP_SUMMARY);
  return files;
}

/**
 * Keeps what a run produced: in memory for this test file, and (when MQCTL_TEST_OUTPUT_DIR is set, as
 * scripts/test.sh does) in a JSON-lines file there, for the suite's final secret grep
 * (test/zz-secrets.test.ts). runCli, recordChild and runOnTty call it; a test that runs mqctl through a
 * shell calls it with the shell's output and the files the run wrote (`files`).
 */
export function recordRun(
  args: string[],
  stdout: string,
  stderr: string,
  options: { env?: Record<string, string | undefined>; files?: string[]; code?: number | null } = {},
): void {
  const files = outputFilesOf(args, options.env);
  for (const path of options.files ?? []) readOutputFile(files, path);
  const run: RecordedRun = { args, stdout, stderr, files, code: options.code };
  recordedRuns.push(run);
  const dir = process.env.MQCTL_TEST_OUTPUT_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, `outputs-${process.pid}.jsonl`), `${JSON.stringify(run)}\n`);
  }
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
      cwd: options.cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      recordRun(args, stdout, stderr, { env: options.env, code });
      resolvePromise({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * For the runs of bin/run.js a test spawns itself (to signal, kill or time them): records the child's
 * streams when it closes, as runCli does, so the suite's secret grep sees them too (its arguments are the
 * spawn's, node and the script left out). Pass the child's environment when it sets $GITHUB_STEP_SUMMARY.
 * Returns the child.
 */
export function recordChild<T extends ChildProcess>(child: T, env?: Record<string, string | undefined>): T {
  const args = child.spawnargs.slice(1);
  if (args[0]?.endsWith('run.js')) args.shift();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.on('close', () => recordRun(args, stdout, stderr, { env }));
  return child;
}

/**
 * Runs bin/run.js on a pseudo-terminal (util-linux `script`) and types `answer` (and Enter) once the
 * `[y/N]` prompt shows: what a person at a terminal sees, stdout and stderr together (carriage returns
 * removed). The config directory is an isolated one unless `env` names another. Recorded like runCli.
 */
export function runOnTty(
  args: string[],
  answer: string,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ code: number | null; output: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qec', quoted, '/dev/null'], {
      env: { ...process.env, ...(options.env ?? isolatedConfigEnv()), NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let answered = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!answered && /\[y\/N\]/.test(output)) {
        answered = true;
        child.stdin.write(`${answer}\r`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) =>
      reject(new Error(`cannot run util-linux script for a pseudo-terminal: ${error.message}`)),
    );
    child.on('close', (code) => {
      clearTimeout(timer);
      recordRun(args, output, '', { env: options.env });
      resolvePromise({ code, output: output.replace(/\r/g, '') });
    });
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

/**
 * What a run of `args` costs before it can touch the network: the same command with an unknown flag, which
 * loads the command and exits 2 at parsing. "Exit 69 within the timeout" is then checked as
 * durationMs <= timeout + this start-up + a fixed grace, not against a multiple of the timeout (#18 item 7).
 */
export async function cliStartupMs(args: string[], env?: Record<string, string>): Promise<number> {
  const r = await runCli([...args, '--no-such-flag-for-startup'], { env });
  if (r.code !== 2) throw new Error(`start-up probe: exit ${r.code}, wanted 2: ${r.stderr}`);
  return r.durationMs;
}

/** Grace over timeout + start-up for "within the timeout": process exit and a busy 2-core machine. */
export const TIMEOUT_GRACE_MS = 1500;

/** Asserts the run ended within its --timeout plus the command's start-up and a fixed grace. */
export function assertWithinTimeout(result: CliResult, timeoutMs: number, startupMs: number): void {
  const bound = timeoutMs + startupMs + TIMEOUT_GRACE_MS;
  assert.ok(
    result.durationMs <= bound,
    `took ${result.durationMs} ms; --timeout ${timeoutMs} ms + start-up ${startupMs} ms + grace ${TIMEOUT_GRACE_MS} ms = ${bound} ms`,
  );
}

/**
 * Exit code; when not 0, exactly one error line (`Error: ...`, after the `target:` line writes print before
 * they act) and no stack trace; `stderr` must match too when given.
 */
export function expectExit(result: CliResult, code: number, stderr?: RegExp): void {
  assert.equal(result.code, code, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  if (code !== 0) {
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('target: '));
    assert.equal(lines.length, 1, `one error line, got:\n${result.stderr}`);
    assert.match(lines[0]!, /^Error: /);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    if (stderr) assert.match(result.stderr, stderr);
  }
}
