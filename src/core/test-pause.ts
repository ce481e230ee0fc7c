import { writeSync } from 'node:fs';

/**
 * A test-only hook that freezes the process at a named step of a long operation, so that a test can SIGKILL it
 * exactly there (between a copy and its commit, around a transaction commit, between a publish confirm and the
 * ack of the DLQ message). Inert unless `MQCTL_TEST_PAUSE_AT` is set:
 *
 *   MQCTL_TEST_PAUSE_AT=<step>        freeze the first time <step> is reached
 *   MQCTL_TEST_PAUSE_AT=<step>@<n>    freeze the n-th time (1-based)
 *
 * At the step the process writes `mqctl-test-paused <step> <n> <detail JSON>` to stderr (synchronously, so the line is out
 * before the freeze) and blocks its only thread (Atomics.wait): no timer, socket callback or write runs after
 * it, as if the kernel had stopped the process there. It stays frozen for MQCTL_TEST_PAUSE_MS (default 120 s,
 * a bound for a test that forgets to kill it) and then exits 70 without doing anything else.
 * The steps are listed in docs/DEVELOPING.md.
 */
/** Every step that calls testPause; a misspelt MQCTL_TEST_PAUSE_AT fails at once rather than never pausing. */
export const TEST_PAUSE_STEPS = [
  'kafka:sent',
  'kafka:committing',
  'kafka:committed',
  'rabbitmq:published',
  'rabbitmq:committing',
  'rabbitmq:committed',
  'pulsar:sent',
  'pulsar:receipt',
] as const;
export type TestPauseStep = (typeof TEST_PAUSE_STEPS)[number];

const spec = process.env.MQCTL_TEST_PAUSE_AT;
const match = spec ? /^([a-z0-9:-]+)(?:@(\d+))?$/.exec(spec.trim()) : null;
if (spec && (!match || !(TEST_PAUSE_STEPS as readonly string[]).includes(match[1]!))) {
  writeSync(
    2,
    `Error: MQCTL_TEST_PAUSE_AT=${spec} names no step (${TEST_PAUSE_STEPS.join(', ')}; <step>@<n>)\n`,
  );
  process.exit(2);
}
const wantedStep = match?.[1];
const wantedCount = match?.[2] ? Number(match[2]) : 1;
let reached = 0;

/** The exit code of a paused process that was not killed within MQCTL_TEST_PAUSE_MS. */
export const TEST_PAUSE_EXPIRED_EXIT = 70;

let detail: Record<string, number> | undefined;

/**
 * What the engine knows at its next pause (e.g. copies committed so far and copies in the open transaction),
 * printed as JSON on the pause line so the test can compare it with the broker's state. Only stored when armed.
 */
export function setTestPauseDetail(value: () => Record<string, number>): void {
  if (wantedStep !== undefined) detail = value();
}

/** Whether MQCTL_TEST_PAUSE_AT names this step (for steps that need set-up before they can pause). */
export function testPauseArmed(step: TestPauseStep): boolean {
  return wantedStep === step;
}

export function testPause(step: TestPauseStep): void {
  if (wantedStep === undefined || step !== wantedStep) return;
  reached++;
  if (reached !== wantedCount) return;
  writeSync(2, `mqctl-test-paused ${step} ${reached} ${JSON.stringify(detail ?? {})}\n`);
  const ms = Number(process.env.MQCTL_TEST_PAUSE_MS ?? 120_000);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms > 0 ? ms : 120_000);
  writeSync(2, `mqctl-test-paused ${step}: not killed within ${ms} ms, exiting\n`);
  process.exit(TEST_PAUSE_EXPIRED_EXIT);
}
