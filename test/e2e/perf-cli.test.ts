import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HistogramLogReader } from 'hdr-histogram-js';
import { decodeHistogram } from '../../src/perf/histograms';
import type { PerfResult } from '../../src/perf/result-schema';
import { CLOSED_PORT, requireKafka, uniqueName } from '../helpers/brokers';
import { BIN, recordChild, isolatedConfigEnv, parseJson, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { deleteCreated } from '../helpers/cleanup';

describe('mqctl perf (CLI)', () => {
  const created: string[] = [];
  const made = (prefix: string): string => {
    const name = uniqueName(prefix);
    created.push(name);
    return name;
  };
  before(() => requireKafka());
  // The topics, with the consumer groups mqctl made on them.
  after(() => deleteCreated('kafka', created));
  const env = isolatedConfigEnv();

  it('e2e writes the result document, .hlog, .hgrm and HTML report, all readable back', async () => {
    const dir = tempDir('mqctl-perf-cli-');
    const topic = made('mqctl-perf-cli');
    const files = {
      result: join(dir, 'run.json'),
      hlog: join(dir, 'run.hlog'),
      hgrm: join(dir, 'run.hgrm'),
      report: join(dir, 'run.html'),
    };
    const res = await runCli(
      [
        'perf',
        'e2e',
        '--kind',
        'kafka',
        '--topic',
        topic,
        '--create-topic',
        '--rate',
        '2000',
        '--num-records',
        '4000',
        '--warmup',
        '500',
        '--interval',
        '1s',
        '--output',
        'json',
        '--result',
        files.result,
        '--hdr-log',
        files.hlog,
        '--hgrm',
        files.hgrm,
        '--report',
        files.report,
      ],
      { env, timeoutMs: 90_000 },
    );
    assert.equal(res.code, 0, res.stderr);
    const doc = parseJson<PerfResult & { warmup?: { records: number } }>(res);
    assert.equal(doc.schema, 'mqctl.perf.result/v2');
    assert.equal(doc.command, 'e2e');
    assert.equal(doc.sent, 3500);
    assert.equal(doc.acked, 3500);
    assert.equal(doc.received, 3500);
    assert.equal(doc.warmup?.records, 500);
    assert.equal(doc.errors, 0);
    for (const name of ['latency', 'service', 'sendDelay', 'e2e'] as const) {
      assert.equal(decodeHistogram(doc.histograms[name]!).totalCount, 3500, name);
      assert.equal(doc.latency[name]!.count, 3500, name);
    }
    // response latency is never below service latency for the same records
    assert.ok(doc.latency.latency!.p99 >= doc.latency.service!.p99);
    assert.deepEqual(JSON.parse(readFileSync(files.result, 'utf8')), doc);
    const reader = new HistogramLogReader(readFileSync(files.hlog, 'utf8'));
    let total = 0;
    for (let h = reader.nextIntervalHistogram(); h; h = reader.nextIntervalHistogram()) {
      if (h.tag === 'latency') total += h.totalCount;
    }
    assert.equal(total, 3500, 'the interval log holds every measured response-latency sample');
    assert.match(readFileSync(files.hgrm, 'utf8'), /Total count\s*=\s*3500\]/);
    assert.match(readFileSync(join(dir, 'run.e2e.hgrm'), 'utf8'), /Value\s+Percentile\s+TotalCount/);
    assert.equal((readFileSync(files.report, 'utf8').match(/<svg /g) ?? []).length, 3);
    assert.match(res.stderr, /\[\s+\d+\.\d s\] \d+ acked, [\d.]+ msg\/s/, 'progress lines on stderr');
  });

  it('prints the summary table and a kafka-producer-perf-test line', async () => {
    const topic = made('mqctl-perf-cli');
    const res = await runCli(
      [
        'perf',
        'produce',
        '--kind',
        'kafka',
        '--topic',
        topic,
        '--create-topic',
        '--throughput',
        '-1',
        '--num-records',
        '2000',
      ],
      { env, timeoutMs: 60_000 },
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /response \(ack − intended\)\s+2000/);
    assert.match(
      res.stdout,
      /^2000 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/m,
    );
  });

  it('--threads 2 runs two producer threads and merges their histograms exactly', async () => {
    const topic = made('mqctl-perf-cli');
    const res = await runCli(
      [
        'perf',
        'produce',
        '--kind',
        'kafka',
        '--topic',
        topic,
        '--create-topic',
        '--rate',
        '2000',
        '--num-records',
        '3001',
        '--threads',
        '2',
        '--key-pattern',
        'seq',
        '--output',
        'json',
      ],
      { env, timeoutMs: 60_000 },
    );
    assert.equal(res.code, 0, res.stderr);
    const doc = parseJson<PerfResult>(res);
    assert.equal(doc.sent, 3001);
    assert.equal(doc.acked, 3001);
    assert.equal(doc.settings.threads, 2);
    assert.match(doc.broker.dataPath ?? '', /× 2 threads/);
    for (const name of ['latency', 'service', 'sendDelay'] as const) {
      assert.equal(decodeHistogram(doc.histograms[name]!).totalCount, 3001, name);
    }
    assert.equal(
      doc.intervals.reduce((n, i) => n + i.acked, 0),
      3001,
      'merged intervals add up',
    );
  });

  it('exits 2 on usage errors, 3 on a missing topic, 69 on an unreachable broker', async () => {
    const noRate = await runCli(
      ['perf', 'produce', '--kind', 'kafka', '--topic', 'x', '--num-records', '10'],
      { env },
    );
    assert.equal(noRate.code, 2);
    assert.match(noRate.stderr, /^Error: pass --rate N/m);
    const wrongKnob = await runCli(
      [
        'perf',
        'produce',
        '--kind',
        'kafka',
        '--topic',
        'x',
        '--rate',
        '10',
        '--num-records',
        '10',
        '--confirm',
        '5',
      ],
      { env },
    );
    assert.equal(wrongKnob.code, 2);
    assert.match(wrongKnob.stderr, /--confirm does not apply to kafka/);
    const missing = await runCli(
      [
        'perf',
        'produce',
        '--kind',
        'kafka',
        '--topic',
        uniqueName('absent'),
        '--rate',
        '10',
        '--num-records',
        '10',
      ],
      { env },
    );
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /not found.*--create-topic/);
    const down = await runCli(
      [
        'perf',
        'produce',
        '--brokers',
        `127.0.0.1:${CLOSED_PORT}`,
        '--topic',
        'x',
        '--rate',
        '10',
        '--num-records',
        '10',
        '--timeout',
        '2s',
      ],
      { env, timeoutMs: 30_000 },
    );
    assert.equal(down.code, 69, down.stderr);
    assert.doesNotMatch(down.stderr, /\n\s+at /, 'no stack trace');
  });

  it('Ctrl-C prints the partial summary and exits 130', async () => {
    const topic = made('mqctl-perf-cli');
    const child = recordChild(
      spawn(
        process.execPath,
        [
          BIN,
          'perf',
          'produce',
          '--kind',
          'kafka',
          '--topic',
          topic,
          '--create-topic',
          '--rate',
          '1000',
          '--duration',
          '60s',
          '--interval',
          '1s',
        ],
        { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (/\] \d+ acked/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    assert.equal(code, 130, stderr);
    assert.match(stdout, /response \(ack − intended\)/);
    assert.match(stdout, /interrupted\s+yes/);
    assert.match(stderr, /Error: interrupted/);
  });

  it('perf consume --threads 2: Ctrl-C closes every thread, prints the partial summary and exits 130', async () => {
    const topic = made('mqctl-perf-cli');
    const created = await runCli(
      ['perf', 'produce', '--kind', 'kafka', '--topic', topic, '--create-topic', '--partitions', '2'].concat([
        '--rate',
        '0',
        '--num-records',
        '10',
        '--output',
        'json',
      ]),
      { env, timeoutMs: 60_000 },
    );
    assert.equal(created.code, 0, created.stderr);
    const child = recordChild(
      spawn(
        process.execPath,
        [BIN, 'perf', 'consume', '--kind', 'kafka', '--topic', topic, '--threads', '2'].concat([
          '--from',
          'latest',
          '--duration',
          '60s',
          '--idle-timeout',
          '60s',
          '--interval',
          '1s',
        ]),
        { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (/with 2 threads/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    assert.equal(code, 130, stderr);
    assert.match(stdout, /interrupted\s+yes/);
    assert.match(stdout, /× 2 threads/);
    assert.match(stderr, /received per thread: 0, 0/);
    assert.match(stderr, /Error: interrupted/);

    const e2e = await runCli(
      [
        'perf',
        'e2e',
        '--kind',
        'kafka',
        '--topic',
        topic,
        '--rate',
        '10',
        '--num-records',
        '10',
        '--threads',
        '2',
      ],
      { env, timeoutMs: 30_000 },
    );
    assert.equal(e2e.code, 2, e2e.stderr);
    assert.match(e2e.stderr, /perf e2e runs on one thread/);
  });
});
