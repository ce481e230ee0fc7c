import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from '../../src/brokers/kafka/kafkajs';
import { LOCAL, requireKafka, uniqueName } from '../helpers/brokers';
import { BIN, isolatedConfigEnv, parseJson, recordChild, runCli } from '../helpers/cli';
import {
  createTopics,
  deleteTopics,
  produceAll,
  readAllCommitted,
  springDltHeaders,
} from '../helpers/dlq-fixtures';
import { forgetReplayProgress } from '../helpers/leftovers';

const kafka = new Kafka({ brokers: [LOCAL.kafka.brokers], clientId: 'dlq-cli', logLevel: logLevel.NOTHING });

interface Summary {
  replayed: number;
  skippedByFilter: number;
  interrupted: boolean;
  plan?: Array<{ key: string; target: string }>;
}

describe('mqctl dlq replay from the command line (Kafka)', () => {
  const origin = uniqueName('cli-orders');
  const dlq = `${origin}-dlt`;
  const env = isolatedConfigEnv();
  const N = 11_000;

  before(async () => {
    await requireKafka();
    await createTopics(kafka, [
      // The broker stamps each record with the time it appended it: the --rate test's clock.
      { topic: origin, partitions: 3, configs: { 'message.timestamp.type': 'LogAppendTime' } },
      { topic: dlq, partitions: 1 },
    ]);
    await produceAll(
      kafka,
      dlq,
      Array.from({ length: N }, (_, i) => ({
        key: `k${i}`,
        value: JSON.stringify({ i }),
        headers: springDltHeaders({
          topic: origin,
          partition: i % 3,
          offset: i,
          exceptionClass: 'java.util.concurrent.TimeoutException',
          exceptionMessage: 'timeout',
        }),
      })),
    );
  });

  after(async () => {
    await forgetReplayProgress([dlq]);
    await deleteTopics(kafka, [origin, dlq]);
  });

  it('--dry-run lists what would go where and exits 0', async () => {
    const r = await runCli(
      ['dlq', 'replay', dlq, '--kind', 'kafka', '--dry-run', '--plan-limit', '3', '-o', 'json'],
      {
        env,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const s = parseJson<Summary>(r);
    assert.equal(s.replayed, N);
    assert.deepEqual(
      s.plan!.map((p) => `${p.key}→${p.target}`),
      [`k0→${origin}`, `k1→${origin}`, `k2→${origin}`],
    );
  });

  it(
    '--rate 1000 holds within ±5 % over 10 s, every append within 0.5 s of one schedule, copies reaching the broker at least every 1.5 s (its append times)',
    { timeout: 120_000 },
    async () => {
      const r = await runCli(
        [
          'dlq',
          'replay',
          dlq,
          '--kind',
          'kafka',
          '--rate',
          '1000',
          '--limit',
          '10000',
          '--where',
          'key =~ ^k',
          '-o',
          'json',
        ],
        { env, timeoutMs: 90_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      const summary = parseJson<Summary & { notes: string[] }>(r);
      assert.equal(summary.replayed, 10_000);
      // A missed rate says whether mqctl itself reported falling behind (the broker or this machine slower than
      // the rate, or slow transaction commits) and how loaded the machine was, not a bare number.
      const context = `(load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores; mqctl notes: ${
        summary.notes.join(' | ') || 'none'
      })`;
      // Every record of the origin topic is a copy (nothing else writes to it); its timestamp is the broker's
      // LogAppendTime. Copies reach the broker a transaction at a time (one per 500 ms at most): each burst of
      // appends holds what was paced since the previous one.
      const copies = await readAllCommitted(kafka, origin);
      assert.equal(copies.length, 10_000);
      // One transaction appends a batch per partition, a millisecond or so apart: appends less than 100 ms
      // apart are one burst (transactions are 500 ms apart), timed by its last append.
      const bursts: Array<[number, number]> = [];
      for (const t of copies.map((c) => c.timestamp).sort((a, b) => a - b)) {
        const open = bursts[bursts.length - 1];
        if (open && t - open[0] < 100) {
          open[0] = t;
          open[1]++;
        } else bursts.push([t, 1]);
      }
      // Copies come a transaction at a time, one at least every 500 ms (plus its commit): never a long silence
      // followed by a burst, which an average over seconds would hide.
      const gaps = bursts.slice(1).map(([t], i) => t - bursts[i]![0]);
      assert.ok(
        Math.max(...gaps) <= 1500,
        `${bursts.length} appends, ${Math.max(...gaps)} ms apart at most: ${bursts.map(([, n]) => n).join(', ')} ${context}`,
      );
      // The rate between two appends: what arrived after the first, over the time between them.
      const rateBetween = (i: number, j: number): number => {
        let n = 0;
        for (let k = i + 1; k <= j; k++) n += bursts[k]![1];
        return (n * 1000) / (bursts[j]![0] - bursts[i]![0]);
      };
      const last = bursts.length - 1;
      const spanS = (bursts[last]![0] - bursts[0]![0]) / 1000;
      const rate = rateBetween(0, last);
      process.stderr.write(
        `--rate 1000: ${copies.length} copies in ${bursts.length} appends over ${spanS.toFixed(3)} s = ${rate.toFixed(1)} msg/s (appends at ${bursts.map(([t, n]) => `${((t - bursts[0]![0]) / 1000).toFixed(2)} s: ${n}`).join(', ')})\n`,
      );
      assert.ok(rate >= 950 && rate <= 1050, `rate ${rate.toFixed(1)} msg/s is outside 1000 ±5% ${context}`);
      // Between the appends the schedule holds too: append k carries the copies paced up to its transaction,
      // so on an open-loop schedule its time minus (copies so far) / rate is the same for every append, up to
      // how long that transaction took to commit. The spread of that offset bounds every burst and every stall
      // against the schedule: 0.5 s (one transaction's worth, 500 copies) at most. (A check of each 2 s stretch
      // at ±5 % is only ±100 ms of commit jitter: on a loaded machine one late commit followed by an on-time
      // one failed it, 1109 msg/s from 0.49 s to 2.79 s at load 17, while the schedule itself held.) The last
      // append is the run's closing transaction, sent when the run ends, not on the schedule: it is left out.
      let copiesSoFar = 0;
      const offsets = bursts.slice(0, last).map(([t, n]) => {
        copiesSoFar += n;
        return t - bursts[0]![0] - copiesSoFar; // ms: at 1000 msg/s a copy is due every 1 ms
      });
      const spread = Math.max(...offsets) - Math.min(...offsets);
      assert.ok(
        spread <= 500,
        `appends ${spread} ms apart from one schedule (offsets ${offsets.join(', ')} ms) ${context}`,
      );
    },
  );

  it(
    'Ctrl-C stops cleanly with a summary and exit 130; the re-run finishes the rest exactly once',
    { timeout: 120_000 },
    async () => {
      const target = uniqueName('cli-sigint');
      await createTopics(kafka, [{ topic: target, partitions: 2 }]);
      try {
        const args = [
          'dlq',
          'replay',
          dlq,
          '--kind',
          'kafka',
          '--to',
          target,
          '--limit',
          '3000',
          '-o',
          'json',
        ];
        const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
          (resolve) => {
            const child = recordChild(
              spawn(process.execPath, [BIN, ...args, '--rate', '500'], {
                env: { ...process.env, ...env, NO_COLOR: '1' },
              }),
            );
            let stdout = '';
            let stderr = '';
            let signalled = false;
            child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
            child.stderr.on('data', (c: Buffer) => {
              stderr += c.toString();
              // Once copies are being written (the target's end offset moved): start-up and the reader's
              // group join can take seconds on a loaded machine, and a SIGINT before the handler is installed
              // kills the process outright.
              if (!signalled && /replaying /.test(stderr)) {
                signalled = true;
                // The event: the first copies are on the target. Interrupted then, the run is mid-way
                // (3000 at 500/s take 6 s) and ends by committing what it paced.
                const poll = async (): Promise<void> => {
                  if (child.exitCode !== null) return;
                  const admin = kafka.admin();
                  await admin.connect();
                  const high = (await admin.fetchTopicOffsets(target)).reduce(
                    (n, o) => n + Number(o.high),
                    0,
                  );
                  await admin.disconnect();
                  if (high > 0) child.kill('SIGINT');
                  else setTimeout(() => void poll(), 100);
                };
                void poll();
              }
            });
            child.on('close', (code) => resolve({ code, stdout, stderr }));
          },
        );
        assert.equal(result.code, 130, result.stderr);
        const partial = JSON.parse(result.stdout) as Summary;
        assert.equal(partial.interrupted, true);
        assert.ok(partial.replayed > 0 && partial.replayed < 3000, `replayed ${partial.replayed}`);
        assert.match(result.stderr, /interrupted/);
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
        const rest = await runCli(
          [...args.slice(0, -4), '--limit', String(3000 - partial.replayed), '-o', 'json'],
          {
            env,
            timeoutMs: 60_000,
          },
        );
        assert.equal(rest.code, 0, rest.stderr);
        const copies = await readAllCommitted(kafka, target);
        assert.equal(copies.length, 3000);
        assert.equal(new Set(copies.map((c) => c.key)).size, 3000);
      } finally {
        await deleteTopics(kafka, [target]);
      }
    },
  );

  it('a missing DLQ exits 3 with one line', async () => {
    const r = await runCli(['dlq', 'peek', uniqueName('nope'), '--kind', 'kafka'], { env });
    assert.equal(r.code, 3);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('purge refuses without --yes when not on a TTY', async () => {
    const r = await runCli(['dlq', 'purge', dlq, '--kind', 'kafka'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--yes/);
  });
});

describe('mqctl dlq replay exit codes when messages fail (Kafka)', () => {
  const env = isolatedConfigEnv();
  const dlq = uniqueName('cli-orphans-dlt');
  const missing = uniqueName('cli-missing-origin');

  before(async () => {
    await requireKafka();
    await createTopics(kafka, [{ topic: dlq, partitions: 2 }]);
    await produceAll(kafka, dlq, [
      { key: 'no-headers', value: 'x', partition: 0 },
      {
        key: 'origin-missing',
        value: 'y',
        partition: 1,
        headers: springDltHeaders({
          topic: missing,
          partition: 0,
          offset: 1,
          exceptionClass: 'java.net.SocketTimeoutException',
          exceptionMessage: 'Read timed out',
        }),
      },
    ]);
  });

  after(async () => {
    await forgetReplayProgress([dlq]);
    await deleteTopics(kafka, [dlq, missing]);
  });

  it('a dry run in which every message would fail exits 1', async () => {
    const r = await runCli(['dlq', 'replay', dlq, '--kind', 'kafka', '--dry-run', '-o', 'json'], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(parseJson<{ failed: number }>(r).failed, 2);
    assert.match(r.stderr, /2 message\(s\) would fail/);
  });

  it('a run with failed messages exits 1; a re-run after the origin topic exists copies that one', async () => {
    const args = ['dlq', 'replay', dlq, '--kind', 'kafka', '-o', 'json'];
    const r = await runCli(args, { env });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(parseJson<{ failed: number; replayed: number; unroutable: number }>(r), {
      ...parseJson<object>(r),
      failed: 2,
      unroutable: 1,
      replayed: 0,
    });
    assert.match(r.stderr, /2 message\(s\) failed and stay in the DLQ, 1 moved past \(no origin, no --to\)/);
    await createTopics(kafka, [{ topic: missing, partitions: 1 }]);
    const again = await runCli(args, { env });
    // The record without headers was moved past by the first run (no run of this job could route it); the other
    // one now has its topic: nothing fails any more.
    assert.equal(again.code, 0, again.stderr);
    assert.equal(parseJson<{ replayed: number; failed: number }>(again).replayed, 1);
    assert.equal(parseJson<{ replayed: number; failed: number }>(again).failed, 0);
    assert.deepEqual(
      (await readAllCommitted(kafka, missing)).map((c) => c.key),
      ['origin-missing'],
    );
  });
});

describe('mqctl dlq replay: a Kafka record with no origin between two good ones (issue 13 item 2)', () => {
  const env = isolatedConfigEnv();
  const origin = uniqueName('cli-unroutable');
  const dlq = `${origin}-dlt`;
  const elsewhere = uniqueName('cli-unroutable-to');
  const dead = (key: string) => ({
    key,
    value: key,
    partition: 0,
    headers: springDltHeaders({
      topic: origin,
      partition: 0,
      offset: 1,
      exceptionClass: 'java.net.SocketTimeoutException',
      exceptionMessage: 'Read timed out',
    }),
  });

  before(async () => {
    await requireKafka();
    await createTopics(kafka, [
      { topic: origin, partitions: 1 },
      { topic: dlq, partitions: 1 },
      { topic: elsewhere, partitions: 1 },
    ]);
    // Offsets 0, 1, 2 of partition 0: ok, no headers at all, ok.
    await produceAll(kafka, dlq, [
      dead('ok-0'),
      { key: 'no-headers-1', value: 'x', partition: 0 },
      dead('ok-2'),
    ]);
  });

  after(async () => {
    await forgetReplayProgress([dlq]);
    await deleteTopics(kafka, [origin, dlq, elsewhere]);
  });

  interface Result {
    examined: number;
    replayed: number;
    failed: number;
    unroutable?: number;
    failures: string[];
    notes: string[];
    plan?: Array<{ key: string; position: string }>;
  }

  it('the job copies both good records once, reports the other with its offset (exit 1), and moves past it; --to copies it', async () => {
    const args = ['dlq', 'replay', dlq, '--kind', 'kafka', '-o', 'json'];
    const dry = await runCli([...args, '--dry-run'], { env });
    assert.equal(dry.code, 1, dry.stderr);
    const plan = parseJson<Result>(dry);
    assert.deepEqual(
      plan.plan!.map((p) => `${p.key}@${p.position}`),
      ['ok-0@0', 'ok-2@2'],
    );
    assert.equal(plan.unroutable, 1);
    assert.match(dry.stderr, /1 message\(s\) would fail, 1 would be moved past \(no origin, no --to\)/);

    const first = await runCli(args, { env });
    assert.equal(first.code, 1, first.stderr);
    const s1 = parseJson<Result>(first);
    assert.deepEqual([s1.replayed, s1.failed, s1.unroutable], [2, 1, 1]);
    assert.match(s1.failures[0]!, new RegExp(`^${dlq}:0:1: no origin in its headers`));
    assert.ok(
      s1.notes.some((n) =>
        /partition 0: 1 record\(s\) with no origin and no --to were moved past, at offset\(s\) 1;/.test(n),
      ),
      s1.notes.join('\n'),
    );
    assert.match(
      first.stderr,
      /1 message\(s\) failed and stay in the DLQ, 1 moved past \(no origin, no --to\)/,
    );
    assert.match(first.stderr, /--to TOPIC --where 'not origin exists'/);
    assert.doesNotMatch(first.stderr, /\n\s+at /, 'no stack trace');

    // The same job again: nothing left for it, nothing copied twice, exit 0.
    const second = await runCli(args, { env });
    assert.equal(second.code, 0, second.stderr);
    const s2 = parseJson<Result>(second);
    assert.deepEqual([s2.examined, s2.replayed, s2.failed], [0, 0, 0]);
    assert.deepEqual(
      (await readAllCommitted(kafka, origin)).map((c) => c.key),
      ['ok-0', 'ok-2'],
    );

    // The record is still in the DLQ, and another job (--to) copies exactly it.
    const peek = await runCli(
      ['dlq', 'peek', dlq, '--kind', 'kafka', '--where', 'not origin exists', '-o', 'json'],
      {
        env,
      },
    );
    assert.equal(peek.code, 0, peek.stderr);
    assert.deepEqual(
      parseJson<{ items: Array<{ key: string; position: string }> }>(peek).items.map(
        (m) => `${m.key}@${m.position}`,
      ),
      ['no-headers-1@1'],
    );
    const copy = await runCli([...args, '--to', elsewhere, '--where', 'not origin exists'], { env });
    assert.equal(copy.code, 0, copy.stderr);
    assert.equal(parseJson<Result>(copy).replayed, 1);
    assert.deepEqual(
      (await readAllCommitted(kafka, elsewhere)).map((c) => c.key),
      ['no-headers-1'],
    );
    assert.deepEqual(
      (await readAllCommitted(kafka, origin)).map((c) => c.key),
      ['ok-0', 'ok-2'],
    );
  });
});
