import { Flags } from '@oclif/core';
import { UsageError } from '../cli/errors';
import { parseDuration, parseSize } from '../util/duration';
import type { KafkaPerfOptions, PulsarPerfOptions, RabbitPerfOptions } from '../brokers/perf';
import { parseShard, type KeyPattern } from './payload';
import type { ConsumeOptions, ProduceOptions } from './run';

/** Flags shared by perf produce / consume / e2e: how long, warm-up, progress and the output files. */
export const perfRunFlags = {
  topic: Flags.string({
    char: 't',
    description: 'topic (Kafka, Pulsar) or queue (RabbitMQ)',
    required: true,
  }),
  'num-records': Flags.string({ char: 'n', description: 'records to send/receive, warm-up included' }),
  duration: Flags.string({ char: 'd', description: 'measured duration (e.g. 60s, 5m), after the warm-up' }),
  warmup: Flags.string({
    description: 'excluded from the results: a duration (5s) or a record count (1000)',
    default: '0',
  }),
  interval: Flags.string({ description: 'progress line every', default: '5s' }),
  result: Flags.string({
    description: 'write the JSON result document (schema mqctl.perf.result/v1) to FILE',
  }),
  'hdr-log': Flags.string({
    description: 'write an HdrHistogram interval log (.hlog, µs, tagged per histogram) to FILE',
  }),
  hgrm: Flags.string({
    description: 'write the percentile distribution (.hgrm, ms) to FILE (+ FILE.<histogram>.hgrm)',
  }),
  report: Flags.string({ description: 'write a self-contained HTML report (charts) to FILE.html' }),
  'pulsar-client': Flags.string({
    description:
      "[Pulsar] data path: binary (mqctl's own binary-protocol client, port 6650, default) or websocket (the broker's WebSocket API)",
    options: ['binary', 'websocket'],
    helpGroup: 'PULSAR',
  }),
};

export const produceFlags = {
  rate: Flags.string({
    char: 'r',
    description: 'target messages/s across all producers and shards; 0 = as fast as possible',
  }),
  throughput: Flags.string({ description: 'kafka-producer-perf-test spelling of --rate (-1 = unthrottled)' }),
  'record-size': Flags.string({ char: 's', description: 'payload bytes (e.g. 100, 1KiB)', default: '100' }),
  'payload-file': Flags.string({ description: 'payloads, one per line (picked at random)' }),
  'payload-delimiter': Flags.string({ description: 'separator in --payload-file', default: '\n' }),
  'key-pattern': Flags.string({
    description: 'record keys',
    options: ['none', 'random', 'seq'],
    default: 'none',
  }),
  'key-space': Flags.integer({ description: 'distinct keys for --key-pattern random', default: 10_000 }),
  producers: Flags.integer({ description: 'producers in this process', default: 1 }),
  threads: Flags.integer({
    description:
      'worker threads, each an open-loop producer at rate/N with its own event loop (histograms merged exactly)',
    default: 1,
  }),
  'client-thread': Flags.boolean({
    description:
      "run the broker client on its own worker thread, like the Java producer's sender thread (default: on for Kafka with kafkajs at a fixed --rate)",
    allowNo: true,
  }),
  shard: Flags.string({
    description: 'I/N: this process is shard I of N (sends rate/N and its share of the keys)',
  }),
  'max-send-delay': Flags.string({
    description: 'send delay p99 above this marks the run invalid (generator-bound)',
    default: '5ms',
  }),
  'flush-timeout': Flags.string({
    description: 'after the last send, wait this long for acknowledgements',
    default: '30s',
  }),
  'create-topic': Flags.boolean({
    description: 'create the topic/queue when it does not exist',
    default: false,
  }),
  partitions: Flags.integer({ description: 'partitions for --create-topic', default: 1 }),
  'replication-factor': Flags.integer({
    description: 'replication factor for --create-topic (Kafka)',
    default: 1,
  }),
  // Kafka
  'kafka-client': Flags.string({
    description:
      '[Kafka] client library: kafkajs, or librdkafka (@confluentinc/kafka-javascript, installed separately)',
    options: ['kafkajs', 'librdkafka'],
    helpGroup: 'KAFKA',
  }),
  acks: Flags.string({
    description: '[Kafka] 0, 1 or all (default all)',
    options: ['0', '1', 'all', '-1'],
    helpGroup: 'KAFKA',
  }),
  'batch-size': Flags.string({
    description: '[Kafka] bytes per produce request (default 256KiB)',
    helpGroup: 'KAFKA',
  }),
  linger: Flags.string({
    description: '[Kafka] hold a non-full batch this long while a request slot is free (default 0ms)',
    helpGroup: 'KAFKA',
  }),
  compression: Flags.string({
    description: '[Kafka] none or gzip (kafkajs)',
    options: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
    helpGroup: 'KAFKA',
  }),
  idempotent: Flags.boolean({ description: '[Kafka] idempotent producer', helpGroup: 'KAFKA' }),
  'transactional-id': Flags.string({
    description: '[Kafka] produce in transactions (one per batch)',
    helpGroup: 'KAFKA',
  }),
  'max-in-flight': Flags.integer({
    description: '[Kafka] concurrent produce requests per producer (default 5)',
    helpGroup: 'KAFKA',
  }),
  'producer-props': Flags.string({
    description:
      '[Kafka] kafka-producer-perf-test style k=v (acks, batch.size, linger.ms, compression.type, enable.idempotence, transactional.id, max.in.flight.requests.per.connection)',
    multiple: true,
    helpGroup: 'KAFKA',
  }),
  // RabbitMQ
  exchange: Flags.string({
    description: '[RabbitMQ] exchange to publish to (default: the default exchange)',
    helpGroup: 'RABBITMQ',
  }),
  'routing-key': Flags.string({
    description: '[RabbitMQ] routing key (default: the queue name)',
    helpGroup: 'RABBITMQ',
  }),
  confirm: Flags.integer({
    description: '[RabbitMQ] publisher confirms with at most N unconfirmed (default 1000; 0 = no confirms)',
    helpGroup: 'RABBITMQ',
  }),
  persistent: Flags.boolean({
    description: '[RabbitMQ] persistent messages (delivery mode 2)',
    helpGroup: 'RABBITMQ',
  }),
  'queue-type': Flags.string({
    description: '[RabbitMQ] queue type for --create-topic',
    options: ['classic', 'quorum', 'stream'],
    helpGroup: 'RABBITMQ',
  }),
  // Pulsar
  batching: Flags.boolean({
    description: '[Pulsar] producer batching (default on)',
    allowNo: true,
    helpGroup: 'PULSAR',
  }),
  'batch-delay': Flags.string({ description: '[Pulsar] batching window (default 1ms)', helpGroup: 'PULSAR' }),
  'max-pending': Flags.integer({
    description:
      'records handed to the client and not yet acknowledged (Pulsar default 1000, Kafka 200000, RabbitMQ = --confirm)',
  }),
};

export const consumeFlags = {
  group: Flags.string({ char: 'g', description: 'consumer group / subscription (default: a fresh one)' }),
  prefetch: Flags.integer({ description: 'RabbitMQ prefetch / Pulsar receiver queue', default: 1000 }),
  'idle-timeout': Flags.string({ description: 'stop when nothing arrives for this long', default: '10s' }),
};

type FlagValues = Record<string, unknown>;

const KAFKA_FLAGS = [
  'acks',
  'batch-size',
  'linger',
  'compression',
  'idempotent',
  'transactional-id',
  'max-in-flight',
  'producer-props',
];
const RABBIT_FLAGS = ['exchange', 'routing-key', 'confirm', 'persistent', 'queue-type'];
const PULSAR_FLAGS = ['batching', 'batch-delay', 'pulsar-client'];

export function parseCount(text: string, flag: string): number {
  const cleaned = text.replace(/_/g, '');
  if (!/^\d+$/.test(cleaned)) throw new UsageError(`--${flag} must be a whole number, got "${text}"`);
  return Number(cleaned);
}

/** `--warmup 5s` (time) or `--warmup 1000` (records). */
export function parseWarmup(text: string): { ms: number; records: number } {
  if (/^\d[\d_]*$/.test(text.trim())) return { ms: 0, records: parseCount(text.trim(), 'warmup') };
  return { ms: parseDuration(text), records: 0 };
}

function parseRate(f: FlagValues): number {
  const rate = f.rate as string | undefined;
  const throughput = f.throughput as string | undefined;
  if (rate !== undefined && throughput !== undefined)
    throw new UsageError('pass --rate or --throughput, not both');
  const text = rate ?? throughput;
  if (text === undefined)
    throw new UsageError('pass --rate N (messages/s; 0 = as fast as possible)', {
      hint: 'e.g. --rate 50000',
    });
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(n)) throw new UsageError(`invalid rate "${text}"`);
  if (n < 0) {
    if (throughput !== undefined) return 0; // kafka-producer-perf-test: -1 disables throttling
    throw new UsageError('--rate must be ≥ 0 (0 = as fast as possible)');
  }
  return n;
}

function applyProducerProps(props: string[] | undefined, kafka: Partial<KafkaPerfOptions>): void {
  for (const prop of props ?? []) {
    const eq = prop.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid --producer-props "${prop}"`, { hint: 'use key=value' });
    const key = prop.slice(0, eq).trim();
    const value = prop.slice(eq + 1).trim();
    switch (key) {
      case 'acks':
        kafka.acks = value === 'all' ? -1 : Number(value);
        break;
      case 'batch.size':
        kafka.batchBytes = parseSize(value);
        break;
      case 'linger.ms':
        kafka.lingerMs = Number(value);
        break;
      case 'compression.type':
        kafka.compression = value as KafkaPerfOptions['compression'];
        break;
      case 'enable.idempotence':
        kafka.idempotent = value === 'true';
        break;
      case 'transactional.id':
        kafka.transactionalId = value;
        break;
      case 'max.in.flight.requests.per.connection':
        kafka.maxInFlight = Number(value);
        break;
      case 'bootstrap.servers':
      case 'client.id':
      case 'key.serializer':
      case 'value.serializer':
        break; // set by the context / fixed by mqctl
      default:
        throw new UsageError(`--producer-props ${key} is not supported`, {
          hint: 'supported: acks, batch.size, linger.ms, compression.type, enable.idempotence, transactional.id, max.in.flight.requests.per.connection',
        });
    }
  }
}

/** Broker-specific flags given for another broker are a usage error, not silently ignored. */
export function checkBrokerFlags(f: FlagValues, kind: string): void {
  const given = (names: string[]) => names.filter((n) => f[n] !== undefined && f[n] !== false);
  const wrong =
    kind === 'kafka'
      ? [...given(RABBIT_FLAGS), ...given(PULSAR_FLAGS)]
      : kind === 'rabbitmq'
        ? [...given(KAFKA_FLAGS), ...given(PULSAR_FLAGS)]
        : [...given(KAFKA_FLAGS), ...given(RABBIT_FLAGS)];
  if (wrong.length > 0) {
    throw new UsageError(`--${wrong[0]} does not apply to ${kind}`, {
      hint: 'see the KAFKA / RABBITMQ / PULSAR flag groups in --help',
    });
  }
}

function countOrDuration(f: FlagValues): { numRecords: number; durationMs: number } {
  const numRecords =
    f['num-records'] !== undefined ? parseCount(f['num-records'] as string, 'num-records') : Infinity;
  const durationMs = f.duration !== undefined ? parseDuration(f.duration as string) : Infinity;
  if (!Number.isFinite(numRecords) && !Number.isFinite(durationMs))
    throw new UsageError('pass --num-records N or --duration D', {
      hint: 'e.g. --num-records 100000 or --duration 60s',
    });
  if (numRecords === 0) throw new UsageError('--num-records must be > 0');
  return { numRecords, durationMs };
}

export function produceOptionsFromFlags(f: FlagValues, kind: string): ProduceOptions {
  checkBrokerFlags(f, kind);
  const warmup = parseWarmup(f.warmup as string);
  const kafka: KafkaPerfOptions = {
    acks: f.acks === undefined ? -1 : f.acks === 'all' ? -1 : Number(f.acks),
    batchBytes: f['batch-size'] !== undefined ? parseSize(f['batch-size'] as string) : 256 * 1024,
    lingerMs: f.linger !== undefined ? parseDuration(f.linger as string, 'ms') : 0,
    compression: (f.compression as KafkaPerfOptions['compression']) ?? 'none',
    idempotent: Boolean(f.idempotent),
    transactionalId: f['transactional-id'] as string | undefined,
    maxInFlight: (f['max-in-flight'] as number | undefined) ?? 5,
    client: (f['kafka-client'] as KafkaPerfOptions['client']) ?? 'kafkajs',
  };
  applyProducerProps(f['producer-props'] as string[] | undefined, kafka);
  if (![0, 1, -1].includes(kafka.acks)) throw new UsageError('acks must be 0, 1 or all');
  if (kafka.maxInFlight < 1) throw new UsageError('--max-in-flight must be ≥ 1');
  if (kafka.batchBytes < 1) throw new UsageError('--batch-size must be ≥ 1');
  const rabbitmq: RabbitPerfOptions = {
    exchange: (f.exchange as string | undefined) ?? '',
    routingKey: f['routing-key'] as string | undefined,
    confirm: (f.confirm as number | undefined) ?? 1000,
    persistent: Boolean(f.persistent),
    queueType: (f['queue-type'] as RabbitPerfOptions['queueType']) ?? 'classic',
  };
  if (rabbitmq.confirm < 0) throw new UsageError('--confirm must be ≥ 0');
  const pulsar: PulsarPerfOptions = {
    batching: (f.batching as boolean | undefined) ?? true,
    batchDelayMs: f['batch-delay'] !== undefined ? parseDuration(f['batch-delay'] as string, 'ms') : 1,
    maxPending: (f['max-pending'] as number | undefined) ?? 1000,
    client: f['pulsar-client'] as PulsarPerfOptions['client'],
  };
  const { numRecords, durationMs } = countOrDuration(f);
  const maxPending = f['max-pending'] as number | undefined;
  if (maxPending !== undefined && maxPending < 1) throw new UsageError('--max-pending must be ≥ 1');
  const payloadFile = f['payload-file'] as string | undefined;
  const rate = parseRate(f);
  return {
    topic: f.topic as string,
    rate,
    numRecords,
    durationMs,
    warmupMs: warmup.ms,
    warmupRecords: warmup.records,
    recordSize: payloadFile ? undefined : parseSize(f['record-size'] as string),
    payloadFile,
    payloadDelimiter: f['payload-delimiter'] as string,
    keyPattern: f['key-pattern'] as KeyPattern,
    keySpace: f['key-space'] as number,
    producers: f.producers as number,
    shard: parseShard(f.shard as string | undefined),
    intervalMs: parseDuration(f.interval as string),
    maxSendDelayMs: parseDuration(f['max-send-delay'] as string, 'ms'),
    maxPending: kind === 'pulsar' ? undefined : maxPending,
    flushTimeoutMs: parseDuration(f['flush-timeout'] as string),
    create: f['create-topic']
      ? { partitions: f.partitions as number, replicationFactor: f['replication-factor'] as number }
      : undefined,
    kafka,
    rabbitmq,
    pulsar,
    clientThread: (f['client-thread'] as boolean | undefined) ?? defaultClientThread(kind, kafka, rate),
  };
}

/**
 * The client's own thread pays off where the generator must keep a schedule next to a CPU-hungry
 * pure-JavaScript client: kafkajs at a fixed rate (50,000 msg/s for 60 s on the 2-core reference box:
 * send delay p99 4.0 ms with it, 7.6 ms without). Unthrottled, the hand-over costs more than it saves
 * (115,479 vs 149,997 msg/s); the RabbitMQ and Pulsar clients keep their schedules on one thread.
 */
function defaultClientThread(kind: string, kafka: KafkaPerfOptions, rate: number): boolean {
  return kind === 'kafka' && kafka.client === 'kafkajs' && rate > 0;
}

export function consumeOptionsFromFlags(f: FlagValues, kind?: string): ConsumeOptions {
  if (kind !== undefined && kind !== 'pulsar' && f['pulsar-client'] !== undefined)
    throw new UsageError(`--pulsar-client does not apply to ${kind}`, {
      hint: 'see the KAFKA / RABBITMQ / PULSAR flag groups in --help',
    });
  const warmup = parseWarmup(f.warmup as string);
  const { numRecords, durationMs } = countOrDuration(f);
  return {
    topic: f.topic as string,
    group: f.group as string | undefined,
    from: (f.from as 'earliest' | 'latest' | undefined) ?? 'earliest',
    prefetch: f.prefetch as number,
    pulsarClient: f['pulsar-client'] as ConsumeOptions['pulsarClient'],
    numRecords,
    durationMs,
    warmupMs: warmup.ms,
    warmupRecords: warmup.records,
    idleTimeoutMs: parseDuration(f['idle-timeout'] as string),
    intervalMs: parseDuration(f.interval as string),
  };
}
