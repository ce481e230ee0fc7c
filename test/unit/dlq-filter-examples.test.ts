import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFilter, compileExpression, exceptionMatches } from '../../src/dlq/filter';
import type { DlqMessage } from '../../src/dlq/types';
import { expectUsageError } from '../helpers/usage-error';

// Exact examples for the DLQ filter language (`--where`, `--exception`, `--since`, `--until`), written for the
// survivors of its mutation run (issue 18; docs/DEVELOPING.md lists the ones judged equivalent): every field
// name and alias, the edges of each operator, and each refusal with its message and hint.

const NOW = Date.parse('2026-06-01T12:00:00Z');

function message(overrides: Partial<DlqMessage> = {}): DlqMessage {
  return {
    dlq: 'orders.dlq',
    partition: 3,
    position: '1207',
    timestamp: NOW - 30 * 60_000,
    key: Buffer.from('order-7'),
    payload: Buffer.from(
      JSON.stringify({ amount: 250, coupon: null, customer: { tier: 'gold' }, items: [{ sku: 'A1' }] }),
    ),
    headers: { tenant: 'acme', empty: '', blank: '   ', padded: '007' },
    origin: {
      convention: 'rabbitmq-x-death',
      topic: 'orders',
      partition: 2,
      exchange: 'orders-exchange',
      reason: 'rejected',
    },
    error: {
      className: 'org.example.TimeoutException',
      message: 'timed out',
      wrapperClassName: 'org.example.ListenerFailed',
    },
    replay: { count: 2 },
    ...overrides,
  } as DlqMessage;
}

const matches = (expr: string, m = message()) => compileExpression(expr)(m, NOW);

describe('dlq filter: every field and alias', () => {
  it('h. is short for header., value for payload, and each origin, error and position field reads its own value', () => {
    assert.equal(matches('h.tenant == acme'), true);
    assert.equal(matches('value ~ "amount"'), true);
    assert.equal(matches('error.wrapper == org.example.ListenerFailed'), true);
    assert.equal(matches('origin.exchange == orders-exchange'), true);
    assert.equal(matches('reason == rejected'), true);
    assert.equal(matches('convention == rabbitmq-x-death'), true);
    assert.equal(matches('replays == 2'), true);
    assert.equal(matches('partition == 3'), true);
    assert.equal(matches('offset == 1207'), true);
    assert.equal(matches('position == 1207'), true);
    assert.equal(matches('exception ~ Timeout'), true);
    assert.equal(matches('origin.queue == orders'), true);
  });

  it('a message without a timestamp has no age and no time', () => {
    const untimed = message({ timestamp: undefined });
    assert.equal(matches('age exists', untimed), false);
    assert.equal(matches('time exists', untimed), false);
    assert.equal(matches('age exists'), true);
  });

  it('an unknown field is refused with the list of fields', () => {
    expectUsageError(
      () => compileExpression('colour == red'),
      /^unknown filter field "colour"$/,
      /key, payload, payload\.<path>, header\.<name>/,
    );
  });
});

describe('dlq filter: JSON paths', () => {
  it('bracketed indexes of any length, at the top level or inside; empty path steps are skipped', () => {
    const list = message({
      payload: Buffer.from(JSON.stringify([{ sku: 'A1' }, ...Array(10).fill({ sku: 'Z' }), { sku: 'L11' }])),
    });
    assert.equal(matches('$[0].sku == A1', list), true);
    assert.equal(matches('$[11].sku == L11', list), true);
    assert.equal(matches('payload.customer..tier == gold'), true);
    // quotes end a field name: a quoted name in brackets is a syntax error, not a path
    expectUsageError(
      () => compileExpression(`payload['customer'] == x`),
      /expected an operator after "payload\["$/,
    );
  });

  it('a path that goes through a string, a number or null finds nothing', () => {
    assert.equal(matches('payload.customer.tier.length exists'), false);
    assert.equal(matches('payload.customer.tier.length == 4'), false);
    assert.equal(matches('payload.amount.x exists'), false);
    assert.equal(matches('payload.coupon.x exists'), false);
  });
});

describe('dlq filter: values as text and as numbers', () => {
  it('a missing field or a JSON null has no text: it never equals, contains or matches anything', () => {
    assert.equal(matches('header.missing == undefined'), false);
    assert.equal(matches('header.missing ~ def'), false);
    assert.equal(matches("header.missing =~ '^undef'"), false);
    assert.equal(matches('payload.coupon == null'), false);
    assert.equal(matches('payload.coupon ~ null'), false);
    assert.equal(matches('payload.coupon exists'), true);
  });

  it('a JSON object compares as its JSON text', () => {
    assert.equal(matches('payload.customer ~ "tier"'), true);
    assert.equal(matches(`payload.customer == '{"tier":"gold"}'`), true);
  });

  it('numbers compare as numbers (250 == 250.0, "007" == 7); an empty or blank header is no number', () => {
    assert.equal(matches('payload.amount == 250.0'), true);
    assert.equal(matches('payload.amount != 250.0'), false);
    assert.equal(matches('header.padded == 7'), true);
    assert.equal(matches('header.empty == 0'), false);
    assert.equal(matches('header.blank == 0'), false);
    assert.equal(matches('header.empty > -1'), false);
    assert.equal(matches('header.tenant == acme'), true);
    assert.equal(matches('key == 7'), false);
  });

  it('each comparison at its edge: > and < exclude the value, >= and <= include it', () => {
    assert.equal(matches('payload.amount > 250'), false);
    assert.equal(matches('payload.amount >= 250'), true);
    assert.equal(matches('payload.amount < 250'), false);
    assert.equal(matches('payload.amount <= 250'), true);
    assert.equal(matches('payload.amount <= 249'), false);
    assert.equal(matches('payload.amount > 249'), true);
    assert.equal(matches('payload.amount < 251'), true);
    assert.equal(matches('payload.amount >= 251'), false);
    assert.equal(matches('header.missing < 1'), false);
  });

  it("~ and !~ are each other's negation, also for a missing field", () => {
    assert.equal(matches('header.tenant ~ CM'), true);
    assert.equal(matches('header.tenant !~ CM'), false);
    assert.equal(matches('header.tenant !~ globex'), true);
    assert.equal(matches('header.missing ~ x'), false);
    assert.equal(matches('header.missing !~ x'), true);
  });

  it('a comparison with a word that is no number is refused, with an example', () => {
    expectUsageError(
      () => compileExpression('replays < few'),
      /^"replays < few" compares with a value that is not a number or time$/,
      /replays < 3/,
    );
  });

  it('an invalid regular expression is refused', () => {
    expectUsageError(() => compileExpression("key =~ '('"), /^invalid regular expression \/\(\/ in filter: /);
  });
});

describe('dlq filter: grammar', () => {
  it('|| and && work as or and and', () => {
    assert.equal(matches('key == x || key == order-7'), true);
    assert.equal(matches('key == x && key == order-7'), false);
    assert.equal(matches('key == order-7 && header.tenant == acme'), true);
  });

  it('quoted strings keep escaped quotes; exists is read in any case', () => {
    const quoted = message({ key: Buffer.from('say "hi"') });
    assert.equal(matches('key == "say \\"hi\\""', quoted), true);
    assert.equal(matches('key EXISTS'), true);
  });

  it('each malformed expression names what is wrong, with the example hint', () => {
    const hint = /e\.g\. --where 'header\.kafka_dlt-exception-fqcn ~ Timeout and payload\.amount > 100'/;
    expectUsageError(
      () => compileExpression('key == a b'),
      /^invalid filter "key == a b": unexpected "b"$/,
      hint,
    );
    expectUsageError(() => compileExpression(') key == a'), /: expected a field name, got "\)"$/);
    expectUsageError(() => compileExpression("'key' == a"), /: expected a field name, got "key"$/);
    expectUsageError(() => compileExpression('key foo'), /: expected an operator after "key"$/);
    expectUsageError(() => compileExpression('key'), /: expected an operator after "key"$/);
    expectUsageError(() => compileExpression('key == ('), /: expected a value after "key =="$/);
    expectUsageError(() => compileExpression(''), /: expression ends too early$/);
  });
});

describe('dlq filter: --exception, --since, --until and the canonical form', () => {
  it('an exception name matches the class exactly, or as its simple or nested name', () => {
    assert.equal(exceptionMatches('TimeoutException', 'TimeoutException'), true);
    assert.equal(exceptionMatches('', 'TimeoutException'), false);
    assert.equal(exceptionMatches(undefined, 'TimeoutException'), false);
    assert.equal(buildFilter({ exception: 'ListenerFailed' }).matches(message(), NOW), true);
    assert.equal(buildFilter({ exception: 'Other' }).matches(message(), NOW), false);
  });

  it('without --exception every exception passes', () => {
    const f = buildFilter({ where: ['key == order-7'] }, NOW);
    assert.equal(f.matches(message(), NOW), true);
    assert.equal(f.description, '(key == order-7)');
  });

  it('--since includes its instant, --until excludes it; a message without a time matches neither', () => {
    const at = NOW - 30 * 60_000;
    const iso = new Date(at).toISOString();
    assert.equal(buildFilter({ since: iso }, NOW).matches(message(), NOW), true);
    assert.equal(buildFilter({ until: iso }, NOW).matches(message(), NOW), false);
    assert.equal(buildFilter({ until: new Date(at + 1).toISOString() }, NOW).matches(message(), NOW), true);
    assert.equal(buildFilter({ since: new Date(at + 1).toISOString() }, NOW).matches(message(), NOW), false);
    const untimed = message({ timestamp: undefined });
    assert.equal(buildFilter({ since: '1h' }, NOW).matches(untimed, NOW), false);
    assert.equal(buildFilter({ until: '1m' }, NOW).matches(untimed, NOW), false);
    assert.equal(buildFilter({ since: iso }, NOW).description, `time >= ${iso}`);
  });

  it('the canonical form lists each option on its own line, where clauses trimmed, in a fixed order', () => {
    const f = buildFilter({
      where: ['  key == a ', 'replays < 3'],
      exception: 'TimeoutException',
      since: '2026-05-01T00:00:00Z',
      until: '2026-06-01T00:00:00Z',
    });
    assert.equal(
      f.canonical,
      'where:key == a\nwhere:replays < 3\nexception:TimeoutException\nsince:2026-05-01T00:00:00Z\nuntil:2026-06-01T00:00:00Z',
    );
    assert.equal(buildFilter({}).canonical, '');
    assert.equal(buildFilter({ until: '1h' }).canonical, 'until:1h');
  });
});
