import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { applyGates } from '../../src/gates';
import { parseGateFlags } from '../../src/gates/options';
import { readResultFile } from '../../src/gates/result-file';
import { runCompare, runMerge } from '../../src/cli/gates-commands';
import { writeHgrmFiles } from '../../src/perf/files';
import { newHistogram } from '../../src/perf/histograms';
import { buildResult, type RunData } from '../../src/perf/result';
import { PERF_RESULT_SCHEMA, PERF_RESULT_SCHEMA_V1, type HistogramName } from '../../src/perf/result-schema';
import { renderPercentileCsv } from '../../src/perf/summary';
import { latencies, makeResult } from './gates-fixtures';

/**
 * The perf result document is a contract (docs/output.md): v2 has only camelCase keys (`sendDelay`), and
 * files written by older mqctl (v1, `send_delay`) are still read by perf compare, perf merge and --baseline.
 */

const dir = mkdtempSync(join(tmpdir(), 'mqctl-result-version-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A produce run's data as the perf engine hands it to buildResult. */
function produceRun(): RunData {
  const histograms = new Map<HistogramName, ReturnType<typeof newHistogram>>();
  for (const [name, center] of [
    ['latency', 2000],
    ['service', 1500],
    ['sendDelay', 100],
  ] as const) {
    const h = newHistogram();
    for (const v of latencies(1000, center, 7)) h.recordValue(v);
    histograms.set(name, h);
  }
  return {
    command: 'produce',
    broker: { kind: 'kafka', target: '127.0.0.1:9092' },
    settings: { rate: 1000, 'acks.config': 'all' },
    targetRate: 1000,
    sent: 1000,
    acked: 1000,
    errors: 0,
    bytes: 100_000,
    durationSeconds: 1,
    sendRate: 1000,
    startTime: new Date('2026-01-01T00:00:00Z'),
    endTime: new Date('2026-01-01T00:00:01Z'),
    interrupted: false,
    histograms,
    intervals: [
      {
        t: 1,
        seconds: 1,
        sent: 1000,
        acked: 1000,
        errors: 0,
        bytes: 100_000,
        histograms: new Map([['sendDelay', histograms.get('sendDelay')!]]),
      },
    ],
    maxSendDelayMs: 1000,
    backpressureWaits: 0,
    errorMessages: [],
  };
}

/** Every key of a JSON document, with its path, except inside maps whose keys are the user's (`settings`). */
function keysOf(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysOf(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [
    `${path}.${k}`,
    ...(k === 'settings' ? [] : keysOf(v, `${path}.${k}`)),
  ]);
}

/** A v1 document, as mqctl before v2 wrote it: the send-delay histogram under `send_delay`. */
function v1Document(values: { latency: number[]; sendDelay: number[] }, throughput: number) {
  const v2 = makeResult({ histograms: values, throughput });
  const { sendDelay: summary, ...latency } = v2.latency;
  const { sendDelay: encoded, ...histograms } = v2.histograms;
  return {
    ...v2,
    schema: PERF_RESULT_SCHEMA_V1,
    latency: { ...latency, send_delay: summary },
    histograms: { ...histograms, send_delay: encoded },
  };
}

function writeJson(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc, null, 2));
  return path;
}

const plain = { color: false };

describe('perf result v2: camelCase keys', () => {
  const doc = JSON.parse(JSON.stringify(buildResult(produceRun()))) as Record<string, unknown>;

  it('is mqctl.perf.result/v2 with the send delay under sendDelay', () => {
    assert.equal(PERF_RESULT_SCHEMA, 'mqctl.perf.result/v2');
    assert.equal(doc.schema, PERF_RESULT_SCHEMA);
    assert.deepEqual(Object.keys(doc.latency as object), ['latency', 'service', 'sendDelay']);
    assert.deepEqual(Object.keys(doc.histograms as object), ['latency', 'service', 'sendDelay']);
  });

  it('has no key with an underscore, dash, dot or space outside settings', () => {
    const keys = keysOf(doc);
    assert.ok(keys.includes('.latency.sendDelay.p99'), keys.join(' '));
    const bad = keys.filter((k) => !/^[a-z][A-Za-z0-9]*$/.test(k.slice(k.lastIndexOf('.') + 1)));
    assert.deepEqual(bad, []);
  });

  it('keeps the histogram tag send_delay where it is a name: CSV values and .hgrm file names', () => {
    const csv = renderPercentileCsv(buildResult(produceRun()));
    assert.match(csv, /^histogram,count,p50Ms,/);
    assert.match(csv, /^send_delay,1000,/m);
    const out = mkdtempSync(join(dir, 'hgrm-'));
    writeHgrmFiles(join(out, 'run.hgrm'), buildResult(produceRun()));
    assert.deepEqual(readdirSync(out).sort(), ['run.hgrm', 'run.send_delay.hgrm', 'run.service.hgrm']);
  });
});

describe('perf result v1 files are still read', () => {
  const sendDelayA = latencies(2000, 300, 3);
  const sendDelayB = latencies(2000, 300, 4);
  const v1Path = writeJson(
    'v1.json',
    v1Document({ latency: latencies(2000, 2000, 1), sendDelay: sendDelayA }, 200),
  );
  const v2Path = writeJson(
    'v2.json',
    makeResult({ histograms: { latency: latencies(2000, 2000, 2), sendDelay: sendDelayB }, throughput: 200 }),
  );

  it('reads a v1 file as v2: send_delay becomes sendDelay, nothing else changes', async () => {
    const result = await readResultFile(v1Path);
    assert.equal(result.schema, PERF_RESULT_SCHEMA);
    assert.equal(result.latency.sendDelay?.count, 2000);
    assert.equal(typeof result.histograms.sendDelay?.encoded, 'string');
    assert.ok(!('send_delay' in result.latency) && !('send_delay' in result.histograms));
    assert.equal(result.throughput, 200);
    assert.equal(result.latency.latency?.count, 2000);
  });

  it('refuses a schema it does not know', async () => {
    const path = writeJson('v9.json', { ...makeResult({}), schema: 'mqctl.perf.result/v9' });
    await assert.rejects(readResultFile(path), /schema "mqctl\.perf\.result\/v9" is not supported/);
  });

  it('perf compare: a v1 baseline against a v2 run compares the send delay, and gates name it either way', async () => {
    const outcome = await runCompare(
      v1Path,
      v2Path,
      { gate: ['send_delay.p99<1s', 'sendDelay.p99<1s'], 'max-regression': ['send_delay.p99=500%'] },
      plain,
    );
    const row = outcome.rows.find((r) => r.metric === 'send_delay.p99');
    assert.ok(row, outcome.rows.map((r) => r.metric).join(' '));
    assert.ok(row.a !== null && row.a > 0 && row.b !== null && row.b > 0);
    const gates = outcome.report.outcomes.filter((o) => o.metric === 'send_delay.p99');
    assert.equal(gates.length, 3, 'two thresholds and the regression check');
    assert.ok(gates.every((o) => o.passed && o.measured !== null));
  });

  it('perf merge: v1 and v2 shards merge into one v2 document', async () => {
    const out = join(dir, 'merged.json');
    const { merged } = await runMerge([v1Path, v2Path], { result: out }, plain);
    assert.equal(merged.schema, PERF_RESULT_SCHEMA);
    assert.equal(merged.latency.sendDelay?.count, sendDelayA.length + sendDelayB.length);
    assert.ok(!('send_delay' in merged.histograms));
    const written = await readResultFile(out);
    assert.equal(written.histograms.sendDelay?.encoded, merged.histograms.sendDelay?.encoded);
  });

  it('--baseline: a v1 file is a baseline for a v2 run', async () => {
    const options = await parseGateFlags(
      { baseline: v1Path, 'max-regression': ['10%', 'send_delay.p99=500%'] },
      {},
    );
    assert.equal(options.baseline?.result.latency.sendDelay?.count, 2000);
    const current = makeResult({
      histograms: { latency: latencies(2000, 2000, 1), sendDelay: sendDelayA },
      throughput: 200,
    });
    const report = await applyGates(current, options, plain);
    const sendDelay = report.outcomes.find((o) => o.metric === 'send_delay.p99');
    assert.ok(sendDelay?.passed, JSON.stringify(report.outcomes));
    assert.equal(sendDelay.measured !== null, true);
  });
});
