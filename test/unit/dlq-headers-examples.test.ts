import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  amqpHeadersToText,
  decodeBigEndianInt,
  decodeKafkaOrigin,
  decodePulsarOrigin,
  decodeRabbitOrigin,
  decodeReplayMark,
  decodeSpringNumber,
  kafkaHeadersToText,
} from '../../src/dlq/headers';

// Exact outputs, written by hand, for the header encodings each writer uses. The properties in
// properties-dlq.test.ts check round trips; these pin the branches (absent headers, other widths, one-sided
// header pairs) that a round trip does not reach.

const hex = (s: string) => Buffer.from(s, 'hex');

describe('Spring header decoding: exact values', () => {
  it("Spring's BigInteger.toByteArray() numbers: minimal big-endian two's complement, 1 to 8 bytes", () => {
    assert.equal(decodeBigEndianInt(hex('02')), '2');
    assert.equal(decodeBigEndianInt(hex('7f')), '127');
    // 128 needs a sign byte: 00 80
    assert.equal(decodeBigEndianInt(hex('0080')), '128');
    assert.equal(decodeBigEndianInt(hex('ff')), '-1');
    assert.equal(decodeBigEndianInt(hex('ff7f')), '-129');
    assert.equal(decodeBigEndianInt(hex('00000002')), '2');
    // an epoch-ms backoff timestamp (1780000005000 = 0x019e70449b88) takes 6 bytes
    assert.equal(decodeBigEndianInt(hex('019e70449b88')), '1780000005000');
    assert.equal(decodeBigEndianInt(hex('7fffffffffffffff')), '9223372036854775807');
    assert.equal(decodeBigEndianInt(hex('8000000000000000')), '-9223372036854775808');
  });

  it("Spring's BigInteger numbers: an empty value or one wider than a long (9 bytes) is no number", () => {
    assert.equal(decodeBigEndianInt(Buffer.alloc(0)), undefined);
    // 2^63 as BigInteger.toByteArray(): 00 80 00 00 00 00 00 00 00
    assert.equal(decodeBigEndianInt(hex('008000000000000000')), undefined);
  });

  it("Spring's number headers: decimal text with a tab or newline around it is read as that number", () => {
    assert.equal(decodeSpringNumber(Buffer.from('42\n'), 4), '42');
    assert.equal(decodeSpringNumber(Buffer.from('\t-7'), 4), '-7');
    assert.equal(decodeSpringNumber(Buffer.from('1234\r\n'), 8), '1234');
  });

  it("Spring's number headers: text that only contains digits, or a binary value of another width, is no number", () => {
    assert.equal(decodeSpringNumber(Buffer.from('p-42'), 8), undefined);
    assert.equal(decodeSpringNumber(Buffer.from('42x'), 4), undefined);
    assert.equal(decodeSpringNumber(hex('000001'), 4), undefined);
  });

  it("Spring's partition header of the wrong width (3 bytes) is shown as hex and gives no partition", () => {
    const { text } = kafkaHeadersToText({
      'kafka_dlt-original-topic': Buffer.from('orders'),
      'kafka_dlt-original-partition': hex('000001'),
    });
    assert.equal(text['kafka_dlt-original-partition'], '0x000001');
    assert.deepEqual(decodeKafkaOrigin(text).origin, {
      convention: 'spring',
      topic: 'orders',
      partition: undefined,
      offset: undefined,
      consumerGroup: undefined,
      timestamp: undefined,
    });
  });

  it('Spring retry topics (@RetryableTopic): kafka_original-* and retry_topic-* headers decode to origin, attempts and due time', () => {
    // What DeadLetterPublishingRecovererFactory writes on a record sent to orders-retry-1.
    const raw = {
      'kafka_original-topic': Buffer.from('orders'),
      'kafka_original-partition': hex('00000003'),
      'kafka_original-offset': hex('00000000000004d2'),
      'kafka_original-timestamp': hex('0000019e7044887b'),
      'kafka_original-consumer-group': Buffer.from('billing'),
      'kafka_exception-fqcn': Buffer.from(
        'org.springframework.kafka.listener.ListenerExecutionFailedException',
      ),
      'kafka_exception-cause-fqcn': Buffer.from('java.net.SocketTimeoutException'),
      'kafka_exception-message': Buffer.from("Listener method 'onOrder' threw exception"),
      'retry_topic-attempts': hex('00000002'),
      'retry_topic-backoff-timestamp': hex('019e70449b88'),
      'retry_topic-original-timestamp': hex('019e70448800'),
    };
    const { text } = kafkaHeadersToText(raw);
    assert.deepEqual(text, {
      'kafka_original-topic': 'orders',
      'kafka_original-partition': '3',
      'kafka_original-offset': '1234',
      'kafka_original-timestamp': '1780000000123',
      'kafka_original-consumer-group': 'billing',
      'kafka_exception-fqcn': 'org.springframework.kafka.listener.ListenerExecutionFailedException',
      'kafka_exception-cause-fqcn': 'java.net.SocketTimeoutException',
      'kafka_exception-message': "Listener method 'onOrder' threw exception",
      'retry_topic-attempts': '2',
      'retry_topic-backoff-timestamp': '1780000005000',
      'retry_topic-original-timestamp': '1780000000000',
    });
    assert.deepEqual(decodeKafkaOrigin(text), {
      origin: {
        convention: 'spring',
        topic: 'orders',
        partition: 3,
        offset: '1234',
        consumerGroup: 'billing',
        timestamp: 1780000000123,
        deaths: 2,
        nextAttemptAt: 1780000005000,
      },
      error: {
        className: 'java.net.SocketTimeoutException',
        message: "Listener method 'onOrder' threw exception",
        wrapperClassName: 'org.springframework.kafka.listener.ListenerExecutionFailedException',
        wrapperMessage: undefined,
      },
    });
  });

  it("Spring retry topics: old versions' 1-byte attempts read as the number; a 9-byte timestamp is shown as hex", () => {
    const { text } = kafkaHeadersToText({
      'retry_topic-attempts': hex('03'),
      'retry_topic-backoff-timestamp': hex('008000000000000000'),
    });
    assert.deepEqual(text, {
      'retry_topic-attempts': '3',
      'retry_topic-backoff-timestamp': '0x008000000000000000',
    });
  });

  it("Spring's cause: a custom recoverer's kafka_dlt-exception-cause-message is the message, the outer one the wrapper's", () => {
    const { error } = decodeKafkaOrigin({
      'kafka_dlt-original-topic': 'orders',
      'kafka_dlt-exception-fqcn': 'org.springframework.kafka.listener.ListenerExecutionFailedException',
      'kafka_dlt-exception-message': "Listener method 'onOrder' threw exception",
      'kafka_dlt-exception-cause-fqcn': 'java.net.SocketTimeoutException',
      'kafka_dlt-exception-cause-message': 'Read timed out',
    });
    assert.deepEqual(error, {
      className: 'java.net.SocketTimeoutException',
      message: 'Read timed out',
      wrapperClassName: 'org.springframework.kafka.listener.ListenerExecutionFailedException',
      wrapperMessage: "Listener method 'onOrder' threw exception",
    });
  });

  it("Spring's cause: without a cause message the outer message is the message and there is no wrapper message", () => {
    const { error } = decodeKafkaOrigin({
      'kafka_dlt-original-topic': 'orders',
      'kafka_dlt-exception-fqcn': 'org.springframework.kafka.listener.ListenerExecutionFailedException',
      'kafka_dlt-exception-message': "Listener method 'onOrder' threw exception",
      'kafka_dlt-exception-cause-fqcn': 'java.net.SocketTimeoutException',
    });
    assert.deepEqual(error, {
      className: 'java.net.SocketTimeoutException',
      message: "Listener method 'onOrder' threw exception",
      wrapperClassName: 'org.springframework.kafka.listener.ListenerExecutionFailedException',
      wrapperMessage: undefined,
    });
  });

  it("Spring's cause: a cause of the same class as the recorded exception is no wrapper", () => {
    const { error } = decodeKafkaOrigin({
      'kafka_dlt-original-topic': 'orders',
      'kafka_dlt-exception-fqcn': 'org.apache.kafka.common.KafkaException',
      'kafka_dlt-exception-message': 'Failed to deserialize',
      'kafka_dlt-exception-cause-fqcn': 'org.apache.kafka.common.KafkaException',
    });
    assert.deepEqual(error, {
      className: 'org.apache.kafka.common.KafkaException',
      message: 'Failed to deserialize',
    });
  });
});

describe('Kafka headers: Connect, unknown writers, raw values', () => {
  it('Kafka Connect: a known offset is kept, partition read as a number', () => {
    assert.deepEqual(
      decodeKafkaOrigin({
        '__connect.errors.topic': 'payments',
        '__connect.errors.partition': '1',
        '__connect.errors.offset': '42',
        '__connect.errors.connector.name': 'jdbc-sink',
        '__connect.errors.exception.class.name': 'org.apache.kafka.connect.errors.DataException',
        '__connect.errors.exception.message': 'Converting byte[] to Kafka Connect data failed',
      }),
      {
        origin: { convention: 'connect', topic: 'payments', partition: 1, offset: '42' },
        error: {
          className: 'org.apache.kafka.connect.errors.DataException',
          message: 'Converting byte[] to Kafka Connect data failed',
        },
      },
    );
  });

  it('integer header values are read with surrounding whitespace tolerated (Connect partition " 3 ")', () => {
    const { origin } = decodeKafkaOrigin({
      '__connect.errors.topic': 'payments',
      '__connect.errors.partition': ' 3 ',
    });
    assert.equal(origin.partition, 3);
  });

  it('a Kafka record of no known convention: unknown origin, error from x-exception-* or exception-* headers', () => {
    assert.deepEqual(
      decodeKafkaOrigin({
        'x-exception-class': 'java.lang.IllegalStateException',
        'x-exception-message': 'no stock',
      }),
      {
        origin: { convention: 'unknown' },
        error: { className: 'java.lang.IllegalStateException', message: 'no stock' },
      },
    );
    assert.deepEqual(
      decodeKafkaOrigin({ 'exception-class': 'com.acme.Poison', 'exception-message': 'bad payload' }),
      {
        origin: { convention: 'unknown' },
        error: { className: 'com.acme.Poison', message: 'bad payload' },
      },
    );
    assert.deepEqual(decodeKafkaOrigin({ exception: 'com.acme.Poison' }), {
      origin: { convention: 'unknown' },
      error: { className: 'com.acme.Poison', message: undefined },
    });
  });

  it('kafkajs header values: undefined ones are dropped, a single value stays a Buffer, strings become Buffers', () => {
    const { text, bytes } = kafkaHeadersToText({
      gone: undefined,
      tenant: Buffer.from('acme'),
      trace: 'abc-1',
    });
    assert.deepEqual(text, { tenant: 'acme', trace: 'abc-1' });
    assert.deepEqual(bytes, { tenant: Buffer.from('acme'), trace: Buffer.from('abc-1') });
  });
});

describe('RabbitMQ header decoding: exact values', () => {
  // As amqplib decodes a message rejected twice in `orders` after a wait in `orders.retry` (TTL queue).
  const xDeath = [
    {
      count: 2,
      reason: 'rejected',
      queue: 'orders',
      time: { '!': 'timestamp', value: 1780000000 },
      exchange: 'shop',
      'routing-keys': ['order.created'],
    },
    {
      count: 1,
      reason: 'expired',
      queue: 'orders.retry',
      time: { '!': 'timestamp', value: 1779999990 },
      exchange: 'retry',
      'routing-keys': ['order.created'],
    },
  ];

  it('AMQP headers as text: x-death summarised, numbers, binary, text, arrays and tables; void and undefined dropped', () => {
    assert.deepEqual(
      amqpHeadersToText({
        'x-death': xDeath,
        'x-first-death-queue': 'orders',
        'x-attempt': 3,
        'x-sig': Buffer.from([0xff, 0x00]),
        'x-note': Buffer.from('see ticket 7'),
        'x-tags': ['a', 'b'],
        'x-meta': { tenant: 'acme' },
        'x-void': null,
        'x-undefined': undefined,
      }),
      {
        'x-death':
          '[{"queue":"orders","reason":"rejected","count":2,"exchange":"shop","routing-keys":["order.created"],' +
          '"time":"2026-05-28T20:26:40.000Z"},' +
          '{"queue":"orders.retry","reason":"expired","count":1,"exchange":"retry","routing-keys":["order.created"],' +
          '"time":"2026-05-28T20:26:30.000Z"}]',
        'x-first-death-queue': 'orders',
        'x-attempt': '3',
        'x-sig': '0xff00',
        'x-note': 'see ticket 7',
        'x-tags': '["a","b"]',
        'x-meta': '{"tenant":"acme"}',
      },
    );
  });

  it('AMQP x-death summary of a sparse entry: count 0, no routing keys, no exchange, no time', () => {
    assert.deepEqual(amqpHeadersToText({ 'x-death': [{ queue: 'q', reason: 'maxlen' }] }), {
      'x-death': '[{"queue":"q","reason":"maxlen","count":0,"routing-keys":[]}]',
    });
  });

  it('RabbitMQ x-death: origin from the latest entry, deaths per queue, the reason as error class', () => {
    assert.deepEqual(decodeRabbitOrigin({ 'x-death': xDeath }), {
      origin: {
        convention: 'rabbitmq',
        topic: 'orders',
        exchange: 'shop',
        routingKeys: ['order.created'],
        reason: 'rejected',
        deaths: 2,
        deathsByQueue: { orders: 2, 'orders.retry': 1 },
        timestamp: 1780000000000,
      },
      error: { className: 'rejected', message: undefined },
      deathTime: 1780000000000,
    });
  });

  it('RabbitMQ x-death with an x-exception-class header (some recoverers add one; Spring AMQP does not): that is the error class', () => {
    const { error } = decodeRabbitOrigin({
      'x-death': xDeath,
      'x-exception-class': 'java.net.SocketTimeoutException',
      'x-exception-message': 'gave up',
    });
    assert.deepEqual(error, { className: 'java.net.SocketTimeoutException', message: 'gave up' });
  });

  it('RabbitMQ x-death: an entry without time, routing keys or count; one without a queue is not counted', () => {
    assert.deepEqual(
      decodeRabbitOrigin({ 'x-death': [{ queue: 'orders', reason: 'expired' }, { count: 4 }] }),
      {
        origin: {
          convention: 'rabbitmq',
          topic: 'orders',
          exchange: undefined,
          routingKeys: [],
          reason: 'expired',
          deaths: 1,
          deathsByQueue: { orders: 1 },
          timestamp: undefined,
        },
        error: { className: 'expired', message: undefined },
        deathTime: undefined,
      },
    );
  });

  it('RabbitMQ x-death: AMQP void fields (amqplib gives null) read as absent', () => {
    const decoded = decodeRabbitOrigin({
      'x-death': [{ queue: 'orders', reason: 'rejected', count: null, exchange: null, time: null }],
    });
    assert.equal(decoded.origin.exchange, undefined);
    assert.equal(decoded.origin.deaths, 1);
    assert.equal(decoded.deathTime, undefined);
  });

  it('RabbitMQ x-death times: seconds as a plain number, typed values in the encoder form, ms kept as ms', () => {
    const at = (time: unknown) =>
      decodeRabbitOrigin({ 'x-death': [{ queue: 'q', reason: 'expired', count: 1, time }] }).deathTime;
    assert.equal(at(1780000000), 1780000000000);
    assert.equal(at({ '!': 'timestamp', value: 1780000000 }), 1780000000000);
    assert.equal(at(1780000000123), 1780000000123);
    assert.equal(at(new Date('2026-05-28T20:26:40.123Z')), 1780000000123);
    assert.equal(at('never'), undefined);
    const typed = decodeRabbitOrigin({
      'x-death': [
        {
          queue: { '!': 'longstr', value: 'orders' },
          reason: 'rejected',
          count: { '!': 'long', value: 3 },
          'routing-keys': [Buffer.from('order.created')],
        },
      ],
    }).origin;
    assert.equal(typed.topic, 'orders');
    assert.equal(typed.deaths, 3);
    assert.deepEqual(typed.routingKeys, ['order.created']);
  });

  it('RabbitMQ x-first-death-* without x-death: queue, exchange and reason, the reason as error class', () => {
    assert.deepEqual(
      decodeRabbitOrigin({
        'x-first-death-queue': 'orders',
        'x-first-death-exchange': 'shop',
        'x-first-death-reason': 'maxlen',
        'x-exception-message': 'queue full',
      }),
      {
        origin: { convention: 'rabbitmq', topic: 'orders', exchange: 'shop', reason: 'maxlen' },
        error: { className: 'maxlen', message: 'queue full' },
      },
    );
  });

  it('Spring AMQP RepublishMessageRecoverer: x-original-exchange and x-original-routingKey give the route', () => {
    assert.deepEqual(
      decodeRabbitOrigin({
        'x-original-exchange': 'shop',
        'x-original-routingKey': 'order.created',
        'x-exception-message': 'gave up',
        'x-exception-stacktrace': 'java.net.SocketTimeoutException: gave up\n\tat ...',
      }),
      {
        origin: { convention: 'rabbitmq', exchange: 'shop', routingKeys: ['order.created'] },
        // RepublishMessageRecoverer writes no class header: the class is the stack trace's first line.
        error: { className: 'java.net.SocketTimeoutException', message: 'gave up' },
      },
    );
  });

  it("Spring AMQP RepublishMessageRecoverer behind x-death: the trace's Caused by is the class, its first line the wrapper", () => {
    const { error } = decodeRabbitOrigin({
      'x-death': [{ queue: 'orders', reason: 'expired', count: 2, exchange: '', 'routing-keys': ['orders'] }],
      'x-exception-message': 'Read timed out',
      'x-exception-stacktrace':
        'org.springframework.amqp.rabbit.support.ListenerExecutionFailedException: Listener method threw exception\n' +
        '\tat org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer.wrapToListenerExecutionFailedExceptionIfNeeded(AbstractMessageListenerContainer.java:1784)\n' +
        'Caused by: java.net.SocketTimeoutException: Read timed out\n' +
        '\tat com.example.Listener.handle(Listener.java:42)\n' +
        '\t... 12 more\n',
      'x-original-exchange': 'shop',
      'x-original-routingKey': 'orders',
    });
    assert.deepEqual(error, {
      className: 'java.net.SocketTimeoutException',
      message: 'Read timed out',
      wrapperClassName: 'org.springframework.amqp.rabbit.support.ListenerExecutionFailedException',
      wrapperMessage: 'Listener method threw exception',
    });
    // An explicit class header (some recoverers add one) wins; with neither, the x-death reason is the class.
    assert.deepEqual(
      decodeRabbitOrigin({
        'x-death': [{ queue: 'orders', reason: 'rejected', count: 1 }],
        'x-exception-class': 'com.example.Boom',
        'x-exception-stacktrace': 'java.lang.IllegalStateException: x',
      }).error,
      { className: 'com.example.Boom', message: undefined },
    );
    assert.deepEqual(
      decodeRabbitOrigin({ 'x-death': [{ queue: 'orders', reason: 'rejected', count: 1 }] }).error,
      {
        className: 'rejected',
        message: undefined,
      },
    );
  });

  it('Spring AMQP republished: either x-original-* header alone still marks a RabbitMQ dead letter', () => {
    assert.deepEqual(decodeRabbitOrigin({ 'x-original-exchange': 'shop' }).origin, {
      convention: 'rabbitmq',
      exchange: 'shop',
      routingKeys: [],
    });
    assert.deepEqual(decodeRabbitOrigin({ 'x-original-routingKey': 'order.created' }).origin, {
      convention: 'rabbitmq',
      exchange: undefined,
      routingKeys: ['order.created'],
    });
  });

  it('RabbitMQ message without dead-letter headers: unknown origin, error from x-exception-* headers', () => {
    assert.deepEqual(decodeRabbitOrigin({}), {
      origin: { convention: 'unknown' },
      error: { className: undefined, message: undefined },
    });
    assert.deepEqual(decodeRabbitOrigin({ 'x-exception-class': 'X', 'x-exception-message': 'm' }), {
      origin: { convention: 'unknown' },
      error: { className: 'X', message: 'm' },
    });
  });
});

describe('Pulsar property decoding: exact values', () => {
  it('Pulsar dead letter: REAL_TOPIC without its partition suffix, ORIGIN_MESSAGE_ID, RECONSUMETIMES as deaths', () => {
    assert.deepEqual(
      decodePulsarOrigin({
        REAL_TOPIC: 'persistent://public/default/orders-partition-12',
        ORIGIN_MESSAGE_ID: '123:45:12',
        ORIGIN_MESSAGE_IDY_TIME: '123:45:12',
        RECONSUMETIMES: '4',
        DELAY_TIME: '1000',
      }),
      {
        origin: {
          convention: 'pulsar',
          topic: 'persistent://public/default/orders',
          messageId: '123:45:12',
          deaths: 4,
        },
        error: { className: undefined, message: undefined },
      },
    );
  });

  it('Pulsar: only a trailing -partition-N is a partition suffix', () => {
    const topic = 'persistent://public/default/orders-partition-3-archive';
    assert.equal(decodePulsarOrigin({ REAL_TOPIC: topic }).origin.topic, topic);
  });

  it('Pulsar: REAL_TOPIC alone, or a message id alone, marks a Pulsar dead letter (no topic guessed from the DLQ name)', () => {
    assert.deepEqual(decodePulsarOrigin({ REAL_TOPIC: 'persistent://public/default/orders' }).origin, {
      convention: 'pulsar',
      topic: 'persistent://public/default/orders',
      messageId: undefined,
      deaths: undefined,
    });
    assert.deepEqual(decodePulsarOrigin({ ORIGIN_MESSAGE_ID: '123:45:-1' }, 'orders-sub-DLQ').origin, {
      convention: 'pulsar',
      topic: undefined,
      messageId: '123:45:-1',
      deaths: undefined,
    });
  });
});

describe("mqctl's replay marks: exact values", () => {
  it('a message never replayed by mqctl has count 0 and no from/at', () => {
    assert.deepEqual(decodeReplayMark({}), { count: 0, from: undefined, at: undefined });
  });

  it('a negative or fractional replay count reads as 0', () => {
    assert.equal(decodeReplayMark({ 'mqctl-replay-count': '-1' }).count, 0);
    assert.equal(decodeReplayMark({ 'mqctl-replay-count': '2.5' }).count, 0);
    assert.equal(decodeReplayMark({ 'mqctl-replay-count': '0' }).count, 0);
    assert.equal(decodeReplayMark({ 'mqctl-replay-count': '3' }).count, 3);
  });
});
