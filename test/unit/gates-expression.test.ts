import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, UsageError } from '../../src/core/errors';
import { compare, parseGate } from '../../src/gates/expression';

function usage(expression: string, pattern: RegExp) {
  assert.throws(
    () => parseGate(expression),
    (error: unknown) => {
      assert.ok(error instanceof UsageError, `expected UsageError for ${expression}`);
      assert.equal(error.exitCode, ExitCode.USAGE);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('gate expression parser', () => {
  it('parses the forms of the issue, with units to microseconds', () => {
    const cases: Array<[string, string, string, number]> = [
      ['p99<20ms', 'latency.p99', '<', 20_000],
      ['p99.9<=50ms', 'latency.p99.9', '<=', 50_000],
      ['e2e.p99<100ms', 'e2e.p99', '<', 100_000],
      ['service.p99<5ms', 'service.p99', '<', 5000],
      ['send_delay.p99<5ms', 'send_delay.p99', '<', 5000],
      ['send_delay_p99<5ms', 'send_delay.p99', '<', 5000],
      ['max<1s', 'latency.max', '<', 1_000_000],
      ['p99<1us', 'latency.p99', '<', 1],
      ['p99<1µs', 'latency.p99', '<', 1],
      ['p50 < 500ns', 'latency.p50', '<', 0.5],
      ['e2e.max<2m', 'e2e.max', '<', 120_000_000],
      ['p(99.9) < 2000ms', 'latency.p99.9', '<', 2_000_000],
      ['p999<50ms', 'latency.p99.9', '<', 50_000],
      ['p9999<50ms', 'latency.p99.99', '<', 50_000],
      ['med<3ms', 'latency.p50', '<', 3000],
      ['mean<3ms', 'latency.mean', '<', 3000],
    ];
    for (const [text, metric, op, threshold] of cases) {
      const gate = parseGate(text);
      assert.equal(gate.metric.name, metric, text);
      assert.equal(gate.op, op, text);
      assert.equal(gate.threshold, threshold, text);
      assert.equal(gate.metric.kind, 'latency', text);
    }
  });

  it('parses scalar metrics: throughput, mb_per_sec, errors, error_rate, counts, duration', () => {
    assert.deepEqual(pick(parseGate('throughput>=45000')), ['throughput', '>=', 45000]);
    assert.deepEqual(pick(parseGate('throughput >= 45k')), ['throughput', '>=', 45000]);
    assert.deepEqual(pick(parseGate('throughput>=45000msg/s')), ['throughput', '>=', 45000]);
    assert.deepEqual(pick(parseGate('throughput>45000/s')), ['throughput', '>', 45000]);
    assert.deepEqual(pick(parseGate('mb_per_sec>=4')), ['mb_per_sec', '>=', 4]);
    assert.deepEqual(pick(parseGate('mb_per_sec>=4MB/s')), ['mb_per_sec', '>=', 4]);
    assert.deepEqual(pick(parseGate('errors==0')), ['errors', '==', 0]);
    assert.deepEqual(pick(parseGate('errors===0')), ['errors', '==', 0]);
    assert.deepEqual(pick(parseGate('errors!=5')), ['errors', '!=', 5]);
    assert.deepEqual(pick(parseGate('acked>=1000')), ['acked', '>=', 1000]);
    assert.deepEqual(pick(parseGate('duration>=30s')), ['duration', '>=', 30]);
    assert.deepEqual(pick(parseGate('e2e.count>0')), ['e2e.count', '>', 0]);
  });

  it('reads error_rate as a percentage or a fraction', () => {
    const pct = parseGate('error_rate<0.1%');
    assert.equal(pct.metric.name, 'error_rate');
    assert.ok(Math.abs(pct.threshold - 0.001) < 1e-12);
    assert.equal(pct.thresholdText, '0.1%');
    assert.equal(parseGate('error_rate<0.001').threshold, 0.001);
    assert.equal(parseGate('error_rate<=1').threshold, 1);
  });

  it('rejects malformed expressions with a usage error naming the problem', () => {
    usage('p99', /no comparison operator/);
    usage('', /empty/);
    usage('p99<', /no value/);
    usage('<20ms', /no metric/);
    usage('p99=20ms', /use ==/);
    usage('p99<<20ms', /more than one operator/);
    usage('p99<20', /needs a time unit/);
    usage('max<1', /needs a time unit/);
    usage('p99<20parsecs', /unknown time unit/);
    usage('p99<fast', /not a number/);
    usage('latency<20ms', /unknown metric/);
    usage('p101<20ms', /unknown metric/);
    usage('p0<20ms', /unknown metric/);
    usage('bogus>=1', /unknown metric/);
    usage('error_rate<5', /ambiguous/);
    usage('error_rate<5ms', /unknown unit/);
    usage('throughput>=45000ms', /unknown throughput unit/);
    usage('errors==0ms', /takes no unit/);
    usage('duration>=30', /needs a time unit/);
    usage('mb_per_sec>=4GB/s', /unknown unit/);
  });

  it('compares with each operator', () => {
    assert.equal(compare(1, '<', 2), true);
    assert.equal(compare(2, '<', 2), false);
    assert.equal(compare(2, '<=', 2), true);
    assert.equal(compare(3, '>', 2), true);
    assert.equal(compare(2, '>=', 2), true);
    assert.equal(compare(2, '==', 2), true);
    assert.equal(compare(2, '!=', 2), false);
  });
});

function pick(gate: ReturnType<typeof parseGate>): [string, string, number] {
  return [gate.metric.name, gate.op, gate.threshold];
}
