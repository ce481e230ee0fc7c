import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { LOCAL, requireKafka, uniqueName } from '../helpers/brokers';
import { BIN, isolatedConfigEnv, parseJson, runCli } from '../helpers/cli';
import {
  createTopics,
  deleteTopics,
  produceAll,
  readAllCommitted,
  springDltHeaders,
} from '../helpers/dlq-fixtures';

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
      { topic: origin, partitions: 3 },
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

  it('--rate 1000 holds within ±5% over 10 s', { timeout: 120_000 }, async () => {
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
    assert.equal(parseJson<Summary>(r).replayed, 10_000);
    const copies = (await readAllCommitted(kafka, origin)).filter((c) => c.headers['mqctl-replayed-at']);
    assert.equal(copies.length, 10_000);
    const times = copies.map((c) => Date.parse(c.headers['mqctl-replayed-at']!)).sort((a, b) => a - b);
    const spanS = (times[times.length - 1]! - times[0]!) / 1000;
    const rate = (times.length - 1) / spanS;
    process.stderr.write(
      `--rate 1000: ${times.length} messages over ${spanS.toFixed(3)} s = ${rate.toFixed(1)} msg/s\n`,
    );
    assert.ok(rate >= 950 && rate <= 1050, `rate ${rate.toFixed(1)} msg/s is outside 1000 ±5%`);
    // Every whole second of the run stays within ±5% too, apart from the last partial one.
    const perSecond = new Map<number, number>();
    for (const t of times) {
      const s = Math.floor((t - times[0]!) / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    }
    for (const [s, n] of perSecond)
      if (s < Math.floor(spanS)) assert.ok(n >= 950 && n <= 1050, `second ${s}: ${n} messages`);
  });

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
            const child = spawn(process.execPath, [BIN, ...args, '--rate', '500'], {
              env: { ...process.env, ...env, NO_COLOR: '1' },
            });
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
            child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
            setTimeout(() => child.kill('SIGINT'), 5000);
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
