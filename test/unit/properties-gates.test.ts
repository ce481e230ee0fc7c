import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../src/core/errors';
import { compare, parseGate, parsePercent, type Operator } from '../../src/gates/expression';

// Oracle factors, written out here (µs for latency, seconds for duration).
const TIME_US: Record<string, number> = {
  ns: 0.001,
  us: 1,
  µs: 1,
  μs: 1,
  ms: 1000,
  s: 1_000_000,
  m: 60_000_000,
};
const OPS = ['<', '<=', '>', '>=', '==', '!='] as const;
const truth: Record<Operator, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};
const NEGATION: Record<Operator, Operator> = {
  '<': '>=',
  '<=': '>',
  '>': '<=',
  '>=': '<',
  '==': '!=',
  '!=': '==',
};

const decimal = fc
  .tuple(fc.integer({ min: 0, max: 99_999 }), fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }))
  .map(([whole, frac]) => (frac === undefined ? `${whole}` : `${whole}.${frac}`));
const space = fc.constantFrom('', ' ', '  ');
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

function usageOrValue<T>(f: () => T): T | UsageError {
  try {
    return f();
  } catch (error) {
    assert.ok(error instanceof UsageError, `threw ${String(error)} instead of a UsageError`);
    return error;
  }
}

describe('gate expressions (properties)', () => {
  it('a latency gate: metric, operator and threshold in µs, whatever the spacing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          ['p99', 'latency.p99'],
          ['p50', 'latency.p50'],
          ['P99.9', 'latency.p99.9'],
          ['e2e.p99', 'e2e.p99'],
          ['e2e_p99', 'e2e.p99'],
          ['send_delay.p95', 'send_delay.p95'],
          ['max', 'latency.max'],
        ),
        fc.constantFrom(...OPS),
        decimal,
        fc.constantFrom(...Object.keys(TIME_US)),
        space,
        space,
        ([written, name], op, n, unit, s1, s2) => {
          const gate = parseGate(`${s1}${written}${s1}${op}${s2}${n}${unit}${s2}`);
          assert.equal(gate.metric.name, name);
          assert.equal(gate.metric.kind, 'latency');
          assert.equal(gate.op, op);
          assert.ok(close(gate.threshold, Number(n) * TIME_US[unit]!), `${gate.threshold} != ${n}${unit}`);
          assert.equal(gate.thresholdText, `${n}${unit === 'μs' ? 'µs' : unit}`);
        },
      ),
    );
  });

  it('throughput takes k/m suffixes and /s spellings; counts take k/m; error_rate takes % or a fraction ≤ 1', () => {
    fc.assert(
      fc.property(
        decimal,
        fc.constantFrom(['', 1], ['k', 1000], ['K', 1000], ['m', 1_000_000]),
        fc.constantFrom('', '/s', 'msg/s', 'msgs/s'),
        (n, [suffix, factor], per) => {
          assert.ok(
            close(parseGate(`throughput>=${n}${suffix}${per}`).threshold, Number(n) * (factor as number)),
          );
          assert.ok(close(parseGate(`errors<=${n}${suffix}`).threshold, Number(n) * (factor as number)));
        },
      ),
    );
    fc.assert(
      fc.property(decimal, (n) => {
        assert.ok(close(parseGate(`error_rate<${n}%`).threshold, Number(n) / 100));
        const fraction = usageOrValue(() => parseGate(`error_rate<${n}`));
        if (Number(n) <= 1)
          assert.ok(!(fraction instanceof UsageError) && close(fraction.threshold, Number(n)));
        else assert.ok(fraction instanceof UsageError && /ambiguous/.test(fraction.message), `${n} accepted`);
      }),
    );
  });

  it('a latency or duration threshold without a time unit, or with an unknown one, is a UsageError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('p99', 'e2e.p50', 'duration', 'max'),
        fc.constantFrom(...OPS),
        decimal,
        fc.constantFrom('', 'sec', 'h', 'x', 'msec', 'mss'),
        (metric, op, n, unit) => {
          const r = usageOrValue(() => parseGate(`${metric}${op}${n}${unit}`));
          assert.ok(r instanceof UsageError, `${metric}${op}${n}${unit} accepted`);
        },
      ),
    );
  });

  it('any text parses to a gate or is refused with a UsageError (never another error)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc
            .tuple(
              fc.constantFrom('p99', 'throughput', 'error_rate', 'errors', 'x'),
              fc.string({ maxLength: 3 }),
              fc.string({ maxLength: 8 }),
            )
            .map(([m, o, v]) => m + o + v),
        ),
        (text) => {
          const r = usageOrValue(() => parseGate(text));
          if (!(r instanceof UsageError)) {
            assert.ok(Number.isFinite(r.threshold) && r.threshold >= 0);
            assert.ok((OPS as readonly string[]).includes(r.op));
          }
        },
      ),
    );
  });

  it('"=" alone and two operators are refused; "===" means "=="', () => {
    fc.assert(
      fc.property(decimal, fc.constantFrom(...OPS), (n, op) => {
        assert.ok(usageOrValue(() => parseGate(`errors=${n}`)) instanceof UsageError);
        assert.ok(usageOrValue(() => parseGate(`errors${op}${n}${op}1`)) instanceof UsageError);
        assert.equal(parseGate(`errors===${n}`).op, '==');
      }),
    );
  });

  it('compare agrees with the operator, and each operator is the negation of its opposite', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPS),
        fc.integer({ min: -5, max: 5 }),
        fc.integer({ min: -5, max: 5 }),
        (op, a, b) => {
          assert.equal(compare(a, op, b), truth[op](a, b), `${a} ${op} ${b}`);
          assert.equal(compare(a, NEGATION[op], b), !compare(a, op, b));
        },
      ),
    );
  });

  it('parsePercent: n% is n/100, a fraction ≤ 1 is itself, a bare number > 1 is ambiguous', () => {
    fc.assert(
      fc.property(decimal, space, (n, s) => {
        assert.ok(close(parsePercent(`${n}${s}%`, 'x'), Number(n) / 100));
        const bare = usageOrValue(() => parsePercent(n, 'x'));
        if (Number(n) <= 1) assert.equal(bare, Number(n));
        else assert.ok(bare instanceof UsageError);
      }),
    );
  });
});
