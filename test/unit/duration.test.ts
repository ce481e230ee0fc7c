import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/core/errors';
import { formatBytes, formatDuration, parseDuration, parseInstant, parseSize } from '../../src/util/duration';

// Hand-written examples at the edges of each branch (the properties in properties-duration.test.ts cover
// the general shape; these pin the exact outputs and which error a malformed input gets).

function usageError(f: () => unknown, message: RegExp, hint: RegExp): void {
  assert.throws(f, (error: unknown) => {
    assert.ok(error instanceof UsageError, `threw ${String(error)} instead of a UsageError`);
    assert.match(error.message, message);
    assert.match(error.hint ?? '', hint);
    return true;
  });
}

describe('parseDuration: examples', () => {
  it('parses units, compounds and fractions', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1.25s'), 1250);
    assert.equal(parseDuration('12s'), 12_000);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration(' 7m '), 420_000);
    assert.equal(parseDuration('12', 's'), 12_000);
    assert.equal(parseDuration('1.25', 'ms'), 1.25);
  });

  it('a bare number without a default unit needs a unit, with a hint', () => {
    usageError(() => parseDuration('5'), /"5" needs a unit/, /500ms, 30s/);
  });

  it('empty, blank, a leading or trailing stray character: invalid duration, with a hint', () => {
    for (const text of ['', '   ', 'x5', 'x5s', '5sx', '5 s', '5s!', '.5s', '5.s', 's']) {
      usageError(() => parseDuration(text), /invalid duration/, /1h30m/);
    }
  });
});

describe('parseInstant: examples', () => {
  it('an ISO date or timestamp is parsed as such', () => {
    assert.equal(parseInstant('2026-01-01'), Date.UTC(2026, 0, 1));
    assert.equal(parseInstant('2026-01-01T12:30:00Z'), Date.UTC(2026, 0, 1, 12, 30));
    assert.equal(parseInstant('2026-01-01T00:00:00+01:00'), Date.UTC(2025, 11, 31, 23));
  });

  it('a date-looking text that is no date is an invalid timestamp, with a hint', () => {
    usageError(() => parseInstant('2026-13-45'), /invalid timestamp "2026-13-45"/, /2026-01-01T00:00:00Z/);
    usageError(() => parseInstant('2026-01-01Tnoon'), /invalid timestamp/, /2026-01-01T00:00:00Z/);
  });

  it('exactly 13 digits are epoch milliseconds; other digit runs are durations without a unit', () => {
    assert.equal(parseInstant('1767225600000'), 1_767_225_600_000);
    usageError(() => parseInstant('17672256000001'), /needs a unit/, /30s/);
    usageError(() => parseInstant('176722560000'), /needs a unit/, /30s/);
    // not a date: the date pattern is anchored at the start
    usageError(() => parseInstant('x2026-01-01'), /invalid duration/, /1h30m/);
    // a one-digit day is not the date form (the lenient date parser would take it)
    usageError(() => parseInstant('2026-01-1'), /invalid duration/, /1h30m/);
  });

  it('a duration is that long before now (now defaults to the clock)', () => {
    assert.equal(parseInstant('90s', 1_000_000), 910_000);
    const before = Date.now();
    const at = parseInstant('1h');
    const after = Date.now();
    assert.ok(
      at >= before - 3_600_000 && at <= after - 3_600_000,
      `${at} not an hour before ${before}..${after}`,
    );
  });
});

describe('formatDuration: one example per branch and at each boundary', () => {
  const cases: Array<[number, string]> = [
    [Number.NaN, '-'],
    [Number.POSITIVE_INFINITY, '-'],
    [Number.NEGATIVE_INFINITY, '-'],
    [0, '0µs'],
    [0.5, '500µs'],
    [-0.25, '-250µs'],
    [1, '1.00ms'],
    [9.5, '9.50ms'],
    [-5, '-5.00ms'],
    [10, '10ms'],
    [999, '999ms'],
    [1000, '1.00s'],
    [9990, '9.99s'],
    [10_000, '10.0s'],
    [-12_000, '-12.0s'],
    [59_000, '59.0s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
    [150_400, '2m30s'],
    [3_540_000, '59m0s'],
    [3_600_000, '1h0m'],
    [5_400_000, '1h30m'],
    [5_430_000, '1h31m'],
    [90_000_000, '25h0m'],
  ];
  for (const [ms, text] of cases) {
    it(`${ms} → ${text}`, () => assert.equal(formatDuration(ms), text));
  }
});

describe('parseSize: examples', () => {
  it('plain bytes, decimal and binary units, any case, optional space', () => {
    assert.equal(parseSize('100'), 100);
    assert.equal(parseSize('512b'), 512);
    assert.equal(parseSize('1KiB'), 1024);
    assert.equal(parseSize('4MB'), 4_000_000);
    assert.equal(parseSize('1.5 k'), 1536);
    assert.equal(parseSize(' 2g '), 2_147_483_648);
    assert.equal(parseSize('0.3b'), 0);
  });

  it('an unknown unit, a stray character or nothing: invalid size, with a hint', () => {
    for (const text of ['', 'kb', '1tb', 'x5', '5kb!', '5 kb x', '-1', '1e3']) {
      usageError(() => parseSize(text), /invalid size/, /1KiB, 4MB/);
    }
  });
});

describe('formatBytes: examples', () => {
  const cases: Array<[number, string]> = [
    [Number.NaN, '-'],
    [Number.POSITIVE_INFINITY, '-'],
    [0, '0 B'],
    [1023, '1023 B'],
    [-1023, '-1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [-2048, '-2.0 KiB'],
    [1024 ** 2, '1.0 MiB'],
    [1024 ** 3, '1.0 GiB'],
    [1024 ** 4, '1.0 TiB'],
    [1024 ** 5, '1024.0 TiB'],
  ];
  for (const [bytes, text] of cases) {
    it(`${bytes} → ${text}`, () => assert.equal(formatBytes(bytes), text));
  }
});
