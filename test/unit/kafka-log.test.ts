import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaConnection } from '../../src/brokers/kafka/connection';
import { replayProducerOptions } from '../../src/brokers/kafka/dlq';
import { consumerStoppedLine } from '../../src/brokers/kafka/perf';
import { TEST_SECRETS } from '../helpers/secrets';

/** What kafkajs logs when a consumer's first join meets a coordinator still loading (a fresh broker). */
const CRASH = "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests";

/** Everything written to stderr while `fn` runs. */
function stderrOf(fn: () => void): string {
  const written: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = original;
  }
  return written.join('');
}

function connection(debug: boolean): KafkaConnection {
  return new KafkaConnection(
    { name: 'test', kind: 'kafka', brokers: ['127.0.0.1:9092'] } as ConstructorParameters<
      typeof KafkaConnection
    >[0],
    { timeoutMs: 1000, debug },
  );
}

describe('kafkajs log noise (issue 12 item 12)', () => {
  it('a crash kafkajs recovers from ("coordinator is loading") prints nothing without --debug', () => {
    const kafka = connection(false).kafka;
    const logger = kafka.logger().namespace('Consumer');
    const out = stderrOf(() => {
      logger.error(CRASH, { groupId: 'g', retryCount: 0, retryTime: 300 });
      kafka.logger().warn('Limiting retries for the idempotent producer may invalidate EoS guarantees');
      logger.info('Starting', { groupId: 'g' });
    });
    assert.equal(out, '');
  });

  it('with --debug the same entry is printed once, namespaced, with secrets in its fields masked', () => {
    const logger = connection(true).kafka.logger().namespace('Consumer');
    const out = stderrOf(() => logger.error(CRASH, { groupId: 'g', saslPassword: 'Zq-9-not-printed' }));
    assert.equal(out.trim().split('\n').length, 1, out);
    assert.match(out, /^\[kafkajs Consumer\] Crash: KafkaJSProtocolError: The coordinator is loading/);
    assert.doesNotMatch(out, /Zq-9-not-printed/);
  });
  it("perf consume's 'kafka consumer stopped' line goes through the redactor", () => {
    const line = consumerStoppedLine({
      message: `Connection error: sasl_ssl://app:${TEST_SECRETS.plain}@broker-1:9094 closed`,
    });
    assert.equal(
      line,
      'kafka consumer stopped: Connection error: sasl_ssl://app:****@broker-1:9094 closed\n',
    );
    assert.equal(consumerStoppedLine(undefined), 'kafka consumer stopped: \n');
  });
});

describe('the DLQ replay producer under --debug (issue 13 item 6)', () => {
  const LIMITING = /Limiting retries for the idempotent producer may invalidate EoS guarantees/;

  it('keeps kafkajs\'s unlimited retry count: no "Limiting retries" warning with --debug', () => {
    const kafka = connection(true).kafka;
    const options = replayProducerOptions('mqctl-dlq-replay-0123456789abcdef');
    assert.equal(options.retry?.retries, Number.MAX_SAFE_INTEGER);
    assert.equal(options.idempotent, true);
    const out = stderrOf(() => void kafka.producer(options));
    assert.doesNotMatch(out, LIMITING, out);
  });

  it("the check is live: without its own retry option the producer inherits the client's retries: 2 and warns", () => {
    const kafka = connection(true).kafka;
    const out = stderrOf(
      () =>
        void kafka.producer({
          ...replayProducerOptions('mqctl-dlq-replay-0123456789abcdef'),
          retry: undefined,
        }),
    );
    assert.match(out, LIMITING);
  });
});
