import { connect } from '../../src/brokers';
import type { KafkaConnection } from '../../src/brokers/kafka/connection';
import type { PulsarConnection } from '../../src/brokers/pulsar/connection';
import type { RabbitConnection } from '../../src/brokers/rabbitmq/connection';
import { MqctlError } from '../../src/core/errors';
import { LOCAL } from './brokers';
import { waitFor } from './wait';

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

/** The part of a kafkajs admin client createKafkaTopics uses. */
interface TopicAdmin {
  createTopics(options: {
    topics: Array<{
      topic: string;
      numPartitions?: number;
      replicationFactor?: number;
      configEntries?: Array<{ name: string; value: string }>;
    }>;
    waitForLeaders?: boolean;
    timeout?: number;
  }): Promise<boolean>;
  fetchTopicMetadata(options: {
    topics: string[];
  }): Promise<{ topics: Array<{ name: string; partitions: Array<{ leader: number }> }> }>;
  fetchTopicOffsets(topic: string): Promise<Array<{ partition: number }>>;
}

/**
 * Creates Kafka topics and waits until every partition has a leader in the broker's metadata and that leader
 * answers ListOffsets for it. Not kafkajs's `waitForLeaders`: it gives up on the first "This server does not
 * host this topic-partition", which a KRaft broker answers for a moment after CreateTopics (seconds when the
 * machine is busy). Metadata alone is not enough either: it names the leader before the leader hosts the
 * partition, and a produce in that window fails for that partition only (see produceAll).
 */
export async function createKafkaTopics(
  admin: TopicAdmin,
  topics: Array<{
    topic: string;
    numPartitions?: number;
    replicationFactor?: number;
    configEntries?: Array<{ name: string; value: string }>;
  }>,
  timeoutMs = 60_000,
): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false, timeout: timeoutMs });
  const names = topics.map((t) => t.topic);
  await waitFor(
    `leaders for ${names.join(', ')}`,
    async () => {
      const meta = await admin.fetchTopicMetadata({ topics: names });
      const led =
        meta.topics.length === names.length &&
        meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (!led) return false;
      for (const t of meta.topics) {
        const offsets = await admin.fetchTopicOffsets(t.name).catch(() => undefined);
        if (!offsets || offsets.length !== t.partitions.length) return false;
      }
      return true;
    },
    { timeoutMs, intervalMs: 100 },
  );
}
