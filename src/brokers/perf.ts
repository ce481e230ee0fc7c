import { UsageError } from '../core/errors';
import { createKafkaPerfConsumer, createKafkaPerfProducer, prepareKafkaPerfGroup } from './kafka/perf';
import { checkPulsarPerfTopic, createPulsarPerfConsumer, createPulsarPerfProducer } from './pulsar/perf';
import { checkRabbitPerfQueue, createRabbitPerfConsumer, createRabbitPerfProducer } from './rabbitmq/perf';
import type {
  PerfConsumerDriver,
  PerfConsumerOptions,
  PerfProducerDriver,
  PerfProducerOptions,
} from './contracts/perf';
import type { BrokerConnection } from './types';

/** The perf factory: picks the driver for the connection's kind. The contract lives in contracts/perf.ts. */
export * from './contracts/perf';

export async function createPerfProducer(
  connection: BrokerConnection,
  options: PerfProducerOptions,
): Promise<PerfProducerDriver> {
  switch (connection.kind) {
    case 'kafka':
      return createKafkaPerfProducer(connection, options);
    case 'rabbitmq':
      return createRabbitPerfProducer(connection, options);
    case 'pulsar':
      return createPulsarPerfProducer(connection, options);
  }
}

export async function createPerfConsumer(
  connection: BrokerConnection,
  options: PerfConsumerOptions,
): Promise<PerfConsumerDriver> {
  if (options.prefetch <= 0) throw new UsageError('--prefetch must be positive');
  switch (connection.kind) {
    case 'kafka':
      return createKafkaPerfConsumer(connection, options);
    case 'rabbitmq':
      return createRabbitPerfConsumer(connection, options);
    case 'pulsar':
      return createPulsarPerfConsumer(connection, options);
  }
}

/**
 * Before `members` consumers (worker threads, each with its own connection) share one topic: checks the
 * topic/queue, picks the group or subscription (a fresh one unless given) and, on Kafka with `from: latest`,
 * commits the end offsets as of now for it. Returns the options every member passes to createPerfConsumer.
 */
export async function preparePerfConsumerGroup(
  connection: BrokerConnection,
  options: PerfConsumerOptions,
  members: number,
): Promise<PerfConsumerOptions> {
  if (options.prefetch <= 0) throw new UsageError('--prefetch must be positive');
  const group = options.group ?? `mqctl-perf-${process.pid}-${Date.now().toString(36)}`;
  const shared = { ...options, group, members };
  switch (connection.kind) {
    case 'kafka':
      await prepareKafkaPerfGroup(connection, shared);
      break;
    case 'rabbitmq':
      await checkRabbitPerfQueue(connection, options.topic);
      break;
    case 'pulsar':
      await checkPulsarPerfTopic(connection, options.topic);
      break;
  }
  return shared;
}
