import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyGates, gateFailure } from '../../src/gates';
import {
  baselineOutcomes,
  compareResults,
  differingSettings,
  parseRegressionPolicy,
} from '../../src/gates/baseline';
import { sourceFromResult } from '../../src/gates/metrics';
import { latencies, makeResult } from './gates-fixtures';

describe('baseline comparison', () => {
  const base = makeResult({ histograms: { latency: latencies(5000, 2000, 1) }, throughput: 1000 });
  // the same latencies 30% slower, throughput 5% lower
  const slower = makeResult({
    histograms: { latency: latencies(5000, 2000, 1).map((v) => Math.round(v * 1.3)) },
    throughput: 950,
  });

  it('parses --max-regression: a default and per-metric overrides', () => {
    const policy = parseRegressionPolicy(['10%', 'p99=20%', 'throughput=5%,e2e.p99=50%']);
    assert.equal(policy.defaultMax, 0.1);
    assert.equal(policy.perMetric.get('latency.p99')?.max, 0.2);
    assert.equal(policy.perMetric.get('throughput')?.max, 0.05);
    assert.equal(policy.perMetric.get('e2e.p99')?.max, 0.5);
    assert.throws(() => parseRegressionPolicy(['ten']), /invalid --max-regression/);
    assert.throws(() => parseRegressionPolicy(['bogus=10%']), /unknown metric "bogus"/);
    assert.throws(() => parseRegressionPolicy(['10%', '20%']), /twice/);
    assert.equal(parseRegressionPolicy([]).defaultMax, 0.1);
  });

  it('fails latency that got worse by more than allowed and passes throughput within it', () => {
    const outcomes = baselineOutcomes(
      sourceFromResult(base),
      sourceFromResult(slower),
      parseRegressionPolicy(['10%']),
    );
    const byMetric = new Map(outcomes.map((o) => [o.metric, o]));
    // e2e is not in either run: not compared by default
    assert.deepEqual([...byMetric.keys()], ['throughput', 'latency.p50', 'latency.p99', 'latency.p99.9']);
    assert.equal(byMetric.get('throughput')!.passed, true);
    assert.ok(Math.abs(byMetric.get('throughput')!.changePercent! - -5) < 1e-9);
    for (const m of ['latency.p50', 'latency.p99', 'latency.p99.9']) {
      const o = byMetric.get(m)!;
      assert.equal(o.passed, false, m);
      assert.ok(o.changePercent! > 25 && o.changePercent! < 35, `${m} change ${o.changePercent}`);
      assert.equal(o.kind, 'baseline');
    }
  });

  it('applies per-metric overrides, including tighter ones', () => {
    const outcomes = baselineOutcomes(
      sourceFromResult(base),
      sourceFromResult(slower),
      parseRegressionPolicy(['50%', 'throughput=1%']),
    );
    const byMetric = new Map(outcomes.map((o) => [o.metric, o]));
    assert.equal(byMetric.get('throughput')!.passed, false);
    assert.equal(byMetric.get('latency.p99')!.passed, true);
  });

  it('fails an explicitly compared metric the run has no samples for', () => {
    const outcomes = baselineOutcomes(
      sourceFromResult(base),
      sourceFromResult(slower),
      parseRegressionPolicy(['e2e.p99=10%']),
    );
    const e2e = outcomes.find((o) => o.metric === 'e2e.p99')!;
    assert.equal(e2e.passed, false);
    assert.match(e2e.message, /no samples/);
  });

  it('gates through applyGates with a baseline and exits 99 on regression', async () => {
    const report = await applyGates(structuredClone(slower), {
      gates: [],
      baseline: { path: 'prev.json', result: base },
      regression: parseRegressionPolicy(['10%']),
      abortOnFail: false,
      abortGraceSeconds: 10,
      allowInvalid: false,
    });
    assert.equal(report.passed, false);
    assert.equal(gateFailure(report)?.exitCode, 99);
    const same = await applyGates(structuredClone(base), {
      gates: [],
      baseline: { path: 'prev.json', result: base },
      regression: parseRegressionPolicy(['0%']),
      abortOnFail: false,
      abortGraceSeconds: 10,
      allowInvalid: false,
    });
    assert.equal(same.passed, true, same.table);
  });

  it('builds the side-by-side compare rows with verdicts', () => {
    const rows = compareResults(sourceFromResult(base), sourceFromResult(slower));
    const p99 = rows.find((r) => r.metric === 'latency.p99')!;
    assert.equal(p99.verdict, 'worse');
    assert.match(p99.changeText, /^\+\d+\.\d%$/);
    const throughput = rows.find((r) => r.metric === 'throughput')!;
    assert.equal(throughput.verdict, 'worse');
    assert.equal(throughput.a, 1000);
    assert.equal(throughput.b, 950);
    assert.equal(
      rows.find((r) => r.metric === 'e2e.p99'),
      undefined,
    );
    const reversed = compareResults(sourceFromResult(slower), sourceFromResult(base));
    assert.equal(reversed.find((r) => r.metric === 'latency.p99')!.verdict, 'better');
  });
});

describe('perf compare: no verdict from noise, counts or different experiments (issue 12 item 9)', () => {
  it('a 0.005 % change is "same", not "better"', () => {
    const a = makeResult({ histograms: { latency: latencies(2000, 2000, 1) }, throughput: 1000 });
    const b = makeResult({ histograms: { latency: latencies(2000, 2000, 1) }, throughput: 1000.05 });
    const rows = compareResults(sourceFromResult(a), sourceFromResult(b));
    assert.equal(rows.find((r) => r.metric === 'throughput')!.verdict, 'same');
    // outside the band the verdict stays
    const c = makeResult({ histograms: { latency: latencies(2000, 2000, 1) }, throughput: 1100 });
    assert.equal(
      compareResults(sourceFromResult(a), sourceFromResult(c)).find((r) => r.metric === 'throughput')!
        .verdict,
      'better',
    );
  });
  it('sent/acked of a 10 s and an 8 s run are counts, not "−20 % worse"', () => {
    const ten = makeResult({ histograms: { latency: latencies(10_000, 2000, 1) }, durationSeconds: 10 });
    const eight = makeResult({ histograms: { latency: latencies(8_000, 2000, 1) }, durationSeconds: 8 });
    const rows = compareResults(sourceFromResult(ten), sourceFromResult(eight));
    for (const metric of ['sent', 'acked']) {
      const row = rows.find((r) => r.metric === metric)!;
      assert.equal(row.verdict, 'count', metric);
      assert.equal(row.changeText, '-20.0%');
    }
  });
  it('lists the settings that differ between the runs (the topic name aside)', () => {
    assert.deepEqual(
      differingSettings(
        { topic: 'a', rate: 1000, durationSeconds: 10, kafka: { acks: 'all', linger: 0 } },
        { topic: 'b', rate: 1000, durationSeconds: 8, kafka: { acks: 1, linger: 0 }, threads: 2 },
      ),
      [
        { setting: 'durationSeconds', a: '10', b: '8' },
        { setting: 'kafka.acks', a: 'all', b: '1' },
        { setting: 'threads', a: '-', b: '2' },
      ],
    );
  });
});
