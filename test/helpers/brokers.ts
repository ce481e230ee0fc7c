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

/** A name no other test (or earlier run) uses: `prefix-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
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
