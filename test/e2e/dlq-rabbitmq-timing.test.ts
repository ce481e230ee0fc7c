import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { cpus, loadavg } from 'node:os';
import * as amqp from 'amqplib';
import { LOCAL, requireRabbit, uniqueName } from '../helpers/brokers';
import { BIN, recordChild, isolatedConfigEnv } from '../helpers/cli';
import { rabbitCleanup } from '../helpers/dlq-fixtures';

/**
 * The suite replays 2,000 messages; the acceptance run (5,000) is MQCTL_RABBIT_TIMING_MESSAGES=5000.
 * Every run passes --timeout 30000: a timer left pending (the bug: one per run, --timeout long) would hold the
 * process 30 s after its summary, so "exits within 10 s" separates that cleanly even on the shared 2-core test
 * machine, where Node's own teardown measured 0.1-3.7 s at load 20-25. The replay itself is held to 1 s: wall
 * time from its start to its summary vs the summary's elapsed time.
 */
const TIMEOUT_MS = 30_000;
const BOUND_MS = 10_000;
const MESSAGES = Number(process.env.MQCTL_RABBIT_TIMING_MESSAGES ?? 2000);

interface Timed {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the "replaying ..." note on stderr (the replay begins) to the summary on stdout. */
  replayWallMs: number;
  /** From the summary on stdout to the process exit (a pending timer used to hold the process here). */
  exitAfterSummaryMs: number;
  /** From the signal sent (if any) to the summary, and to the process exit. */
  summaryAfterSignalMs?: number;
  exitAfterSignalMs?: number;
}

/** Runs the CLI, timing the replay as a user sees it; optionally sends SIGINT `interruptAfterMs` into it. */
function timedReplay(args: string[], env: Record<string, string>, interruptAfterMs?: number): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const child = recordChild(
      spawn(process.execPath, [BIN, ...args, '--timeout', `${TIMEOUT_MS}ms`], {
        env: { ...process.env, ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    let noteAt: number | undefined;
    let signalAt: number | undefined;
    let summaryAt: number | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (c: Buffer) => {
      summaryAt ??= performance.now();
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (noteAt === undefined && /replaying /.test(stderr)) {
        noteAt = performance.now();
        if (interruptAfterMs !== undefined)
          setTimeout(() => {
            signalAt = performance.now();
            child.kill('SIGINT');
          }, interruptAfterMs);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const end = performance.now();
      clearTimeout(guard);
      resolve({
        code,
        stdout,
        stderr,
        replayWallMs: noteAt === undefined || summaryAt === undefined ? NaN : summaryAt - noteAt,
        exitAfterSummaryMs: summaryAt === undefined ? NaN : end - summaryAt,
        summaryAfterSignalMs:
          signalAt === undefined || summaryAt === undefined ? undefined : summaryAt - signalAt,
        exitAfterSignalMs: signalAt === undefined ? undefined : end - signalAt,
      });
    });
  });
}

describe('dlq replay on RabbitMQ: wall time matches the summary; Ctrl-C is prompt', () => {
  const base = uniqueName('dlq-rtiming');
  const names = { source: `${base}.src`, dlx: `${base}.dlx`, dlq: `${base}.dlq`, target: `${base}.target` };
  const empty = `${base}.empty.dlq`;
  const env = isolatedConfigEnv();

  before(async () => {
    await requireRabbit();
    const conn = await amqp.connect(LOCAL.rabbitmq.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange(names.dlx, 'fanout', { durable: true });
    await ch.assertQueue(names.dlq, { durable: true });
    await ch.assertQueue(empty, { durable: true });
    await ch.bindQueue(names.dlq, names.dlx, '');
    await ch.assertQueue(names.target, { durable: true });
    // TTL 0 and no consumer: the broker dead-letters every message at once (reason "expired").
    await ch.assertQueue(names.source, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': names.dlx, 'x-message-ttl': 0 },
    });
    for (let i = 0; i < MESSAGES; i++) {
      ch.sendToQueue(names.source, Buffer.from(JSON.stringify({ i })), { persistent: true });
      if (i % 1000 === 999) await ch.waitForConfirms();
    }
    await ch.waitForConfirms();
    const deadline = Date.now() + 60_000;
    while ((await ch.checkQueue(names.dlq)).messageCount < MESSAGES && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await conn.close();
  });

  after(async () => {
    await rabbitCleanup(LOCAL.rabbitmq.url, [names.source, names.dlq, names.target, empty], [names.dlx]);
  });

  it(
    'an empty DLQ: the process exits without waiting out --timeout after the summary',
    { timeout: 60_000 },
    async () => {
      const r = await timedReplay(
        ['dlq', 'replay', empty, '--kind', 'rabbitmq', '--to', names.target, '-o', 'json'],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout) as { elapsedMs: number; replayed: number };
      assert.equal(summary.replayed, 0);
      process.stderr.write(
        `rabbitmq empty replay: wall ${r.replayWallMs.toFixed(0)} ms, summary ${summary.elapsedMs} ms, exit ${r.exitAfterSummaryMs.toFixed(0)} ms after it\n`,
      );
      assert.ok(
        r.replayWallMs - summary.elapsedMs < 1000,
        `wall ${r.replayWallMs} ms vs summary ${summary.elapsedMs} ms`,
      );
      assert.ok(r.exitAfterSummaryMs < BOUND_MS, `exit ${r.exitAfterSummaryMs} ms after the summary`);
    },
  );

  it(
    `Ctrl-C during a replay exits 130 within 1 s, with its summary; nothing lost, nothing copied twice`,
    { timeout: 60_000 },
    async () => {
      const r = await timedReplay(
        [
          'dlq',
          'replay',
          names.dlq,
          '--kind',
          'rabbitmq',
          '--to',
          names.target,
          '--rate',
          '100',
          '-o',
          'json',
        ],
        env,
        1500,
      );
      assert.equal(r.code, 130, r.stderr);
      const summary = JSON.parse(r.stdout) as { interrupted: boolean; replayed: number };
      assert.equal(summary.interrupted, true);
      process.stderr.write(
        `rabbitmq Ctrl-C: summary ${r.summaryAfterSignalMs!.toFixed(0)} ms, exit ${r.exitAfterSignalMs!.toFixed(0)} ms after SIGINT (load average ${loadavg()[0]!.toFixed(1)})\n`,
      );
      // Every message is in one place: copied (the summary's count, in the target) or back in the DLQ.
      const conn = await amqp.connect(LOCAL.rabbitmq.url);
      const ch = await conn.createChannel();
      const inTarget = (await ch.checkQueue(names.target)).messageCount;
      const inDlq = (await ch.checkQueue(names.dlq)).messageCount;
      await conn.close();
      assert.ok(summary.replayed > 0, 'the interrupt landed mid-replay');
      assert.equal(inTarget, summary.replayed, `target ${inTarget}, summary ${summary.replayed}`);
      assert.equal(inTarget + inDlq, MESSAGES, `target ${inTarget} + DLQ ${inDlq}`);
      assert.ok(
        r.exitAfterSignalMs! < 1000,
        `exit ${r.exitAfterSignalMs!.toFixed(0)} ms after SIGINT (summary after ${r.summaryAfterSignalMs!.toFixed(0)} ms; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`,
      );
    },
  );

  it(
    `a replay of the rest (${MESSAGES} messages at most): wall time within 1 s of the summary`,
    { timeout: 120_000 },
    async () => {
      const r = await timedReplay(
        ['dlq', 'replay', names.dlq, '--kind', 'rabbitmq', '--to', names.target, '-o', 'json'],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout) as { elapsedMs: number; replayed: number };
      const conn = await amqp.connect(LOCAL.rabbitmq.url);
      const ch = await conn.createChannel();
      const inTarget = (await ch.checkQueue(names.target)).messageCount;
      const inDlq = (await ch.checkQueue(names.dlq)).messageCount;
      await conn.close();
      assert.equal(inDlq, 0);
      assert.equal(inTarget, MESSAGES, `target holds ${inTarget}`);
      process.stderr.write(
        `rabbitmq replay of ${summary.replayed}: wall ${r.replayWallMs.toFixed(0)} ms, summary ${summary.elapsedMs} ms, exit ${r.exitAfterSummaryMs.toFixed(0)} ms after it\n`,
      );
      assert.ok(
        r.replayWallMs - summary.elapsedMs < 1000,
        `wall ${r.replayWallMs} ms vs summary ${summary.elapsedMs} ms`,
      );
      assert.ok(r.exitAfterSummaryMs < BOUND_MS, `exit ${r.exitAfterSummaryMs} ms after the summary`);
    },
  );
});
