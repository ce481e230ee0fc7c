import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from '../../src/brokers/kafka/kafkajs';
import { buildFilter } from '../../src/dlq/filter';
import { replayJobId } from '../../src/dlq/replay';
import { LOCAL, requireKafka, uniqueName } from '../helpers/brokers';
import { spawn } from 'node:child_process';
import { BIN, recordChild, isolatedConfigEnv, runCli, type CliResult } from '../helpers/cli';
import {
  createTopics,
  deleteTopics,
  produceAll,
  readAllCommitted,
  springDltHeaders,
} from '../helpers/dlq-fixtures';
import { forgetReplayProgress } from '../helpers/leftovers';

const kafka = new Kafka({
  brokers: [LOCAL.kafka.brokers],
  clientId: 'dlq-overlap',
  logLevel: logLevel.NOTHING,
});

/**
 * Two runs of the same replay job that overlap (cron overlap, two operators, a retried CI job). The suite
 * runs 1 trial of 6,000 records; the acceptance trials (5 × 20,000) are run by hand with
 * MQCTL_OVERLAP_TRIALS=5 MQCTL_OVERLAP_RECORDS=20000.
 */
const TRIALS = Number(process.env.MQCTL_OVERLAP_TRIALS ?? 1);
const RECORDS = Number(process.env.MQCTL_OVERLAP_RECORDS ?? 6000);
/**
 * Each run would take ~30 s alone, so the second (started 1-3 s into the first's replay, then its own start-up,
 * up to ~13 s on the loaded test machine) overlaps it: the test checks the first was fenced.
 */
const RATE = Math.round(RECORDS / 30);

/** Starts the CLI; `started` resolves when its "replaying ..." note shows the replay began. */
function startCli(
  args: string[],
  env: Record<string, string>,
): { started: Promise<void>; done: Promise<CliResult> } {
  const t0 = Date.now();
  const child = recordChild(
    spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (/replaying /.test(stderr)) markStarted();
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      markStarted();
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - t0 });
    });
  });
  return { started, done };
}

describe('dlq replay on Kafka: overlapping runs of one job copy each record once', () => {
  const env = isolatedConfigEnv();
  const created: string[] = [];

  before(async () => {
    await requireKafka();
  });

  after(async () => {
    await forgetReplayProgress(created);
    await deleteTopics(kafka, created);
  });

  it(
    `a second run started 1-3 s after the first fences it: 0 duplicates, 0 lost (${TRIALS} trials of ${RECORDS})`,
    {
      timeout: 120_000 + TRIALS * 300_000,
    },
    async () => {
      const report: string[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        const origin = uniqueName('dlq-overlap');
        const dlq = `${origin}-dlt`;
        created.push(origin, dlq);
        await createTopics(kafka, [
          { topic: origin, partitions: 3 },
          { topic: dlq, partitions: 3 },
        ]);
        await produceAll(
          kafka,
          dlq,
          Array.from({ length: RECORDS }, (_, i) => ({
            key: `k${i}`,
            value: JSON.stringify({ i }),
            partition: i % 3,
            headers: springDltHeaders({
              topic: origin,
              partition: i % 3,
              offset: i,
              exceptionClass: 'java.net.SocketTimeoutException',
              exceptionMessage: `failure ${i}`,
            }),
          })),
        );
        const args = ['dlq', 'replay', dlq, '--kind', 'kafka', '--rate', String(RATE), '--output', 'json'];
        const gapMs = 1000 + Math.floor(Math.random() * 2000);
        const first = startCli(args, env);
        await first.started;
        // 1-3 s after the first run's first commit: its replay is under way (start-up and the reader's group
        // join took over 20 s at load 30 on the shared test machine, so a clock from spawn proved nothing).
        const jobId = replayJobId(dlq, undefined, buildFilter({}), 3);
        const committed = async (): Promise<boolean> => {
          const admin = kafka.admin();
          await admin.connect();
          try {
            const offsets = await admin.fetchOffsets({ groupId: jobId, topics: [dlq] });
            return offsets.some((t) => t.partitions.some((p) => Number(p.offset) > 0));
          } finally {
            await admin.disconnect();
          }
        };
        for (let i = 0; i < 600 && !(await committed()); i++) await sleep(100);
        await sleep(gapMs);
        const second = startCli(args, env);
        const [a, b] = (await Promise.all([first.done, second.done])) as [CliResult, CliResult];
        // The later run wins; the earlier one, still running (it would need ~30 s), is fenced and says so.
        assert.equal(b.code, 0, `second run: ${b.stderr}`);
        // Nothing lost: a third run finds nothing left, and the target holds every record once.
        const third = await runCli(args, { env, timeoutMs: 120_000 });
        assert.equal(third.code, 0, third.stderr);
        const runs = `first: exit ${a.code} ${a.stdout} ${a.stderr}\nsecond: ${b.stdout} ${b.stderr}\nthird: ${third.stdout}`;
        assert.equal((JSON.parse(third.stdout) as { replayed: number }).replayed, 0, runs);
        const copies = await readAllCommitted(kafka, origin, 120_000);
        const seen = new Map<string, number>();
        for (const c of copies) seen.set(c.key!, (seen.get(c.key!) ?? 0) + 1);
        const duplicates = [...seen.values()].reduce((s, n) => s + n - 1, 0);
        const lost = RECORDS - seen.size;
        report.push(
          `trial ${trial + 1}: gap ${gapMs} ms, first exit ${a.code}, duplicates ${duplicates}, lost ${lost}`,
        );
        if (lost > 0) report.push(`  read ${copies.length} from ${origin}; ${runs}`);
        if (lost > 0 || duplicates > 0) process.stderr.write(report.join('\n') + '\n');
        assert.equal(duplicates, 0, `trial ${trial + 1} (gap ${gapMs} ms): ${duplicates} duplicates`);
        assert.equal(lost, 0, `trial ${trial + 1}: ${lost} lost`);
        assert.equal(a.code, 1, `first run (exit ${a.code}) was not fenced: ${a.stderr}`);
        assert.match(a.stderr, /fenced: another run of job mqctl-dlq-replay-[0-9a-f]+ started/);
        await deleteTopics(kafka, [origin, dlq]);
      }
      process.stderr.write(
        `kafka overlap test (${RECORDS} records, rate ${RATE}/s):\n  ${report.join('\n  ')}\n`,
      );
    },
  );
});
