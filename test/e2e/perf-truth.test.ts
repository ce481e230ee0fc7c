import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MqctlPerfResult } from '../../src/perf/result';
import { requireKafka, uniqueName } from '../helpers/brokers';
import { BIN, recordChild, isolatedConfigEnv, parseJson, runCli, type CliResult } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { deleteKafkaGroups } from '../helpers/leftovers';

/**
 * Issue 12: every run ends, failure never reads as success, every printed rate follows from printed counts
 * and times. Real brokers on loopback; the broker-kill test starts and kills a Kafka of its own.
 */
const env = isolatedConfigEnv();
const kafka = ['--kind', 'kafka', '--brokers', '127.0.0.1:9092'];
const topics: string[] = [];
const groups: string[] = [];

function produce(topic: string, extra: string[], timeoutMs = 120_000): Promise<CliResult> {
  return runCli(['perf', 'produce', ...kafka, '--topic', topic, ...extra], { env, timeoutMs });
}

/** Nothing was sent: no "producing to" note, so no producer was even opened. */
function assertNoLoad(res: CliResult): void {
  assert.doesNotMatch(res.stderr, /producing to/, res.stderr);
}

describe('perf: every run ends (issue 12 item 1, 2)', () => {
  before(() => requireKafka());
  after(async () => {
    // The perf consumers' groups first: Kafka keeps them after their topic goes.
    await deleteKafkaGroups(topics, groups);
    for (const t of topics) await runCli(['topic', 'delete', t, ...kafka, '--yes'], { env });
  });

  // the Kafka default at a fixed rate runs the client on its own thread; --no-client-thread does not
  for (const threaded of [true, false]) {
    const mode = threaded ? 'client thread' : 'one thread';
    const flags = threaded ? ['--rate', '1000', '--client-thread'] : ['--rate', '1000', '--no-client-thread'];

    it(`${mode}: --record-size 999999999999 is refused before any load (exit 2), the process ends`, async () => {
      const res = await produce(
        uniqueName('perftruth-big'),
        [...flags, '--duration', '5s', '--record-size', '999999999999'],
        60_000,
      );
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /--record-size 999999999999 is (larger than any broker accepts|out of range)/);
      assertNoLoad(res);
    });

    it(`${mode}: a missing --payload-file is refused before any load (exit 2), the process ends`, async () => {
      const res = await produce(
        uniqueName('perftruth-pf'),
        [...flags, '--duration', '5s', '--payload-file', '/nonexistent/perftruth'],
        60_000,
      );
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /cannot read --payload-file/);
      assertNoLoad(res);
    });

    for (const codec of ['snappy', 'lz4', 'zstd']) {
      it(`${mode}: --compression ${codec} with kafkajs is refused before any load (exit 2)`, async () => {
        const res = await produce(
          uniqueName('perftruth-codec'),
          [...flags, '--duration', '5s', '--compression', codec],
          60_000,
        );
        assert.equal(res.code, 2, res.stderr);
        assert.match(res.stderr, new RegExp(`--compression ${codec} is not available with kafkajs`));
        assertNoLoad(res);
      });
    }

    it(`${mode}: 2 MiB records on a topic with the default max.message.bytes: exit 2 before any load, the process ends`, async () => {
      const topic = uniqueName('perftruth-2mib');
      topics.push(topic);
      const res = await produce(
        topic,
        [...flags, '--create-topic', '--duration', '5s', '--record-size', '2MiB'],
        90_000,
      );
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /records of 2097152 bytes do not fit in topic .*max\.message\.bytes is \d+/);
      assert.doesNotMatch(res.stderr, /^\[/m, 'no progress line: no load was sent');
    });

    it(`${mode}: a missing topic (the error happens where the client runs) ends the process with exit 3`, async () => {
      const res = await produce(uniqueName('perftruth-missing'), [...flags, '--duration', '5s'], 90_000);
      assert.equal(res.code, 3, res.stderr);
      assert.match(res.stderr, /not found/);
    });
  }

  it('output paths are checked before any load: an unwritable --result, --report, --hgrm, --hdr-log or --junit is exit 2', async () => {
    const dir = tempDir('perftruth-ro-');
    const readOnly = join(dir, 'ro');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    const cases: Array<[string, string]> = [
      ['--result', '/nonexistent/dir/r.json'],
      ['--report', join(readOnly, 'r.html')],
      ['--hgrm', dir], // a directory
      ['--hdr-log', '/nonexistent/r.hlog'],
      ['--junit', '/nonexistent/j.xml'],
    ];
    const root = process.getuid?.() === 0; // root writes anywhere: the read-only case proves nothing there
    for (const [flag, path] of cases) {
      if (root && path.startsWith(readOnly)) continue;
      const res = await produce(
        uniqueName('perftruth-out'),
        ['--rate', '100', '--duration', '60m', flag, path],
        60_000,
      );
      assert.equal(res.code, 2, `${flag} ${path}: ${res.stderr}`);
      // (--junit is checked by the gates' own parser, in its words)
      assert.match(res.stderr, new RegExp(`^Error: (cannot write )?${flag} `, 'm'));
      assertNoLoad(res);
    }
  });

  it('a gate on a metric the command does not measure (e2e.p99 on perf produce) is exit 2 before any load', async () => {
    const res = await produce(uniqueName('perftruth-gate'), [
      '--rate',
      '100',
      '--duration',
      '60m',
      '--gate',
      'e2e.p99<10ms',
    ]);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /gate e2e\.p99<10ms: perf produce does not measure e2e/);
    assertNoLoad(res);
  });

  it('an invalid Kafka topic name is exit 2 before any connection', async () => {
    const res = await produce('bad topic!', ['--rate', '100', '--duration', '5s']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /invalid topic name/);
  });
});

describe('perf: failure never reads as success (issue 12 items 3, 4)', () => {
  before(() => requireKafka());
  after(async () => {
    // The perf consumers' groups first: Kafka keeps them after their topic goes.
    await deleteKafkaGroups(topics, groups);
    for (const t of topics) await runCli(['topic', 'delete', t, ...kafka, '--yes'], { env });
  });

  it('tiny unthrottled records never build a batch above the topic max.message.bytes: 200,000 × 10 B all acked', async () => {
    const topic = uniqueName('perftruth-tiny');
    topics.push(topic);
    // a small limit makes the old value-bytes batching (256 KiB of values ≈ 1.5 MB on the wire) fail at once
    const created = await runCli(
      ['topic', 'create', topic, ...kafka, '--partitions', '1', '--config', 'max.message.bytes=65536'],
      { env },
    );
    assert.equal(created.code, 0, created.stderr);
    const res = await produce(
      topic,
      ['--rate', '0', '--num-records', '200000', '--record-size', '10', '--output', 'json'],
      300_000,
    );
    assert.equal(res.code, 0, res.stderr);
    const doc = parseJson<MqctlPerfResult>(res);
    assert.deepEqual(
      [doc.acked, doc.errors, doc.valid],
      [200_000, 0, true],
      JSON.stringify(doc.errorMessages),
    );
  });

  it('perf consume with received 0 of 10 after the idle timeout: valid no, the verdict says so, exit 1', async () => {
    const topic = uniqueName('perftruth-empty');
    topics.push(topic);
    const created = await runCli(['topic', 'create', topic, ...kafka, '--partitions', '1'], { env });
    assert.equal(created.code, 0, created.stderr);
    // Groups named by the test: on an empty topic nothing is committed, so only the name ties them to it.
    const group = uniqueName('perftruth-empty-g');
    groups.push(group);
    const res = await runCli(
      [
        'perf',
        'consume',
        ...kafka,
        '--topic',
        topic,
        '--group',
        group,
        '--num-records',
        '10',
        '--idle-timeout',
        '3s',
      ],
      { env, timeoutMs: 120_000 },
    );
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stdout, /valid\s+NO — 10 of 10 \(100 %\) records not received/);
    assert.match(res.stderr, /Error: run failed: 10 of 10/);
    // --max-errors is the explicit opt-out
    const allowed = await runCli(
      [
        'perf',
        'consume',
        ...kafka,
        '--topic',
        topic,
        '--group',
        group,
        '--num-records',
        '10',
        '--idle-timeout',
        '3s',
        '--max-errors',
        '100%',
      ],
      { env, timeoutMs: 120_000 },
    );
    assert.equal(allowed.code, 0, allowed.stderr);
  });
});

describe('perf: rates that are rates (issue 12 item 5, issue 19 items 2 and 6)', () => {
  before(() => requireKafka());
  after(async () => {
    // The perf consumers' groups first: Kafka keeps them after their topic goes.
    await deleteKafkaGroups(topics, groups);
    for (const t of topics) await runCli(['topic', 'delete', t, ...kafka, '--yes'], { env });
  });

  it('a record warm-up leaves its time out of the measured phase: --rate 200 --warmup 200 --num-records 400 reports ~200 msg/s', async () => {
    const topic = uniqueName('perftruth-warm');
    topics.push(topic);
    const res = await produce(topic, [
      '--create-topic',
      '--rate',
      '200',
      '--warmup',
      '200',
      '--num-records',
      '400',
      '--output',
      'json',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const doc = parseJson<MqctlPerfResult>(res);
    assert.equal(doc.acked, 200);
    // 200 records due over 1 s, plus the last ack's latency; before: ~100 msg/s (2 s of schedule)
    assert.ok(
      doc.throughput > 150 && doc.throughput <= 201,
      `throughput ${doc.throughput} over ${doc.durationSeconds} s`,
    );
    // the printed duration is itself rounded, so the rate may differ from acked ÷ printed duration in the last digit
    const fromPrinted = doc.acked / doc.durationSeconds;
    assert.ok(Math.abs(doc.throughput - fromPrinted) <= 0.15, `${doc.throughput} vs ${fromPrinted}`);
  });

  it('perf consume of a 12,000-record backlog: msg/s and MB/s are counts over end − start, all ten kafka-consumer-perf-test columns agree', async () => {
    const topic = uniqueName('perftruth-drain');
    topics.push(topic);
    const made = await produce(topic, [
      '--create-topic',
      '--rate',
      '0',
      '--num-records',
      '12000',
      '--record-size',
      '100',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const res = await runCli(['perf', 'consume', ...kafka, '--topic', topic, '--num-records', '12000'], {
      env,
      timeoutMs: 120_000,
    });
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split('\n');
    const header = lines.findIndex((l) => l.startsWith('start.time, end.time'));
    assert.ok(header >= 0, res.stdout);
    assert.equal(
      lines[header],
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
    );
    const cols = lines[header + 1]!.split(', ');
    assert.equal(cols.length, 10);
    const time = (s: string) => Date.parse(`${s.replace(' ', 'T').replace(/:(\d{3})$/, '.$1')}Z`);
    const seconds = (time(cols[1]!) - time(cols[0]!)) / 1000;
    const [mb, mbSec, n, nSec, rebalanceMs, fetchMs, fetchMbSec, fetchNSec] = cols
      .slice(2)
      .map(Number) as number[];
    assert.equal(n, 12_000);
    assert.ok(seconds > 0);
    const near = (a: number, b: number, what: string) =>
      assert.ok(
        Math.abs(a - b) <= Math.max(0.02 * b, 0.002),
        `${what}: printed ${a}, counts over times give ${b}`,
      );
    near(nSec!, n! / seconds, 'nMsg.sec');
    near(mbSec!, mb! / seconds, 'MB.sec');
    near(fetchMs! + rebalanceMs!, seconds * 1000, 'fetch.time.ms + rebalance.time.ms');
    if (fetchMs! > 0) {
      near(fetchNSec!, n! / (fetchMs! / 1000), 'fetch.nMsg.sec');
      near(fetchMbSec!, mb! / (fetchMs! / 1000), 'fetch.MB.sec');
    }
    // the summary's rate is the same count over the same printed measured time
    const measured = Number(/measured\s+([\d.]+) s/.exec(res.stdout)![1]);
    const rate = Number(/received\s+12000 \(([\d.]+) msg\/s/.exec(res.stdout)![1]);
    near(measured, seconds, 'measured vs end − start');
    near(rate, 12_000 / measured, 'summary msg/s');
  });
});

describe('perf: a broker killed mid-run (issue 12 item 3), on a Kafka of this test', () => {
  const dir = tempDir('perftruth-fault-kafka-');
  const script = resolve(__dirname, '..', '..', '..', 'scripts', 'fault-kafka.sh');
  // far from the shared broker's 9092-9095 and other engineers' instances (4 ports each)
  const base = String(29_000 + (process.pid % 900) * 4);
  before(() => {
    const up = spawnSync('bash', [script, 'up', dir, base], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(up.status, 0, `could not start the test's own Kafka on ${base}: ${up.stderr}`);
  });
  after(() => {
    spawnSync('bash', [script, 'down', dir, base], { encoding: 'utf8', timeout: 120_000 });
  });

  it('kill -9 5 s into --rate 5000 --duration 30s: exit 1, valid NO naming the failed records and the outage window', async () => {
    const topic = uniqueName('perftruth-kill');
    const child = recordChild(
      spawn(
        process.execPath,
        [
          BIN,
          'perf',
          'produce',
          '--kind',
          'kafka',
          '--brokers',
          `127.0.0.1:${base}`,
          '--topic',
          topic,
          '--create-topic',
          '--rate',
          '5000',
          '--duration',
          '30s',
          '--flush-timeout',
          '10s',
        ],
        { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    let killed = false;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!killed && /producing to/.test(stderr)) {
        killed = true;
        setTimeout(() => spawnSync('bash', [script, 'kill', dir, base]), 5000);
      }
    });
    const hardStop = setTimeout(() => child.kill('SIGKILL'), 240_000);
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    clearTimeout(hardStop);
    assert.ok(killed, stderr);
    assert.equal(code, 1, `${stdout}\n${stderr}`);
    assert.match(stdout, /valid\s+NO — \d+ of 150000 \([\d.]+ %\) records failed: /);
    const outage = /outage\s+no acknowledgement for ([\d.]+) s \(from ([\d.]+) s to ([\d.]+) s/.exec(stdout);
    assert.ok(outage, stdout);
    // the broker died ~5 s in and never came back: the silence lasts well over the remaining run
    assert.ok(Number(outage[1]) >= 10, `outage ${outage[1]} s`);
    assert.match(stderr, /Error: run failed: \d+ of 150000/);
  });
});
