import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeKafkaOrigin,
  decodePulsarOrigin,
  decodeRabbitOrigin,
  decodeReplayMark,
  kafkaHeadersToText,
  replayHeaders,
} from '../../src/dlq/headers';
import { RatePacer, parseRate } from '../../src/dlq/rate';
import { decideReplay, emptySummary, record, replayJobId } from '../../src/dlq/replay';
import { buildFilter } from '../../src/dlq/filter';
import { formatPayload } from '../../src/dlq/render';
import { connectDlqHeaders, springDltHeaders } from '../helpers/dlq-fixtures';

describe('dlq header decoding', () => {
  it('decodes Spring binary partition/offset/timestamp headers', () => {
    const raw = springDltHeaders({
      topic: 'orders',
      partition: 258,
      offset: 2 ** 40 + 5,
      timestamp: 1_780_000_000_123,
      group: 'billing',
      exceptionClass: 'a.B',
      exceptionMessage: 'boom',
    });
    const { text } = kafkaHeadersToText(raw);
    assert.equal(text['kafka_dlt-original-partition'], '258');
    assert.equal(text['kafka_dlt-original-offset'], String(2 ** 40 + 5));
    const { origin, error } = decodeKafkaOrigin(text);
    assert.deepEqual(origin, {
      convention: 'spring',
      topic: 'orders',
      partition: 258,
      offset: String(2 ** 40 + 5),
      consumerGroup: 'billing',
      timestamp: 1_780_000_000_123,
    });
    assert.deepEqual(error, { className: 'a.B', message: 'boom' });
  });

  it('decodes Kafka Connect string headers (offset -1 means unknown)', () => {
    const text = connectDlqHeaders({
      topic: 'pay',
      partition: 1,
      offset: -1,
      exceptionClass: 'X',
      exceptionMessage: 'm',
    });
    const { origin, error } = decodeKafkaOrigin(text);
    assert.equal(origin.convention, 'connect');
    assert.equal(origin.topic, 'pay');
    assert.equal(origin.partition, 1);
    assert.equal(origin.offset, undefined);
    assert.equal(error.className, 'X');
  });

  it('shows binary header values as hex and repeated headers by their last value', () => {
    const { text } = kafkaHeadersToText({
      bin: Buffer.from([0, 1, 255]),
      rep: [Buffer.from('a'), Buffer.from('b')],
    });
    assert.equal(text.bin, '0x0001ff');
    assert.equal(text.rep, 'b');
  });

  it('decodes RabbitMQ x-death (most recent first) and x-first-death-*', () => {
    const { origin, deathTime } = decodeRabbitOrigin({
      'x-death': [
        {
          queue: 'orders',
          reason: 'rejected',
          count: 2,
          exchange: 'shop',
          'routing-keys': ['order.created'],
          time: { '!': 'timestamp', value: 1_780_000_000 },
        },
        { queue: 'retry', reason: 'expired', count: 1, exchange: '', 'routing-keys': ['retry'] },
      ],
    });
    assert.equal(origin.topic, 'orders');
    assert.equal(origin.reason, 'rejected');
    assert.equal(origin.deaths, 2);
    assert.deepEqual(origin.routingKeys, ['order.created']);
    assert.equal(deathTime, 1_780_000_000_000);
    const first = decodeRabbitOrigin({ 'x-first-death-queue': 'q', 'x-first-death-reason': 'maxlen' });
    assert.equal(first.origin.topic, 'q');
    assert.equal(first.origin.reason, 'maxlen');
  });

  it('decodes Pulsar properties, old and new message-id keys, and strips partition suffixes', () => {
    const a = decodePulsarOrigin({
      REAL_TOPIC: 'persistent://t/n/x-partition-3',
      ORIGIN_MESSAGE_IDY_TIME: '1:2:3',
      RECONSUMETIMES: '4',
    });
    assert.equal(a.origin.topic, 'persistent://t/n/x');
    assert.equal(a.origin.messageId, '1:2:3');
    assert.equal(a.origin.deaths, 4);
    assert.equal(decodePulsarOrigin({}).origin.convention, 'unknown');
  });

  it('writes and reads mqctl replay marks', () => {
    const marks = replayHeaders({ count: 2 }, 'dlq:0:5', 'job', new Date('2026-01-01T00:00:00Z'));
    assert.deepEqual(decodeReplayMark(marks), { count: 3, from: 'dlq:0:5', at: '2026-01-01T00:00:00.000Z' });
  });
});

describe('dlq replay decisions, job ids, rate and payload rendering', () => {
  const base = {
    dlq: 'd',
    position: '1',
    payload: Buffer.from('x'),
    headers: {},
    origin: { convention: 'spring' as const, topic: 'orders' },
    error: {},
    replay: { count: 0 },
  };
  const opts = {
    filter: buildFilter({}),
    maxReplays: 2,
    pacer: { take: async () => undefined },
    dryRun: true,
    jobId: 'j',
  };

  it('applies filter, loop guard and destination in that order', () => {
    assert.deepEqual(decideReplay(base, opts), { action: 'replay', target: 'orders' });
    assert.deepEqual(decideReplay({ ...base, replay: { count: 2 } }, opts), { action: 'skip-loop' });
    assert.equal(decideReplay({ ...base, origin: { convention: 'unknown' } }, opts).action, 'fail');
    assert.deepEqual(decideReplay({ ...base, origin: { convention: 'unknown' } }, { ...opts, to: 't' }), {
      action: 'replay',
      target: 't',
    });
    const f = { ...opts, filter: buildFilter({ where: ['key == z'] }) };
    assert.deepEqual(decideReplay(base, f), { action: 'skip-filter' });
    const s = emptySummary('d', opts);
    record(s, base, decideReplay(base, opts));
    assert.equal(s.replayed, 1);
    assert.equal(s.plan!.length, 1);
  });

  it('derives the same job id for the same DLQ, target and filter', () => {
    const a = replayJobId('d', undefined, buildFilter({ exception: 'X' }), 3);
    assert.equal(a, replayJobId('d', undefined, buildFilter({ exception: 'X' }), 3));
    assert.notEqual(a, replayJobId('d', 't', buildFilter({ exception: 'X' }), 3));
    assert.match(a, /^mqctl-dlq-replay-[0-9a-f]{16}$/);
  });

  it('parses rates and paces permits on an open-loop schedule', async () => {
    assert.equal(parseRate('1000'), 1000);
    assert.equal(parseRate('60/m'), 1);
    assert.throws(() => parseRate('fast'), /invalid rate/);
    let now = 0;
    const pacer = new RatePacer(100, 1000, () => now);
    for (let i = 0; i < 5; i++) await pacer.take(); // due at 0,10,20,30,40 ms: waits happen, clock is fake
    now = 5000; // far behind: the schedule restarts rather than bursting
    const started = Date.now();
    await pacer.take();
    assert.ok(Date.now() - started < 50);
  });

  it('renders JSON pretty, text as is and binary as hex', () => {
    assert.equal(formatPayload(Buffer.from('{"a":1}')).encoding, 'json');
    assert.equal(formatPayload(Buffer.from('hello')).text, 'hello');
    assert.deepEqual(formatPayload(Buffer.from([0xff, 0x00])), { encoding: 'hex', text: 'ff00' });
  });
});
