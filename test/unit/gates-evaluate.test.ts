import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyGates, gateFailure } from '../../src/gates';
import { evaluateGates } from '../../src/gates/evaluate';
import { parseGate } from '../../src/gates/expression';
import { sourceFromResult } from '../../src/gates/metrics';
import { parseRegressionPolicy } from '../../src/gates/baseline';
import { decodeHistogram, encodeHistogram } from '../../src/gates/histogram';
import { histogramOf, latencies, makeResult } from './gates-fixtures';

const noFiles = {
  regression: parseRegressionPolicy([]),
  abortOnFail: false,
  abortGraceSeconds: 10,
  allowInvalid: false,
};

describe('gate evaluation', () => {
  const values = latencies(10_000, 2000, 7);
  // read back through the encoding, as every reader of a result file does (max is bucket-exact there)
  const reference = decodeHistogram(encodeHistogram(histogramOf(values)));
  const result = makeResult({ histograms: { latency: values }, errors: 0, throughput: 1000, mbPerSec: 4.2 });
  const source = sourceFromResult(result);

  it('measures percentiles from the encoded histogram exactly as HdrHistogram does', () => {
    const [p99, p999, max] = evaluateGates(
      [parseGate('p99<1s'), parseGate('p99.9<1s'), parseGate('max<1s')],
      source,
    );
    assert.equal(p99!.measured, reference.getValueAtPercentile(99) / 1000);
    assert.equal(p999!.measured, reference.getValueAtPercentile(99.9) / 1000);
    assert.equal(max!.measured, reference.maxValue / 1000);
    assert.equal(p99!.unit, 'ms');
    assert.ok(p99!.passed && p999!.passed && max!.passed);
  });

  it('measures percentiles within HdrHistogram precision of the exact ones, computed from the raw values (no histogram code)', () => {
    // expected values independent of the histogram code under test (#18 item 7): nearest rank over the
    // sorted recordings; 3 significant digits allow the bucket's upper end, at most 1/1024 above
    const sorted = [...values].sort((a, b) => a - b);
    const exact = (p: number) => sorted[Math.ceil(Math.round(p * sorted.length * 1e6) / 1e8) - 1]! / 1000;
    const [p50, p99, p999, max] = evaluateGates(
      [parseGate('p50<1s'), parseGate('p99<1s'), parseGate('p99.9<1s'), parseGate('max<1s')],
      source,
    );
    for (const [outcome, want] of [
      [p50, exact(50)],
      [p99, exact(99)],
      [p999, exact(99.9)],
      [max, sorted[sorted.length - 1]! / 1000],
    ] as const) {
      assert.ok(
        outcome!.measured! >= want && outcome!.measured! <= want * (1 + 1 / 1024) + 0.001,
        `${outcome!.expression}: measured ${outcome!.measured} ms, exact ${want} ms`,
      );
    }
    // and a fixture whose answer is known by hand: 990 x 1 ms and 10 x 50 ms
    const known = sourceFromResult(
      makeResult({ histograms: { latency: [...Array(990).fill(1000), ...Array(10).fill(50_000)] } }),
    );
    const [k99, k995] = evaluateGates([parseGate('p99<1s'), parseGate('p99.5<1s')], known);
    assert.ok(k99!.measured! >= 1 && k99!.measured! <= 1.001, `p99 ${k99!.measured}`);
    assert.ok(k995!.measured! >= 50 && k995!.measured! <= 50.05, `p99.5 ${k995!.measured}`);
  });

  it('passes and fails on the threshold, in both directions', () => {
    const p99ms = reference.getValueAtPercentile(99) / 1000;
    const [below, above, impossible] = evaluateGates(
      [parseGate(`p99<=${p99ms}ms`), parseGate(`p99<${p99ms}ms`), parseGate('p99<1us')],
      source,
    );
    assert.equal(below!.passed, true);
    assert.equal(above!.passed, false);
    assert.equal(impossible!.passed, false);
    assert.match(impossible!.message, /latency\.p99 = .*ms, wanted < 1us/);
  });

  it('evaluates scalars: throughput, mb_per_sec, errors, error_rate', () => {
    const outcomes = evaluateGates(
      [
        parseGate('throughput>=1000'),
        parseGate('throughput>1000'),
        parseGate('mb_per_sec>=4'),
        parseGate('errors==0'),
        parseGate('error_rate<0.1%'),
      ],
      source,
    );
    assert.deepEqual(
      outcomes.map((o) => o.passed),
      [true, false, true, true, true],
    );
    const withErrors = sourceFromResult(makeResult({ histograms: { latency: values }, errors: 20 }));
    const [errors, rate] = evaluateGates([parseGate('errors==0'), parseGate('error_rate<0.1%')], withErrors);
    assert.equal(errors!.passed, false);
    assert.equal(errors!.measured, 20);
    assert.equal(rate!.passed, false);
    assert.ok(Math.abs(rate!.measured! - (20 / 10_020) * 100) < 1e-9);
    assert.equal(rate!.unit, '%');
  });

  it('fails a gate over a metric with no samples, saying so', () => {
    const empty = makeResult({ histograms: { latency: values, e2e: [] } });
    const [e2e, service, received] = evaluateGates(
      [parseGate('e2e.p99<100ms'), parseGate('service.p99<5ms'), parseGate('received>=1')],
      sourceFromResult(empty),
    );
    for (const o of [e2e!, service!, received!]) {
      assert.equal(o.passed, false);
      assert.equal(o.measured, null);
      assert.match(o.message, /no samples|recorded no|no service/);
    }
  });

  it('fails the gates of an invalid (generator-bound) run by default, with the reason', async () => {
    const invalid = makeResult({
      histograms: { latency: values },
      valid: false,
      invalidReason: 'send delay p99 12ms',
    });
    const report = await applyGates(invalid, { ...noFiles, gates: [parseGate('p99<1s')] });
    assert.equal(report.passed, false);
    assert.equal(report.outcomes[0]!.kind, 'validity');
    assert.match(report.outcomes[0]!.message, /send delay p99 12ms/);
    assert.equal(gateFailure(report)?.exitCode, 99);
    const allowed = await applyGates(invalid, {
      ...noFiles,
      allowInvalid: true,
      gates: [parseGate('p99<1s')],
    });
    assert.equal(allowed.passed, true);
    assert.equal(invalid.gates?.length, 2);
  });

  it('attaches outcomes to the result and renders a gate table', async () => {
    const r = makeResult({ histograms: { latency: values } });
    const report = await applyGates(r, { ...noFiles, gates: [parseGate('p99<1us'), parseGate('errors==0')] });
    assert.equal(report.failed, 1);
    assert.deepEqual(
      r.gates?.map((g) => [g.expression, g.passed]),
      [
        ['p99<1us', false],
        ['errors==0', true],
      ],
    );
    assert.match(report.table, /GATE\s+MEASURED\s+RESULT/);
    assert.match(report.table, /p99<1us .*✗ FAIL/);
    assert.match(report.table, /errors==0 .*✓ pass/);
    assert.equal(report.summaryLine, 'gates: 1 passed, 1 failed');
    const error = gateFailure(report)!;
    assert.match(error.message, /1 of 2 gates failed: p99<1us \(measured/);
  });

  it('has no verdict without gates', async () => {
    const r = makeResult({ histograms: { latency: values }, valid: false });
    const report = await applyGates(r, { ...noFiles, gates: [] });
    assert.equal(report.passed, true);
    assert.deepEqual(report.outcomes, []);
    assert.equal(gateFailure(report), undefined);
  });
});
