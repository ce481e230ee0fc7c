import { UsageError } from '../core/errors';
import type * as KafkaPerfModule from './kafka/perf';
import type * as PulsarPerfModule from './pulsar/perf';
import type * as RabbitPerfModule from './rabbitmq/perf';
import type {
  PerfConsumerDriver,
  PerfConsumerOptions,
  PerfProducerDriver,
  PerfProducerOptions,
} from './contracts/perf';
import type { BrokerConnection } from './types';

// Each broker kind's module, and the SDK behind it, is loaded on first use: a command pays the start-up
// cost of the one kind it talks to (see docs/DEVELOPING.md, "Start-up").
const kafkaPerfModule = (): typeof KafkaPerfModule => require('./kafka/perf');
const rabbitPerfModule = (): typeof RabbitPerfModule => require('./rabbitmq/perf');
const pulsarPerfModule = (): typeof PulsarPerfModule => require('./pulsar/perf');

/** The perf factory: picks the driver for the connection's kind. The contract lives in contracts/perf.ts. */
export * from './contracts/perf';

export async function createPerfProducer(
  connection: BrokerConnection,
  options: PerfProducerOptions,
): Promise<PerfProducerDriver> {
  switch (connection.kind) {
    case 'kafka':
      return kafkaPerfModule().createKafkaPerfProducer(connection, options);
    case 'rabbitmq':
      return rabbitPerfModule().createRabbitPerfProducer(connection, options);
    case 'pulsar':
      return pulsarPerfModule().createPulsarPerfProducer(connection, options);
  }
}

export async function createPerfConsumer(
  connection: BrokerConnection,
  options: PerfConsumerOptions,
): Promise<PerfConsumerDriver> {
  if (options.prefetch <= 0) throw new UsageError('--prefetch must be positive');
  switch (connection.kind) {
    case 'kafka':
      return kafkaPerfModule().createKafkaPerfConsumer(connection, options);
    case 'rabbitmq':
      return rabbitPerfModule().createRabbitPerfConsumer(connection, options);
    case 'pulsar':
      return pulsarPerfModule().createPulsarPerfConsumer(connection, options);
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
      await kafkaPerfModule().prepareKafkaPerfGroup(connection, shared);
      break;
    case 'rabbitmq':
      await rabbitPerfModule().checkRabbitPerfQueue(connection, options.topic);
      break;
    case 'pulsar':
      await pulsarPerfModule().checkPulsarPerfTopic(connection, options.topic);
      break;
  }
  return shared;
}
