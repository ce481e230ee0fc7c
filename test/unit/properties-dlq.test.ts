import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../src/core/errors';
import { buildFilter, compileExpression } from '../../src/dlq/filter';
import {
  decodeReplayMark,
  decodeSpringNumber,
  headerText,
  kafkaHeadersToText,
  replayHeaders,
} from '../../src/dlq/headers';
import type { DlqMessage } from '../../src/dlq/types';

function message(headers: Record<string, string>, payload = '{}'): DlqMessage {
  return {
    dlq: 'd',
    position: '0',
    payload: Buffer.from(payload),
    headers,
    origin: { convention: 'unknown' },
    error: {},
    replay: { count: 0 },
  };
}

/** A --where expression tree and the truth it must have on a message, computed here. */
type Tree =
  { atom: [string, string, boolean] } | { not: Tree } | { and: [Tree, Tree] } | { or: [Tree, Tree] };

const headerName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/);
// any printable text, quotes and backslashes included (escaped in the expression)
// eslint-disable-next-line no-control-regex
const value = fc.string({ maxLength: 8 }).filter((s) => !/[\u0000-\u001f]/.test(s));
const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(headerName, value, fc.boolean()).map((atom) => ({ atom }) as Tree),
    tie('t').map((t) => ({ not: t }) as Tree),
    fc.tuple(tie('t'), tie('t')).map((p) => ({ and: p }) as Tree),
    fc.tuple(tie('t'), tie('t')).map((p) => ({ or: p }) as Tree),
  ),
})).t;

function text(t: Tree): string {
  if ('atom' in t) return `header.${t.atom[0]} ${t.atom[2] ? '==' : '!='} ${quote(t.atom[1])}`;
  if ('not' in t) return `not (${text(t.not)})`;
  if ('and' in t) return `(${text(t.and[0])}) and (${text(t.and[1])})`;
  return `(${text(t.or[0])}) or (${text(t.or[1])})`;
}

function truth(t: Tree, headers: Record<string, string>): boolean {
  if ('atom' in t) {
    const [name, v, equal] = t.atom;
    const actual = headers[name];
    // a missing header equals no value; two numbers compare as numbers (`1` == `1.0`)
    const numeric = (x: string | undefined) =>
      x !== undefined && x.trim() !== '' && Number.isFinite(Number(x)) ? Number(x) : undefined;
    const same =
      actual !== undefined &&
      (numeric(actual) !== undefined && numeric(v) !== undefined
        ? numeric(actual) === numeric(v)
        : actual === v);
    return equal ? same : !same;
  }
  if ('not' in t) return !truth(t.not, headers);
  if ('and' in t) return truth(t.and[0], headers) && truth(t.and[1], headers);
  return truth(t.or[0], headers) || truth(t.or[1], headers);
}

describe('--where filters (properties)', () => {
  it('and / or / not of header comparisons evaluate as boolean logic, any quoted value', () => {
    fc.assert(
      fc.property(tree, fc.dictionary(headerName, value, { maxKeys: 4 }), (t, headers) => {
        const source = text(t);
        assert.equal(compileExpression(source)(message(headers), 0), truth(t, headers), source);
      }),
      { numRuns: 300 },
    );
  });

  it('"and" binds tighter than "or" without parentheses', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 3, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        (values, ors) => {
          const headers = Object.fromEntries(values.map((v, i) => [`h${i}`, v ? 'y' : 'n']));
          let source = 'header.h0 == y';
          for (let i = 1; i < values.length; i++) source += ` ${ors[i - 1] ? 'or' : 'and'} header.h${i} == y`;
          // oracle: split at "or", each part a conjunction
          const expected = source
            .split(' or ')
            .some((part) =>
              part.split(' and ').every((atom) => headers[atom.slice(7, atom.indexOf(' '))] === 'y'),
            );
          assert.equal(compileExpression(source)(message(headers), 0), expected, source);
        },
      ),
    );
  });

  it('several --where are combined with and', () => {
    // words, so that the numeric comparison (`1` == `1.0`) does not enter this property
    const word = fc.stringMatching(/^[a-z][a-z ]{0,6}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(headerName, word), { minLength: 1, maxLength: 4 }),
        fc.dictionary(headerName, word),
        (wanted, headers) => {
          const filter = buildFilter({ where: wanted.map(([n, v]) => `header.${n} == ${quote(v)}`) });
          assert.equal(
            filter.matches(message(headers), 0),
            wanted.every(([n, v]) => headers[n] === v),
          );
        },
      ),
    );
  });

  it('any text compiles to a predicate or is refused with a UsageError (never another error)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 24 }),
          fc
            .array(
              fc.constantFrom(
                'header.a',
                '==',
                '"x"',
                'and',
                'or',
                'not',
                '(',
                ')',
                '~',
                'age',
                '>',
                '5m',
                'exists',
              ),
              { maxLength: 8 },
            )
            .map((w) => w.join(' ')),
        ),
        (source) => {
          try {
            const p = compileExpression(source);
            assert.equal(typeof p(message({ a: 'x' }), 0), 'boolean');
          } catch (error) {
            assert.ok(error instanceof UsageError, `${JSON.stringify(source)}: ${String(error)}`);
          }
        },
      ),
    );
  });
});

describe('header decoding (properties)', () => {
  it('Spring binary numbers: 4-byte and 8-byte big-endian values decode to their decimal text', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (i, b) => {
          const four = Buffer.alloc(4);
          four.writeInt32BE(i);
          const eight = Buffer.alloc(8);
          eight.writeBigInt64BE(b);
          // Binary values whose bytes all read as decimal text are read as that text (next test).
          const looksDecimal = (buf: Buffer) => /^ *-?\d+ *$/.test(buf.toString('latin1'));
          if (!looksDecimal(four)) assert.equal(decodeSpringNumber(four, 4), String(i));
          if (!looksDecimal(eight)) assert.equal(decodeSpringNumber(eight, 8), String(b));
          // a writer that used a decimal string of another width
          assert.equal(decodeSpringNumber(Buffer.from(` ${i} `), 8), String(i));
        },
      ),
    );
  });

  it('decimal text exactly as wide as the binary form is read as text, not as a binary number', () => {
    // Found by the property above (Node 22 CI run): " 123456 " is 8 bytes and was read as a binary long.
    assert.equal(decodeSpringNumber(Buffer.from(' 123456 '), 8), '123456');
    assert.equal(decodeSpringNumber(Buffer.from('12345678'), 8), '12345678');
    assert.equal(decodeSpringNumber(Buffer.from('-123'), 4), '-123');
    assert.equal(decodeSpringNumber(Buffer.from('0042'), 4), '0042');
    const binary = Buffer.alloc(8);
    binary.writeBigInt64BE(12345678n);
    assert.equal(decodeSpringNumber(binary, 8), '12345678');
  });

  it('text headers stay text; a value with a control byte or invalid UTF-8 is shown as 0x hex', () => {
    fc.assert(
      fc.property(
        fc
          .string({ unit: 'grapheme', maxLength: 16 })
          // eslint-disable-next-line no-control-regex
          .filter((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.test(s)),
        (s) => {
          assert.equal(headerText(Buffer.from(s)), s);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 8 }),
        fc.constantFrom(0x00, 0x01, 0x07, 0x1f, 0xff),
        fc.uint8Array({ maxLength: 8 }),
        (a, bad, b) => {
          const bytes = Buffer.concat([Buffer.from(a), Buffer.from([bad]), Buffer.from(b)]);
          assert.equal(headerText(bytes), `0x${bytes.toString('hex')}`);
        },
      ),
    );
  });

  it('a repeated Kafka header reads as its last value, and its bytes are all kept', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9 ]{0,8}$/), { minLength: 1, maxLength: 4 }),
        (values) => {
          const raw = values.map((v) => Buffer.from(v));
          const { text, bytes } = kafkaHeadersToText({ h: raw.length === 1 ? raw[0] : raw });
          assert.equal(text.h, values[values.length - 1]);
          assert.deepEqual(([] as Buffer[]).concat(bytes.h!).map(String), values);
        },
      ),
    );
  });

  it('replay headers read back as a mark with the count one higher', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1000 }),
        fc.string({ maxLength: 12 }),
        fc.date({ noInvalidDate: true }),
        (count, from, at) => {
          const headers = replayHeaders({ count }, from, 'job', at);
          assert.deepEqual(decodeReplayMark(headers), { count: count + 1, from, at: at.toISOString() });
        },
      ),
    );
  });
});
