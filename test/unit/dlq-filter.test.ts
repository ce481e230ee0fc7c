import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFilter, compileExpression, exceptionMatches } from '../../src/dlq/filter';
import type { DlqMessage } from '../../src/dlq/types';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function message(overrides: Partial<DlqMessage> = {}): DlqMessage {
  return {
    dlq: 'orders-dlt',
    partition: 0,
    position: '42',
    timestamp: NOW - 30 * 60_000,
    key: Buffer.from('order-7'),
    payload: Buffer.from(JSON.stringify({ amount: 250, customer: { tier: 'gold' }, items: [{ sku: 'A1' }] })),
    headers: { tenant: 'acme', 'kafka_dlt-exception-fqcn': 'org.example.TimeoutException' },
    origin: { convention: 'spring', topic: 'orders', partition: 2, offset: '99', consumerGroup: 'billing' },
    error: { className: 'org.example.TimeoutException', message: 'timed out after 30s' },
    replay: { count: 1 },
    ...overrides,
  };
}

const matches = (expr: string, m = message()) => compileExpression(expr)(m, NOW);

describe('dlq filter language', () => {
  it('compares headers, key, error and origin', () => {
    assert.equal(matches('header.tenant == acme'), true);
    assert.equal(matches('header.TENANT = "acme"'), true);
    assert.equal(matches('header.tenant != acme'), false);
    assert.equal(matches('header.kafka_dlt-exception-fqcn ~ timeout'), true);
    assert.equal(matches('key == order-7'), true);
    assert.equal(matches("key =~ '^order-[0-9]+$'"), true);
    assert.equal(matches('error ~ Timeout and error.message ~ "30s"'), true);
    assert.equal(matches('origin == orders and origin.partition == 2 and origin.group == billing'), true);
  });

  it('reads JSON paths in the payload, with numbers compared as numbers', () => {
    assert.equal(matches('payload.amount > 200'), true);
    assert.equal(matches('payload.amount >= 251'), false);
    assert.equal(matches('payload.customer.tier == gold'), true);
    assert.equal(matches('$.items[0].sku == A1'), true);
    assert.equal(matches('payload.missing exists'), false);
    assert.equal(matches('payload.amount > 1', message({ payload: Buffer.from('not json') })), false);
  });

  it('handles time, age, replays, and/or/not with parentheses', () => {
    assert.equal(matches('age > 10m and age < 1h'), true);
    assert.equal(matches('time >= 2026-06-01T11:00:00Z'), true);
    assert.equal(matches('replays < 1'), false);
    assert.equal(matches('not (replays >= 1 and header.tenant == globex) or key == x'), true);
    assert.equal(matches('header.tenant == globex or header.tenant == acme and key == nope'), false);
  });

  it('rejects invalid expressions with a usage error', () => {
    assert.throws(() => compileExpression('header.tenant =='), /expected a value/);
    assert.throws(() => compileExpression('bogus == 1'), /unknown filter field/);
    assert.throws(() => compileExpression('payload.amount > lots'), /not a number or time/);
    assert.throws(() => compileExpression('(key == a'), /missing "\)"/);
    assert.throws(() => compileExpression('key == "open'), /unterminated/);
  });

  it('combines --where, --exception, --since and --until', () => {
    const f = buildFilter(
      { where: ['header.tenant == acme'], exception: 'TimeoutException', since: '1h' },
      NOW,
    );
    assert.equal(f.matches(message(), NOW), true);
    assert.equal(f.matches(message({ timestamp: NOW - 2 * 3_600_000 }), NOW), false);
    assert.equal(buildFilter({ until: '1h' }, NOW).matches(message(), NOW), false);
    assert.match(f.description, /exception is TimeoutException/);
    assert.equal(buildFilter({}).description, 'all messages');
  });

  it('matches exception classes by full or simple name', () => {
    assert.equal(exceptionMatches('org.example.TimeoutException', 'TimeoutException'), true);
    assert.equal(exceptionMatches('org.example.Outer$TimeoutException', 'TimeoutException'), true);
    assert.equal(exceptionMatches('org.example.MyTimeoutException', 'TimeoutException'), false);
    assert.equal(exceptionMatches(undefined, 'X'), false);
  });
});
