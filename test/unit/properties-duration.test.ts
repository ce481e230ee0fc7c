import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../src/core/errors';
import { formatDuration, parseDuration, parseInstant, parseSize } from '../../src/util/duration';

// The oracle tables are written out here, not imported: a wrong factor in src/ must fail these tests.
const MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const BYTES: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1024,
  mib: 1_048_576,
  gib: 1_073_741_824,
  k: 1024,
  m: 1_048_576,
  g: 1_073_741_824,
};

const decimal = fc
  .tuple(
    fc.integer({ min: 0, max: 100_000 }),
    fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
  )
  .map(([whole, frac]) => (frac === undefined ? `${whole}` : `${whole}.${frac}`));

/** Any other error than a UsageError (exit 2) is a crash the user sees as a stack. */
function usageOrValue<T>(f: () => T): T | UsageError {
  try {
    return f();
  } catch (error) {
    assert.ok(error instanceof UsageError, `threw ${String(error)} instead of a UsageError`);
    assert.equal(error.exitCode, 2);
    return error;
  }
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe('duration and size parsing (properties)', () => {
  it('a sequence of number+unit parts is the sum of its parts, whitespace around it ignored', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(decimal, fc.constantFrom(...Object.keys(MS))), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('', ' ', '\t', '  '),
        (parts, pad) => {
          const text = pad + parts.map(([n, u]) => n + u).join('') + pad;
          const expected = parts.reduce((sum, [n, u]) => sum + Number(n) * MS[u]!, 0);
          assert.ok(close(parseDuration(text), expected), `${text}: ${parseDuration(text)} != ${expected}`);
        },
      ),
    );
  });

  it('a bare number needs a unit, and takes the default unit when one is given', () => {
    fc.assert(
      fc.property(decimal, fc.constantFrom(...Object.keys(MS)), (n, unit) => {
        const refused = usageOrValue(() => parseDuration(n));
        assert.ok(refused instanceof UsageError, `"${n}" accepted without a unit`);
        assert.match(refused.message, /needs a unit/);
        assert.ok(close(parseDuration(n, unit as 'ms'), Number(n) * MS[unit]!));
      }),
    );
  });

  it('any text is either a duration ≥ 0 or a UsageError, and a stray character is refused', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        const r = usageOrValue(() => parseDuration(text));
        if (typeof r === 'number') assert.ok(Number.isFinite(r) && r >= 0, `${JSON.stringify(text)} → ${r}`);
      }),
    );
    fc.assert(
      fc.property(
        decimal,
        fc.constantFrom(...Object.keys(MS)),
        fc.constantFrom('x', '-', '+', ',', '5', 'ss'),
        (n, u, junk) => {
          const text = `${n}${u}${junk}`;
          // "5" after a unit is a number without a unit, "ss" after s is an unknown unit
          assert.ok(usageOrValue(() => parseDuration(text)) instanceof UsageError, `"${text}" accepted`);
        },
      ),
    );
  });

  it('formatDuration reads back through parseDuration within its rounding', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 30 * 86_400_000, noNaN: true }), (ms) => {
        const text = formatDuration(ms);
        const back = parseDuration(text);
        // the coarsest roundings: whole ms under 1 s, whole minutes past an hour (≤ 0.84 %)
        assert.ok(Math.abs(back - ms) <= Math.max(0.5, 0.0084 * ms), `${ms} → ${text} → ${back}`);
      }),
    );
  });

  it('parseInstant: 13 digits are epoch ms, a date is parsed, a duration means that long ago', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000_000_000, max: 9_999_999_999_999 }),
        fc.integer({ min: 0, max: 10_000 }),
        (epoch, secondsAgo) => {
          assert.equal(parseInstant(String(epoch)), epoch);
          assert.equal(parseInstant(new Date(epoch).toISOString()), epoch);
          assert.equal(parseInstant(`${secondsAgo}s`, epoch), epoch - secondsAgo * 1000);
        },
      ),
    );
  });

  it('a size is its number times the unit (any case, optional space), rounded to whole bytes', () => {
    fc.assert(
      fc.property(
        decimal,
        fc.constantFrom('', ...Object.keys(BYTES)),
        fc.constantFrom('', ' '),
        fc.boolean(),
        (n, unit, space, upper) => {
          const text = `${n}${unit ? space : ''}${upper ? unit.toUpperCase() : unit}`;
          assert.equal(parseSize(text), Math.round(Number(n) * (unit ? BYTES[unit]! : 1)), text);
        },
      ),
    );
  });

  it('any text is either a whole size ≥ 0 or a UsageError; an unknown unit is refused', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), (text) => {
        const r = usageOrValue(() => parseSize(text));
        if (typeof r === 'number') assert.ok(Number.isInteger(r) && r >= 0, `${JSON.stringify(text)} → ${r}`);
      }),
    );
    fc.assert(
      fc.property(
        decimal,
        fc.stringMatching(/^[a-z]{1,4}$/).filter((u) => !(u in BYTES)),
        (n, unit) => {
          assert.ok(
            usageOrValue(() => parseSize(`${n}${unit}`)) instanceof UsageError,
            `${n}${unit} accepted`,
          );
        },
      ),
    );
  });
});
