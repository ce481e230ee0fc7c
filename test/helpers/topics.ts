import { connect } from '../../src/brokers';
import type { KafkaConnection } from '../../src/brokers/kafka/connection';
import type { PulsarConnection } from '../../src/brokers/pulsar/connection';
import type { RabbitConnection } from '../../src/brokers/rabbitmq/connection';
import { MqctlError } from '../../src/cli/errors';
import { LOCAL } from './brokers';

/** Connections to the local brokers for integration tests of the topics capability. */
export function kafkaConnection(brokers = LOCAL.kafka.brokers, timeoutMs = 30_000): KafkaConnection {
  return connect(
    { kind: 'kafka', brokers: brokers.split(','), name: 'test', source: 'flags' },
    { timeoutMs },
  ) as KafkaConnection;
}

export function pulsarConnection(adminUrl = LOCAL.pulsar.adminUrl, timeoutMs = 10_000): PulsarConnection {
  return connect(
    {
      kind: 'pulsar',
      serviceUrl: LOCAL.pulsar.serviceUrl,
      adminUrl,
      name: 'test',
      source: 'flags',
      dataPath: 'websocket',
    },
    { timeoutMs },
  ) as PulsarConnection;
}

export function rabbitConnection(
  vhost = '/',
  managementUrl = LOCAL.rabbitmq.managementUrl,
  timeoutMs = 10_000,
): RabbitConnection {
  return connect(
    { kind: 'rabbitmq', url: LOCAL.rabbitmq.url, managementUrl, vhost, name: 'test', source: 'flags' },
    { timeoutMs },
  ) as RabbitConnection;
}

/** Asserts that a promise rejects with an MqctlError of this exit code whose message matches. */
export async function rejectsWith(
  promise: Promise<unknown>,
  exitCode: number,
  message?: RegExp,
): Promise<MqctlError> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof MqctlError)) throw new Error(`expected an MqctlError, got: ${String(error)}`);
    if (error.exitCode !== exitCode) {
      throw new Error(`expected exit ${exitCode}, got ${error.exitCode}: ${error.message}`);
    }
    if (message && !message.test(error.message))
      throw new Error(`message ${JSON.stringify(error.message)} does not match ${message}`);
    return error;
  }
  throw new Error(`expected a rejection with exit ${exitCode}, but it resolved`);
}
