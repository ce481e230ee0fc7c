import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';

/** The local brokers `npm run brokers:up` starts. Tests fail (never skip) when one is not running. */
export const LOCAL = {
  kafka: {
    brokers: '127.0.0.1:9092',
    saslBrokers: '127.0.0.1:9094',
    saslUser: 'mqctl',
    saslPassword: 'mqctl-secret',
  },
  pulsar: { serviceUrl: 'pulsar://127.0.0.1:6650', adminUrl: 'http://127.0.0.1:8080' },
  rabbitmq: { url: 'amqp://guest:guest@127.0.0.1:5672', managementUrl: 'http://127.0.0.1:15672' },
};

/**
 * The run tag scripts/test.sh sets (4 hex digits, MQCTL_TEST_RUN): every name uniqueName() makes during a
 * suite run carries it, so the last test (test/zz-leftovers.test.ts) can find what this run left behind.
 */
export const TEST_RUN = /^[0-9a-f]{4}$/.test(process.env.MQCTL_TEST_RUN ?? '')
  ? process.env.MQCTL_TEST_RUN!
  : undefined;

/** A name no other test (or earlier run) uses: `prefix-<time>-<run tag><random>` (6 hex digits in all). */
let nameCounter = 0;
export function uniqueName(prefix: string): string {
  // A per-process counter keeps names made in the same millisecond apart (with the run tag there is only
  // one random byte: 3 names in one millisecond collided about 1 time in 85).
  nameCounter += 1;
  const random = TEST_RUN ? TEST_RUN + randomBytes(1).toString('hex') : randomBytes(3).toString('hex');
  return `${prefix}-${Date.now().toString(36)}-${random}${nameCounter.toString(36)}`;
}

/** Resolves when host:port accepts TCP connections; rejects with a hint otherwise. */
export function requirePort(host: string, port: number, what: string, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    const timer = setTimeout(() => fail(new Error('timeout')), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new Error(
          `${what} is not running at ${host}:${port} (${error.message}); start it with: npm run brokers:up`,
        ),
      );
    };
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', fail);
  });
}

export const requireKafka = () => requirePort('127.0.0.1', 9092, 'Kafka');
export const requirePulsar = () => requirePort('127.0.0.1', 8080, 'Pulsar');
export const requireRabbit = () => requirePort('127.0.0.1', 15672, 'RabbitMQ management');

/** A port nothing listens on (for "unreachable broker" tests). */
export const CLOSED_PORT = 1;
