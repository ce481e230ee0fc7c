import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type Admin } from '../../src/brokers/kafka/kafkajs';
import type { JsHistogram } from 'hdr-histogram-js';
import RecordedValuesIterator from 'hdr-histogram-js/dist/RecordedValuesIterator';
import { validateXML } from 'xmllint-wasm';
import { parseAllDocuments } from 'yaml';
import {
  BIN,
  isolatedConfigEnv,
  parseJson,
  recordChild,
  recordRun,
  runCli,
  type CliResult,
} from '../helpers/cli';
import { LOCAL, requireKafka, uniqueName } from '../helpers/brokers';
import { decodeHistogram, emptyHistogram } from '../../src/gates/histogram';
import type { PerfResult } from '../../src/perf/result-schema';
import { tempDir } from '../helpers/tmp';
import { deleteKafkaGroups } from '../helpers/leftovers';

/**
 * The acceptance points of the gates issue against a real Kafka on loopback, through `mqctl perf produce`
 * exactly as CI runs it. Short runs at low rates: these check verdicts and exit codes, not performance.
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const env = isolatedConfigEnv();
const KAFKA = ['--kind', 'kafka', '--brokers', LOCAL.kafka.brokers];

async function endOffsetSum(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

/** Replays every recorded value (bucket and count) of a histogram into another: "one histogram fed both". */
function replayInto(
  target: ReturnType<typeof emptyHistogram>,
  source: ReturnType<typeof decodeHistogram>,
): void {
  const it = new RecordedValuesIterator(source as unknown as JsHistogram);
  while (it.hasNext()) {
    const v = it.next();
    target.recordValueWithCount(v.valueIteratedTo, v.countAtValueIteratedTo);
  }
}

describe('gates on perf produce against Kafka', { timeout: 240_000 }, () => {
  const dir = tempDir('mqctl-gates-perf-');
  const topic = uniqueName('gates');
  let admin: Admin;

  before(async () => {
    await requireKafka();
    admin = new Kafka({
      clientId: 'gates-test',
      brokers: [LOCAL.kafka.brokers],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    // KRaft propagates metadata asynchronously (and a just-restarted broker answers UNKNOWN_TOPIC for a
    // while): create, then wait (bounded) until both partitions answer
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.createTopics({
          topics: [{ topic, numPartitions: 2, replicationFactor: 1 }],
          waitForLeaders: false,
        });
        await endOffsetSum(admin, topic);
        break;
      } catch (error) {
        if (attempt >= 40) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });

  after(async () => {
    // The perf runs' consumer groups first: Kafka keeps them after their topic goes.
    await deleteKafkaGroups([topic]);
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('a passing gate exits 0, with the gate table and the outcomes in the result and JUnit', async () => {
    const result = join(dir, 'pass.json');
    const junit = join(dir, 'pass.xml');
    const r = await runCli(
      [
        'perf',
        'produce',
        ...KAFKA,
        '--topic',
        topic,
        '--rate',
        '500',
        '--duration',
        '3s',
        '--gate',
        'errors==0',
        '--gate',
        'p99<30s',
        '--gate',
        'throughput>=100',
        '--gate',
        'acked>=1000',
        '--allow-invalid',
        '--result',
        result,
        '--junit',
        junit,
      ],
      { env, timeoutMs: 90_000 },
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /GATE\s+MEASURED\s+RESULT/);
    assert.match(r.stdout, /errors==0 .*✓ pass/);
    assert.match(r.stdout, /gates: \d+ passed, 0 failed/);
    const doc = JSON.parse(readFileSync(result, 'utf8')) as PerfResult;
    assert.ok(doc.gates && doc.gates.filter((g) => g.metric !== 'valid').length === 4);
    assert.ok(doc.gates.every((g) => g.passed));
    const p99 = doc.gates.find((g) => g.expression === 'p99<30s')!;
    assert.equal(p99.measured, decodeHistogram(doc.histograms.latency!).getValueAtPercentile(99) / 1000);
    const xml = readFileSync(junit, 'utf8');
    const check = await validateXML({
      xml: [{ fileName: 'pass.xml', contents: xml }],
      schema: [
        {
          fileName: 'JUnit.xsd',
          contents: readFileSync(join(ROOT, 'test/fixtures/junit/windyroad-JUnit.xsd'), 'utf8'),
        },
      ],
    });
    assert.equal(check.valid, true, check.errors.map((e) => e.message).join('; '));
  });

  it('an impossible gate (p99<1us) exits 99 with the table', async () => {
    const r = await runCli(
      [
        'perf',
        'produce',
        ...KAFKA,
        '--topic',
        topic,
        '--rate',
        '300',
        '--duration',
        '2s',
        '--gate',
        'p99<1us',
        '--gate',
        'errors==0',
        '--allow-invalid',
      ],
      {
        env,
        timeoutMs: 90_000,
      },
    );
    assert.equal(r.code, 99, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /p99<1us .*✗ FAIL .*latency\.p99 = [\d.]+(ms|µs|s), wanted < 1us/);
    assert.match(r.stdout, /errors==0 .*✓ pass/);
    assert.match(r.stderr, /^Error: 1 of \d gates failed: p99<1us \(measured .*\) — see the gate table$/m);
  });

  it('a malformed gate exits 2 before producing anything: the end offset does not move', async () => {
    const before = await endOffsetSum(admin, topic);
    assert.ok(before > 0, 'the earlier runs produced');
    for (const gate of ['p99<20', 'p99=20ms', 'latency<5ms', 'error_rate<5']) {
      const r = await runCli(
        ['perf', 'produce', ...KAFKA, '--topic', topic, '--rate', '1000', '--duration', '2s', '--gate', gate],
        { env, timeoutMs: 60_000 },
      );
      assert.equal(r.code, 2, `${gate}: ${r.stdout}\n${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(`^Error: invalid gate "${gate.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`, 'm'),
      );
    }
    const missingBaseline = await runCli(
      [
        'perf',
        'produce',
        ...KAFKA,
        '--topic',
        topic,
        '--rate',
        '1000',
        '--duration',
        '2s',
        '--baseline',
        join(dir, 'none.json'),
      ],
      { env },
    );
    assert.equal(missingBaseline.code, 3, missingBaseline.stderr);
    assert.equal(await endOffsetSum(admin, topic), before);
  });

  it('a generator-bound (invalid) run fails the gates by default, with the reason', async () => {
    const args = [
      'perf',
      'produce',
      ...KAFKA,
      '--topic',
      topic,
      '--rate',
      '300',
      '--duration',
      '2s',
      '--max-send-delay',
      '1us',
      '--gate',
      'errors==0',
    ];
    const r = await runCli(args, { env, timeoutMs: 90_000 });
    assert.equal(r.code, 99, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /run is valid .*✗ FAIL .*invalid run: /);
    const allowed = await runCli([...args, '--allow-invalid'], { env, timeoutMs: 90_000 });
    assert.equal(allowed.code, 0, `${allowed.stdout}\n${allowed.stderr}`);
  });

  it('--abort-on-fail stops the run early when a gate can no longer pass', async () => {
    const result = join(dir, 'abort.json');
    const r = await runCli(
      [
        'perf',
        'produce',
        ...KAFKA,
        '--topic',
        topic,
        '--rate',
        '300',
        '--duration',
        '60s',
        '--interval',
        '1s',
        '--gate',
        'p99<1us',
        '--abort-on-fail',
        '--abort-grace',
        '2s',
        '--allow-invalid',
        '--result',
        result,
      ],
      { env, timeoutMs: 90_000 },
    );
    assert.equal(r.code, 99, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /abort/i);
    const doc = JSON.parse(readFileSync(result, 'utf8')) as PerfResult;
    // p99<1us fails from the first 1 s interval on: the abort comes at the first check past the 2 s grace,
    // so within grace + one interval + 2 s of slack for a busy machine, and never before the grace (#18 item 7)
    assert.ok(doc.durationSeconds >= 2, `the grace is respected: ran ${doc.durationSeconds}s`);
    assert.ok(doc.durationSeconds <= 2 + 1 + 2, `stopped at the grace: ran ${doc.durationSeconds}s of 60s`);
    assert.equal(doc.gates?.find((g) => g.expression === 'p99<1us')?.passed, false);
    assert.match(r.stderr, /aborting the run: gate p99<1us failed: .*grace 2s/);
  });

  it('two perf produce processes in parallel on one topic, merged: counts add up, percentiles are exact', async () => {
    const shards = [0, 1].map((i) => join(dir, `shard-${i}.json`));
    const runs = await Promise.all(
      shards.map((file, i) =>
        runCli(
          [
            'perf',
            'produce',
            ...KAFKA,
            '--topic',
            topic,
            '--rate',
            '1000',
            '--shard',
            `${i}/2`,
            '--duration',
            '3s',
            '--result',
            file,
          ],
          { env, timeoutMs: 90_000 },
        ),
      ),
    );
    runs.forEach((r: CliResult, i) => assert.equal(r.code, 0, `shard ${i}: ${r.stderr}`));
    const merged = join(dir, 'merged.json');
    const m = await runCli(
      [
        'perf',
        'merge',
        ...shards,
        '--result',
        merged,
        '--gate',
        'errors==0',
        '--allow-invalid',
        '-o',
        'json',
      ],
      { env },
    );
    assert.equal(m.code, 0, m.stderr);
    const doc = parseJson<PerfResult>(m);
    const inputs = shards.map((f) => JSON.parse(readFileSync(f, 'utf8')) as PerfResult);
    assert.equal(doc.acked, inputs[0]!.acked + inputs[1]!.acked);
    assert.equal(doc.sent, inputs[0]!.sent + inputs[1]!.sent);
    // --rate is the total: each of the 2 shards sends half (500/s for 3 s)
    assert.deepEqual(
      inputs.map((i) => i.targetRate),
      [500, 500],
    );
    assert.equal(doc.targetRate, 1000);
    assert.equal(doc.acked, 3000, 'open loop: rate x duration, split between the shards');
    assert.equal(doc.throughput, inputs[0]!.throughput + inputs[1]!.throughput);
    for (const name of ['latency', 'service', 'sendDelay'] as const) {
      const fed = emptyHistogram();
      for (const input of inputs) replayInto(fed, decodeHistogram(input.histograms[name]!));
      const mergedHistogram = decodeHistogram(doc.histograms[name]!);
      assert.equal(mergedHistogram.totalCount, fed.totalCount, name);
      assert.equal(
        mergedHistogram.totalCount,
        inputs[0]!.latency[name]!.count + inputs[1]!.latency[name]!.count,
      );
      for (const p of [50, 90, 99, 99.9, 99.99, 100]) {
        assert.equal(mergedHistogram.getValueAtPercentile(p), fed.getValueAtPercentile(p), `${name} p${p}`);
      }
      // summaries clamp a percentile to the recorded max (HdrHistogram's bucket top may lie above it)
      assert.equal(doc.latency[name]!.p99, Math.min(fed.getValueAtPercentile(99), fed.maxValue) / 1000);
    }
  });

  it('the deploy/k8s shard and merge scripts run end to end (2 shards, shared results dir)', async () => {
    const k8s = join(ROOT, 'deploy', 'k8s');
    const objects = new Map<
      string,
      { data?: Record<string, string>; spec?: { template: { spec: PodSpec } } }
    >();
    for (const file of ['configmap.yaml', 'producers-job.yaml', 'merge-job.yaml']) {
      for (const d of parseAllDocuments(readFileSync(join(k8s, file), 'utf8'))) {
        const o = d.toJS();
        objects.set(o.metadata.name, o);
      }
    }
    const config = objects.get('mqctl-perf')!.data!;
    const root = tempDir('mqctl-k8s-run-');
    const results = join(root, 'results');
    const configDir = join(root, 'config');
    const binDir = join(root, 'bin');
    for (const d of [results, configDir, binDir]) mkdirSync(d);
    writeFileSync(join(configDir, 'gates.yaml'), config['gates.yaml']!);
    symlinkSync(BIN, join(binDir, 'mqctl'));
    const runEnv: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...env,
      ...Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'gates.yaml')),
      RUN_ID: uniqueName('run'),
      SHARDS: '2',
      TOTAL_RATE: '400',
      DURATION: '2s',
      WARMUP: '0s',
      KIND: 'kafka',
      BROKERS: LOCAL.kafka.brokers,
      TOPIC: topic,
      MERGE_WAIT_SECONDS: '30',
      PATH: `${binDir}:${process.env.PATH}`,
      NO_COLOR: '1',
    };
    const local = (script: string) => script.replaceAll('/results', results).replaceAll('/config', configDir);
    const script = (name: string, init = false) => {
      const spec = objects.get(name)!.spec!.template.spec;
      return local((init ? spec.initContainers![0]! : spec.containers[0]!).args!.join(' '));
    };
    const producers = await Promise.all(
      [0, 1].map((i) => sh(script('mqctl-perf-producers'), { ...runEnv, SHARD_INDEX: String(i) })),
    );
    producers.forEach((p, i) => assert.equal(p.code, 0, `shard ${i}: ${p.stderr}`));
    const wait = await sh(script('mqctl-perf-merge', true), runEnv);
    assert.equal(wait.code, 0, wait.stderr);
    const merge = await sh(script('mqctl-perf-merge'), runEnv);
    // the example gates ask for 45000 msg/s; this run sends 400: the verdict must reach the exit code
    assert.equal(merge.code, 99, `${merge.stdout}\n${merge.stderr}`);
    assert.match(merge.stdout, /throughput>=45000 .*✗ FAIL/);
    const out = join(results, runEnv.RUN_ID!);
    const mergedDoc = JSON.parse(readFileSync(join(out, 'merged.json'), 'utf8')) as PerfResult;
    assert.equal(mergedDoc.mergedFrom?.length, 2);
    assert.match(readFileSync(join(out, 'gates.xml'), 'utf8'), /<testcase name="throughput&gt;=45000"/);
    assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /gates failed/);
    recordRun(['(k8s example run: the files it wrote)'], '', '', {
      files: readdirSync(out).map((f) => join(out, f)),
    });
  });
});

interface PodSpec {
  containers: Array<{ args?: string[] }>;
  initContainers?: Array<{ args?: string[] }>;
}

function sh(
  script: string,
  shellEnv: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    // mqctl runs inside the script: its output (and the shell's) is recorded for the suite's secret grep
    const child = recordChild(
      spawn('sh', ['-c', script], { env: shellEnv, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
