import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AbortEvaluator, isCertainFailure } from '../../src/gates/abort';
import { parseGate } from '../../src/gates/expression';
import { parseRegressionPolicy } from '../../src/gates/baseline';
import { GateSession } from '../../src/gates/session';
import { histogramOf, makeResult } from './gates-fixtures';

describe('abort on fail', () => {
  const gates = ['errors==0', 'p99<5ms', 'throughput>=1000', 'max<1s'].map(parseGate);

  it('knows which failures are final', () => {
    assert.deepEqual(gates.map(isCertainFailure), [true, false, false, true]);
    assert.equal(isCertainFailure(parseGate('errors>5')), false);
  });

  it('aborts at once on a certain failure, even inside the grace period', () => {
    const evaluator = new AbortEvaluator(gates, { graceSeconds: 10, allGates: true });
    assert.equal(evaluator.check({ elapsedSeconds: 1, sent: 100, acked: 100, errors: 0 }), undefined);
    const decision = evaluator.check({ elapsedSeconds: 2, sent: 200, acked: 199, errors: 1 });
    assert.equal(decision?.gate.expression, 'errors==0');
    assert.equal(decision?.certain, true);
    assert.match(decision!.reason, /cannot pass any more/);
  });

  it('waits for the grace period before aborting on percentiles and rates', () => {
    const evaluator = new AbortEvaluator([parseGate('p99<5ms')], { graceSeconds: 10, allGates: true });
    const slow = { latency: histogramOf(Array.from({ length: 1000 }, () => 20_000)) };
    assert.equal(
      evaluator.check({ elapsedSeconds: 5, sent: 1000, acked: 1000, errors: 0, histograms: slow }),
      undefined,
    );
    const decision = evaluator.check({
      elapsedSeconds: 10,
      sent: 2000,
      acked: 2000,
      errors: 0,
      histograms: slow,
    });
    assert.equal(decision?.certain, false);
    assert.match(decision!.reason, /failing after 10s, grace 10s/);
    const fast = { latency: histogramOf(Array.from({ length: 1000 }, () => 1000)) };
    assert.equal(
      evaluator.check({ elapsedSeconds: 30, sent: 1, acked: 1, errors: 0, histograms: fast }),
      undefined,
    );
  });

  it('honours a per-gate delayAbortEval and only watches abortOnFail gates without the flag', () => {
    const gate = parseGate('throughput>=1000');
    gate.abortOnFail = true;
    gate.delayAbortEvalSeconds = 30;
    const other = parseGate('errors==0');
    const evaluator = new AbortEvaluator([gate, other], { graceSeconds: 5, allGates: false });
    assert.equal(evaluator.active, true);
    // errors is not watched; throughput 10 msg/s fails but only after 30 s
    assert.equal(evaluator.check({ elapsedSeconds: 20, sent: 200, acked: 200, errors: 9 }), undefined);
    assert.equal(evaluator.check({ elapsedSeconds: 30, sent: 300, acked: 300, errors: 9 })?.gate, gate);
    assert.equal(new AbortEvaluator([other], { graceSeconds: 5, allGates: false }).active, false);
  });

  it('decides from interval lines alone (counts and max latency)', () => {
    const evaluator = new AbortEvaluator([parseGate('max<100ms'), parseGate('p99<1us')], {
      graceSeconds: 0,
      allGates: true,
    });
    const line = (t: number, max: number) => ({
      t,
      sent: 10,
      acked: 10,
      errors: 0,
      rate: 2,
      mbPerSec: 0,
      p50: 1,
      p99: 2,
      max,
    });
    assert.equal(
      evaluator.checkIntervals([line(5, 50)]),
      undefined,
      'p99 has no histogram: no verdict during the run',
    );
    const decision = evaluator.checkIntervals([line(5, 50), line(10, 150)]);
    assert.equal(decision?.gate.expression, 'max<100ms');
    assert.match(decision!.reason, /150ms/);
  });
});

describe('gate session (what perf commands call)', () => {
  it('aborts the run signal when an interval shows a gate can no longer pass', async () => {
    const session = new GateSession({
      gates: [parseGate('errors==0')],
      regression: parseRegressionPolicy([]),
      abortOnFail: true,
      abortGraceSeconds: 10,
      allowInvalid: false,
    });
    const base = new AbortController();
    const signal = session.signal(base.signal);
    const notes: string[] = [];
    session.onInterval(
      { t: 1, sent: 10, acked: 10, errors: 0, rate: 10, mbPerSec: 0, p50: 1, p99: 1, max: 1 },
      (n) => notes.push(n),
    );
    assert.equal(signal.aborted, false);
    session.onInterval(
      { t: 2, sent: 10, acked: 9, errors: 1, rate: 10, mbPerSec: 0, p50: 1, p99: 1, max: 1 },
      (n) => notes.push(n),
    );
    assert.equal(signal.aborted, true);
    assert.match(notes[0]!, /aborting the run: gate errors==0/);
    assert.equal(session.abortDecision?.certain, true);
    await session.evaluate(makeResult({ histograms: { latency: [1000] }, errors: 1 }));
    assert.match(session.tableText(), /errors==0 .*✗ FAIL/);
    assert.match(session.tableText(), /run aborted after 2s/);
    assert.equal(session.failure()?.exitCode, 99);
    assert.match(session.failure()!.message, /aborted early by errors==0/);
  });

  it('leaves the base signal alone without --abort-on-fail', () => {
    const session = new GateSession({
      gates: [parseGate('errors==0')],
      regression: parseRegressionPolicy([]),
      abortOnFail: false,
      abortGraceSeconds: 10,
      allowInvalid: false,
    });
    const base = new AbortController();
    assert.equal(session.signal(base.signal), base.signal);
  });
});

describe('gate session with interval histograms', () => {
  it('aborts on a percentile gate after the grace period, from cumulative interval histograms', () => {
    const gate = parseGate('p99<5ms');
    const session = new GateSession({
      gates: [gate],
      regression: parseRegressionPolicy([]),
      abortOnFail: true,
      abortGraceSeconds: 2,
      allowInvalid: false,
    });
    const signal = session.signal(new AbortController().signal);
    const row = (t: number) => ({
      t,
      sent: 100,
      acked: 100,
      errors: 0,
      rate: 100,
      mbPerSec: 0,
      p50: 1,
      p99: 1,
      max: 1,
    });
    // first second fast, then slow: the cumulative p99 crosses 5 ms
    session.onIntervalHistograms(
      new Map([['latency', histogramOf(Array.from({ length: 100 }, () => 1000))]]),
    );
    session.onInterval(row(1));
    assert.equal(signal.aborted, false);
    const slow = histogramOf(Array.from({ length: 100 }, () => 30_000));
    session.onIntervalHistograms(new Map([['latency', slow]]));
    slow.reset(); // the engine may reuse its interval histograms: the session must have copied the counts
    session.onInterval(row(2));
    assert.equal(signal.aborted, true);
    assert.match(
      session.abortDecision!.reason,
      /latency\.p99 = 30(\.\d+)?ms, wanted < 5ms \(failing after 2s, grace 2s\)/,
    );
  });
});
