import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { typeArguments } from '../../src/brokers/contracts/arguments';
import { validatePolicyValues } from '../../src/brokers/pulsar/topic-policies';
import { isInternalTopic } from '../../src/brokers/kafka/topics';
import type { TopicDescription } from '../../src/brokers/topics';
import { formatBytes, renderTopicDescription, renderTopicDescriptionAs } from '../../src/topics/render';
import {
  mapLimit,
  nameMatcher,
  parseKeyValues,
  validateKafkaTopicName,
  validatePartitionCount,
  validateRabbitName,
} from '../../src/topics/validate';

const usage = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e: Error & { exitCode?: number }) => e.exitCode === 2 && message.test(e.message));

describe('topic input validation', () => {
  it('parses key=value pairs, keeping "=" inside values', () => {
    assert.deepEqual(parseKeyValues(['a=1', 'b=x=y', 'c='], '--config'), { a: '1', b: 'x=y', c: '' });
    assert.deepEqual(parseKeyValues(undefined, '--config'), {});
    usage(() => parseKeyValues(['novalue'], '--config'), /is not key=value/);
    usage(() => parseKeyValues(['=1'], '--config'), /is not key=value/);
  });

  it("applies Kafka's topic name rules", () => {
    for (const ok of ['orders', 'a.b_c-1', 'x'.repeat(249)]) validateKafkaTopicName(ok);
    usage(() => validateKafkaTopicName(''), /empty/);
    usage(() => validateKafkaTopicName('.'), /reserved/);
    usage(() => validateKafkaTopicName('..'), /reserved/);
    usage(() => validateKafkaTopicName('x'.repeat(250)), /250 characters, at most 249/);
    usage(() => validateKafkaTopicName('a/b'), /invalid topic name/);
    usage(() => validateKafkaTopicName('ünï'), /invalid topic name/);
  });

  it('applies RabbitMQ name rules', () => {
    validateRabbitName('orders.eu', 'queue');
    usage(() => validateRabbitName('amq.x', 'exchange'), /reserved/);
    usage(() => validateRabbitName('é'.repeat(128), 'queue'), /longer than 255 bytes/);
    usage(() => validateRabbitName('', 'queue'), /empty/);
  });

  it('accepts only positive whole partition counts', () => {
    validatePartitionCount(undefined);
    validatePartitionCount(1);
    for (const bad of [0, -1, 1.5, Number.NaN])
      usage(() => validatePartitionCount(bad), /whole number above 0/);
  });

  it('matches names by substring or regular expression', () => {
    assert.equal(nameMatcher(undefined, false)('anything'), true);
    assert.equal(nameMatcher('der', false)('orders'), true);
    assert.equal(nameMatcher('^der', true)('orders'), false);
    assert.equal(nameMatcher('^ord.*s$', true)('orders'), true);
    usage(() => nameMatcher('(', true), /invalid --regex/);
  });

  it('mapLimit keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30]);
    assert.equal(peak, 2);
  });

  it('treats __-prefixed Kafka topics as internal', () => {
    assert.equal(isInternalTopic('__consumer_offsets'), true);
    assert.equal(isInternalTopic('_schemas'), false);
    assert.equal(isInternalTopic('orders'), false);
  });
});

describe('broker-specific value typing', () => {
  it('types RabbitMQ queue arguments the way the broker checks them', () => {
    assert.deepEqual(
      typeArguments({
        'x-message-ttl': '60000',
        'x-max-length': '10',
        'x-dead-letter-exchange': '123',
        'x-single-active-consumer': 'TRUE',
        'x-custom-number': '-4',
        'x-custom-flag': 'false',
        'x-custom': 'text',
      }),
      {
        'x-message-ttl': 60000,
        'x-max-length': 10,
        'x-dead-letter-exchange': '123',
        'x-single-active-consumer': true,
        'x-custom-number': -4,
        'x-custom-flag': false,
        'x-custom': 'text',
      },
    );
    usage(() => typeArguments({ 'x-message-ttl': '1.5' }), /whole number/);
    usage(() => typeArguments({ 'x-single-active-consumer': 'yes' }), /true or false/);
    usage(() => typeArguments({ 'x-overflow': 'drop-tail' }), /x-overflow must be one of/);
  });

  it('checks Pulsar policy keys and values before anything is sent', () => {
    assert.deepEqual(
      validatePolicyValues({
        'message-ttl-seconds': '60',
        'deduplication-enabled': 'True',
        'retention-size-mb': '-1',
      }),
      {
        'message-ttl-seconds': 60,
        'deduplication-enabled': true,
        'retention-size-mb': -1,
      },
    );
    usage(
      () => validatePolicyValues({ 'retention.ms': '1' }),
      /unknown Pulsar topic config key retention\.ms/,
    );
    usage(() => validatePolicyValues({ 'max-producers': '-2' }), /-1 or more/);
    usage(() => validatePolicyValues({ 'max-producers': 'x' }), /whole number/);
    usage(() => validatePolicyValues({ 'deduplication-enabled': '1' }), /true or false/);
  });
});

describe('topic describe rendering', () => {
  const description: TopicDescription = {
    kind: 'kafka',
    cluster: '127.0.0.1:9092',
    name: 'orders',
    partitioned: true,
    partitions: 2,
    replicationFactor: 3,
    internal: false,
    underReplicatedPartitions: 1,
    offlinePartitions: 1,
    partitionDetails: [
      {
        partition: 0,
        leader: 1,
        replicas: [1, 2, 3],
        isr: [1, 2],
        earliestOffset: '5',
        latestOffset: '9',
        messages: 4,
        underReplicated: true,
        offline: false,
      },
      {
        partition: 1,
        leader: -1,
        replicas: [1, 2, 3],
        isr: [],
        earliestOffset: '0',
        latestOffset: '0',
        messages: 0,
        underReplicated: true,
        offline: true,
      },
    ],
    configs: [{ name: 'retention.ms', value: '1000', source: 'topic', isDefault: false, sensitive: false }],
  };

  it('flags under-replicated and offline partitions in the table', () => {
    const text = renderTopicDescription(description, { color: false });
    assert.match(text, /under-replicated\s+1\n/);
    assert.match(text, /offline\s+1\n/);
    assert.match(text, /\n\s+0\s+1\s+1,2,3\s+1,2\s+5\s+9\s+4\s+UNDER-REPLICATED\n/);
    assert.match(text, /\n\s+1\s+-1\s+1,2,3\s+-\s+0\s+0\s+0\s+OFFLINE\n/);
    assert.match(text, /CONFIGS\nKEY\s+VALUE\s+SOURCE\nretention\.ms\s+1000\s+topic$/);
  });

  it('JSON is the description document; CSV has one row per partition', () => {
    assert.deepEqual(
      JSON.parse(renderTopicDescriptionAs('json', description, { color: false })),
      description,
    );
    const csv = renderTopicDescriptionAs('csv', description, { color: false }).split('\n');
    assert.equal(csv[0], 'partition,leader,replicas,isr,earliestOffset,latestOffset,messages,status');
    assert.equal(csv[1], '0,1,"1,2,3","1,2",5,9,4,UNDER-REPLICATED');
    assert.equal(csv.length, 3);
  });

  it('formats sizes with units', () => {
    assert.equal(formatBytes(undefined), '-');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GiB');
  });
});
