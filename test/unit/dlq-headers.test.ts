import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeKafkaOrigin,
  decodePulsarOrigin,
  decodeRabbitOrigin,
  decodeReplayMark,
  kafkaHeadersToText,
  replayHeaders,
  stacktraceError,
} from '../../src/dlq/headers';
import { RatePacer, pacerNote, parseRate } from '../../src/dlq/rate';
import { decideReplay, emptySummary, failedMessagesError, record, replayJobId } from '../../src/dlq/replay';
import { buildFilter } from '../../src/dlq/filter';
import { formatPayload } from '../../src/dlq/render';
import { computeStats } from '../../src/dlq/stats';
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

  it("uses Spring's exception cause as the error class, keeping the wrapper; --exception and stats see both", () => {
    // What DeadLetterPublishingRecoverer writes for a listener that threw: the wrapper in -fqcn, the cause in
    // -cause-fqcn (spring-kafka KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN, since 2.8), the wrapper's message.
    const headers = {
      ...springDltHeaders({
        topic: 'orders',
        partition: 0,
        offset: 1,
        exceptionClass: 'org.springframework.kafka.listener.ListenerExecutionFailedException',
        exceptionMessage: "Listener method 'onOrder' threw exception",
      }),
      'kafka_dlt-exception-cause-fqcn': Buffer.from('java.net.SocketTimeoutException'),
    };
    const { error } = decodeKafkaOrigin(kafkaHeadersToText(headers).text);
    assert.equal(error.className, 'java.net.SocketTimeoutException');
    assert.equal(
      error.wrapperClassName,
      'org.springframework.kafka.listener.ListenerExecutionFailedException',
    );
    assert.equal(error.message, "Listener method 'onOrder' threw exception");
    const message = {
      dlq: 'orders-dlt',
      position: '0',
      payload: Buffer.alloc(0),
      headers: {},
      origin: { convention: 'spring' as const },
      error,
      replay: { count: 0 },
    };
    assert.ok(buildFilter({ exception: 'SocketTimeoutException' }).matches(message, Date.now()));
    assert.ok(buildFilter({ exception: 'ListenerExecutionFailedException' }).matches(message, Date.now()));
    const stats = computeStats('orders-dlt', [message, message], 2, false);
    assert.deepEqual(
      stats.byErrorClass.map((g) => [g.value, g.count, g.wrappedIn]),
      [
        [
          'java.net.SocketTimeoutException',
          2,
          ['org.springframework.kafka.listener.ListenerExecutionFailedException'],
        ],
      ],
    );
    // Without a cause header the class is the one recorded, no wrapper.
    const plain = decodeKafkaOrigin(
      kafkaHeadersToText(
        springDltHeaders({
          topic: 'o',
          partition: 0,
          offset: 1,
          exceptionClass: 'a.B',
          exceptionMessage: 'm',
        }),
      ).text,
    ).error;
    assert.deepEqual(plain, { className: 'a.B', message: 'm' });
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
    // Per queue, all reasons counted: what a retry chain's attempts come from.
    assert.deepEqual(origin.deathsByQueue, { orders: 2, retry: 1 });
    const first = decodeRabbitOrigin({ 'x-first-death-queue': 'q', 'x-first-death-reason': 'maxlen' });
    assert.equal(first.origin.topic, 'q');
    assert.equal(first.origin.reason, 'maxlen');
  });

  it('takes the error class from a Java stack trace (Spring AMQP x-exception-stacktrace): Caused by first, the first line as wrapper', () => {
    const wrapped = [
      'org.springframework.amqp.rabbit.support.ListenerExecutionFailedException: Listener threw exception',
      '\tat org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer.wrapToListenerExecutionFailedExceptionIfNeeded(AbstractMessageListenerContainer.java:1784)',
      '\tSuppressed: java.lang.IllegalStateException: ignored',
      '\t\tCaused by: java.lang.Error: nested in the suppressed one',
      'Caused by: com.example.PaymentException: card declined: code 51',
      '\tat com.example.Listener.handle(Listener.java:42)',
      '\t... 12 more',
      'Caused by: java.net.SocketTimeoutException: Read timed out',
      '',
    ].join('\r\n');
    assert.deepEqual(stacktraceError(wrapped), {
      className: 'com.example.PaymentException',
      message: 'card declined: code 51',
      wrapperClassName: 'org.springframework.amqp.rabbit.support.ListenerExecutionFailedException',
      wrapperMessage: 'Listener threw exception',
    });
    assert.deepEqual(stacktraceError('java.lang.NullPointerException\n\tat a.B.c(B.java:1)'), {
      className: 'java.lang.NullPointerException',
      message: undefined,
    });
    assert.deepEqual(stacktraceError('com.example.Outer$Inner: boom'), {
      className: 'com.example.Outer$Inner',
      message: 'boom',
    });
    for (const notATrace of [undefined, '', 'Listener failed: see logs', '  at x', '{"error":"x"}'])
      assert.equal(stacktraceError(notATrace), undefined, String(notATrace));
    // RabbitMQ: a parking-lot message as RepublishMessageRecoverer writes it (no class header).
    const { error } = decodeRabbitOrigin({
      'x-original-exchange': 'orders.in',
      'x-original-routingKey': 'fast',
      'x-exception-message': 'Read timed out',
      'x-exception-stacktrace': wrapped.replace(/Caused by: com\.example[^\r]*\r\n/, ''),
    });
    assert.equal(error.className, 'java.net.SocketTimeoutException');
    assert.equal(
      error.wrapperClassName,
      'org.springframework.amqp.rabbit.support.ListenerExecutionFailedException',
    );
    assert.equal(error.message, 'Read timed out');
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

  it('a message with no origin and no --to is unroutable (a missing origin topic is not); the exit message says which', () => {
    assert.deepEqual(decideReplay({ ...base, origin: { convention: 'unknown' } }, opts), {
      action: 'fail',
      reason: 'd 1: no origin in its headers (unknown); use --to',
      unroutable: true,
    });
    assert.equal(decideReplay({ ...base, origin: { convention: 'spring', topic: '' } }, opts).action, 'fail');
    const summary = (failed: number, unroutable: number | undefined, dryRun = false) => ({
      ...emptySummary('d', { ...opts, dryRun }),
      failed,
      unroutable,
      failures: ['d:0:1: …'],
    });
    assert.equal(failedMessagesError(summary(0, undefined)), undefined);
    const plain = failedMessagesError(summary(1, undefined))!;
    assert.equal(plain.message, 'replay of d: 1 message(s) failed and stay in the DLQ (first: d:0:1: …)');
    assert.match(plain.hint!, /^fix the cause .* run the same command again: it copies them then$/);
    const only = failedMessagesError(summary(2, 2))!;
    assert.equal(only.exitCode, 1);
    assert.equal(
      only.message,
      'replay of d: 2 message(s) failed and stay in the DLQ, 2 moved past (no origin, no --to) (first: d:0:1: …)',
    );
    assert.match(
      only.hint!,
      /^records with no origin stay in the DLQ, and this job does not return to them: copy them with --to TOPIC --where 'not origin exists'/,
    );
    const mixed = failedMessagesError(summary(3, 1))!;
    assert.match(mixed.hint!, /^fix the cause .*; records with no origin stay in the DLQ/);
    assert.equal(
      failedMessagesError(summary(1, 1, true))!.message,
      'dry run of d: 1 message(s) would fail, 1 would be moved past (no origin, no --to) (first: d:0:1: …)',
    );
  });

  it('derives the same job id for the same DLQ, target and filter', () => {
    const a = replayJobId('d', undefined, buildFilter({ exception: 'X' }), 3);
    assert.equal(a, replayJobId('d', undefined, buildFilter({ exception: 'X' }), 3));
    assert.notEqual(a, replayJobId('d', 't', buildFilter({ exception: 'X' }), 3));
    assert.match(a, /^mqctl-dlq-replay-[0-9a-f]{16}$/);
  });

  it('parses rates', () => {
    assert.equal(parseRate('1000'), 1000);
    assert.equal(parseRate('60/m'), 1);
    assert.equal(parseRate('3600/h'), 1);
    assert.throws(() => parseRate('fast'), /invalid rate/);
  });

  it('paces permits on an open-loop schedule: 1/rate apart, a late wake-up shortens the next wait, no burst after falling behind', async () => {
    // A clock that only moves when the pacer waits, and wakes up 7 ms late every time.
    let now = 0;
    const waits: number[] = [];
    const pacer = new RatePacer(
      100,
      1000,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms + 7;
      },
    );
    for (let i = 0; i < 5; i++) await pacer.take();
    // Permit i is due at 10·i ms: the first at once, then 10 ms, then what is left after each late wake-up
    // (a closed-loop pacer, sleeping 10 ms after each permit, would wait 10 every time and drift).
    assert.deepEqual(waits, [10, 3, 3, 3]);
    assert.equal(pacerNote(pacer), undefined, 'kept up: nothing to say');
    // Far behind (the broker was slow for 5 s): the schedule restarts rather than bursting 500 permits.
    now += 5000;
    waits.length = 0;
    for (let i = 0; i < 4; i++) await pacer.take();
    assert.deepEqual(waits, [10, 3, 3]);
    // The run says it missed the rate, and by how much.
    assert.equal(pacer.restarts, 1);
    assert.match(pacerNote(pacer) ?? '', /^--rate 100\/s was not held: .* 1 time\(s\) \(at most 49\d\d ms;/);
    assert.equal(pacerNote({ take: async () => undefined }), undefined);
  });

  it('paces in real time: 41 permits at 200/s take 200 ms', async () => {
    const pacer = new RatePacer(200);
    const started = performance.now();
    for (let i = 0; i < 41; i++) await pacer.take();
    const elapsed = performance.now() - started;
    // Permit 40 is due 200 ms after the first. Node's timers count whole milliseconds from the event loop's
    // cached clock, so each wait may end up to 1-2 ms before performance.now() says it is due (seen: 198.6 ms
    // on a loaded machine); a pacer that does not wait at all takes well under 1 ms for all 41. A loaded
    // machine may wake it late.
    assert.ok(elapsed >= 197, `41 permits at 200/s in ${elapsed.toFixed(1)} ms, under 200`);
    assert.ok(elapsed < 2000, `41 permits at 200/s in ${elapsed.toFixed(1)} ms`);
  });

  it('renders JSON pretty, text as is and binary as hex', () => {
    assert.equal(formatPayload(Buffer.from('{"a":1}')).encoding, 'json');
    assert.equal(formatPayload(Buffer.from('hello')).text, 'hello');
    assert.deepEqual(formatPayload(Buffer.from([0xff, 0x00])), { encoding: 'hex', text: 'ff00' });
  });
});
