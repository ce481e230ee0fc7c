import { Flags, type Interfaces } from '@oclif/core';
import { UsageError, forFlag } from '../../core/errors';
import { parseDuration, parseSize } from '../../util/duration';
import type { KafkaPerfOptions, PulsarPerfOptions, RabbitPerfOptions } from '../../brokers/perf';
import { parseShard } from '../../perf/payload';
import type { ConsumeOptions, ProduceOptions } from '../../perf/run';
import type { ErrorAllowance } from '../../perf/result';
import { PERF_RESULT_SCHEMA } from '../../perf/result-schema';
import { validateKafkaTopicName } from '../../topics/validate';

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
  interval: Flags.string({
    description:
      'progress line (and report chart point) every; default 5s, or a tenth of a shorter run (at least 1s)',
  }),
  result: Flags.string({
    // the version from the constant the writer uses, so the help cannot drift from what is written
    description: `write the JSON result document (schema ${PERF_RESULT_SCHEMA}) to FILE`,
  }),
  'hdr-log': Flags.string({
    description: 'write an HdrHistogram interval log (.hlog, µs, tagged per histogram) to FILE',
  }),
  hgrm: Flags.string({
    description:
      'write the percentile distribution (.hgrm, ms) to FILE: response latency (perf consume: e2e); each other histogram beside it, .hgrm replaced by .<histogram>.hgrm (run.hgrm: run.service.hgrm, run.send_delay.hgrm, run.e2e.hgrm)',
  }),
  report: Flags.string({ description: 'write a self-contained HTML report (charts) to FILE.html' }),
  'max-errors': Flags.string({
    description:
      'failed or missing records the run may have and still pass: a count (100) or a share (0.1%); default 0 (any failed record exits 1)',
  }),
  'pulsar-client': Flags.option({
    description:
      "[Pulsar] data path: binary (mqctl's own binary-protocol client, port 6650, default) or websocket (the broker's WebSocket API)",
    options: ['binary', 'websocket'] as const,
    helpGroup: 'PULSAR',
  })(),
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
  'key-pattern': Flags.option({
    description: 'record keys',
    options: ['none', 'random', 'seq'] as const,
    default: 'none',
  })(),
  'key-space': Flags.integer({
    description: 'distinct keys for --key-pattern random',
    default: 10_000,
    min: 1,
  }),
  producers: Flags.integer({ description: 'producers in this process', default: 1 }),
  threads: Flags.integer({
    description:
      'worker threads, each an open-loop producer at rate/N with its own event loop (histograms merged exactly)',
    default: 1,
  }),
  'client-thread': Flags.boolean<boolean | undefined>({
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
  partitions: Flags.integer({ description: 'partitions for --create-topic', default: 1, min: 1 }),
  'replication-factor': Flags.integer({
    description: 'replication factor for --create-topic (Kafka)',
    default: 1,
    min: 1,
  }),
  // Kafka
  'kafka-client': Flags.option({
    description:
      '[Kafka] client library: kafkajs, or librdkafka (@confluentinc/kafka-javascript, installed separately)',
    options: ['kafkajs', 'librdkafka'] as const,
    helpGroup: 'KAFKA',
  })(),
  acks: Flags.option({
    description: '[Kafka] 0, 1 or all (default all)',
    options: ['0', '1', 'all', '-1'] as const,
    helpGroup: 'KAFKA',
  })(),
  'batch-size': Flags.string({
    description: '[Kafka] bytes per produce request (default 256KiB)',
    helpGroup: 'KAFKA',
  }),
  linger: Flags.string({
    description: '[Kafka] hold a non-full batch this long while a request slot is free (default 0ms)',
    helpGroup: 'KAFKA',
  }),
  compression: Flags.option({
    description:
      '[Kafka] none or gzip; snappy, lz4 and zstd need --kafka-client librdkafka (kafkajs has only gzip built in)',
    options: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const,
    helpGroup: 'KAFKA',
  })(),
  idempotent: Flags.boolean<boolean | undefined>({
    description: '[Kafka] idempotent producer',
    helpGroup: 'KAFKA',
  }),
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
      '[Kafka] kafka-producer-perf-test style k=v (acks, batch.size, linger.ms, compression.type, enable.idempotence, transactional.id, max.in.flight.requests.per.connection, retries, retry.backoff.ms, retry.backoff.max.ms)',
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
  persistent: Flags.boolean<boolean | undefined>({
    description: '[RabbitMQ] persistent messages (delivery mode 2)',
    helpGroup: 'RABBITMQ',
  }),
  'queue-type': Flags.option({
    description: '[RabbitMQ] queue type for --create-topic',
    options: ['classic', 'quorum', 'stream'] as const,
    helpGroup: 'RABBITMQ',
  })(),
  // Pulsar
  batching: Flags.boolean<boolean | undefined>({
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

/** `perf consume`'s start position (perf e2e's consumer always starts at the end). */
export const consumeFromFlag = {
  from: Flags.option({
    description: 'where a fresh group starts (Kafka, Pulsar)',
    options: ['earliest', 'latest'] as const,
    default: 'earliest',
  })(),
};

/** The parsed values of the flags above, as oclif types them: renaming a flag breaks the code that reads it. */
export type PerfRunFlagValues = Interfaces.InferredFlags<typeof perfRunFlags>;
/** The files a perf command writes at the end; checked for writability before any load. */
export type PerfFileFlagValues = Pick<PerfRunFlagValues, 'result' | 'hdr-log' | 'hgrm' | 'report'>;
type ProduceFlagValues = Interfaces.InferredFlags<typeof perfRunFlags & typeof produceFlags>;
/** What produceOptionsFromFlags reads: the producer's flags, without the output files and --threads. */
export type ProduceFlagInput = Omit<ProduceFlagValues, keyof PerfFileFlagValues | 'threads' | 'json'>;
/** What consumeOptionsFromFlags reads. */
export type ConsumeFlagInput = Omit<
  Interfaces.InferredFlags<typeof perfRunFlags & typeof consumeFlags & typeof consumeFromFlag>,
  keyof PerfFileFlagValues | 'json'
>;

const KAFKA_FLAGS = [
  'acks',
  'batch-size',
  'linger',
  'compression',
  'idempotent',
  'transactional-id',
  'max-in-flight',
  'producer-props',
] as const satisfies ReadonlyArray<keyof ProduceFlagInput>;
const RABBIT_FLAGS = [
  'exchange',
  'routing-key',
  'confirm',
  'persistent',
  'queue-type',
] as const satisfies ReadonlyArray<keyof ProduceFlagInput>;
const PULSAR_FLAGS = ['batching', 'batch-delay', 'pulsar-client'] as const satisfies ReadonlyArray<
  keyof ProduceFlagInput
>;
type BrokerFlagName =
  (typeof KAFKA_FLAGS)[number] | (typeof RABBIT_FLAGS)[number] | (typeof PULSAR_FLAGS)[number];

export function parseCount(text: string, flag: string): number {
  const cleaned = text.replace(/_/g, '');
  if (!/^\d+$/.test(cleaned)) throw new UsageError(`--${flag} must be a whole number, got "${text}"`);
  return Number(cleaned);
}

/** `--warmup 5s` (time) or `--warmup 1000` (records). */
export function parseWarmup(text: string): { ms: number; records: number } {
  if (/^\d[\d_]*$/.test(text.trim())) return { ms: 0, records: parseCount(text.trim(), 'warmup') };
  return { ms: forFlag('--warmup', () => parseDuration(text)), records: 0 };
}

function parseRate(f: Pick<ProduceFlagInput, 'rate' | 'throughput'>): number {
  const rate = f.rate;
  const throughput = f.throughput;
  if (rate !== undefined && throughput !== undefined)
    throw new UsageError('pass --rate or --throughput, not both');
  const text = rate ?? throughput;
  if (text === undefined)
    throw new UsageError('pass --rate N (messages/s; 0 = as fast as possible)', {
      hint: 'e.g. --rate 50000',
    });
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(n))
    throw new UsageError(`${rate !== undefined ? '--rate' : '--throughput'}: invalid rate "${text}"`, {
      hint: 'messages/s, e.g. 50000 (0 = as fast as possible)',
    });
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
        kafka.batchBytes = forFlag('--producer-props batch.size', () => parseSize(value));
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
      case 'retries':
      case 'retry.backoff.ms':
      case 'retry.backoff.max.ms': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0)
          throw new UsageError(`--producer-props ${key} must be a whole number ≥ 0, got "${value}"`);
        if (key === 'retries') kafka.retries = n;
        else if (key === 'retry.backoff.ms') kafka.retryBackoffMs = n;
        else kafka.retryBackoffMaxMs = n;
        break;
      }
      case 'bootstrap.servers':
      case 'client.id':
      case 'key.serializer':
      case 'value.serializer':
        break; // set by the context / fixed by mqctl
      default:
        throw new UsageError(`--producer-props ${key} is not supported`, {
          hint: 'supported: acks, batch.size, linger.ms, compression.type, enable.idempotence, transactional.id, max.in.flight.requests.per.connection, retries, retry.backoff.ms, retry.backoff.max.ms',
        });
    }
  }
}

/** Broker-specific flags given for another broker are a usage error, not silently ignored. */
export function checkBrokerFlags(f: Pick<ProduceFlagInput, BrokerFlagName>, kind: string): void {
  const given = (names: readonly BrokerFlagName[]) =>
    names.filter((n) => f[n] !== undefined && f[n] !== false);
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

function countOrDuration(f: Pick<PerfRunFlagValues, 'num-records' | 'duration'>): {
  numRecords: number;
  durationMs: number;
} {
  const numRecords = f['num-records'] !== undefined ? parseCount(f['num-records'], 'num-records') : Infinity;
  const durationMs =
    f.duration !== undefined ? forFlag('--duration', () => parseDuration(f.duration!)) : Infinity;
  if (!Number.isFinite(numRecords) && !Number.isFinite(durationMs))
    throw new UsageError('pass --num-records N or --duration D', {
      hint: 'e.g. --num-records 100000 or --duration 60s',
    });
  if (numRecords === 0) throw new UsageError('--num-records must be > 0');
  if (durationMs <= 0)
    throw new UsageError(`--duration must be longer than 0, got "${String(f.duration)}"`, {
      hint: 'e.g. --duration 60s',
    });
  return { numRecords, durationMs };
}

/**
 * `--interval`, or by default 5 s — shortened to a tenth of a run known to be shorter than 50 s (at least
 * 1 s), so a 10 s run has ten progress lines and report points instead of two.
 */
export function progressIntervalMs(
  f: Pick<PerfRunFlagValues, 'interval'>,
  durationMs: number,
  numRecords: number,
  rate: number,
): number {
  if (f.interval !== undefined) return forFlag('--interval', () => parseDuration(f.interval!));
  const runMs = Number.isFinite(durationMs)
    ? durationMs
    : rate > 0 && Number.isFinite(numRecords)
      ? (numRecords / rate) * 1000
      : Infinity;
  if (!Number.isFinite(runMs)) return 5000;
  return Math.min(5000, Math.max(1000, Math.round(runMs / 10_000) * 1000));
}

/** `--max-errors 100` (records) or `--max-errors 0.5%` (of the records the run should deliver). */
export function parseMaxErrors(text: string | undefined): ErrorAllowance | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().replace(/_/g, '');
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (percent) {
    const p = Number(percent[1]);
    if (p > 100) throw new UsageError(`--max-errors ${text}: a share is at most 100%`);
    return { percent: p };
  }
  if (/^\d+$/.test(t)) return { count: Number(t) };
  throw new UsageError(`--max-errors must be a count or a share, got "${text}"`, {
    hint: 'e.g. --max-errors 100 or --max-errors 0.1%',
  });
}

/** The topic name, checked before any connection (Kafka's rule; RabbitMQ and Pulsar names are checked by their clients). */
function checkTopicName(topic: string, kind: string): void {
  if (kind === 'kafka') validateKafkaTopicName(topic);
  else if (!topic) throw new UsageError('--topic is empty');
}

/** kafkajs has only gzip built in: the other codecs would fail on every send, so they are refused before the run. */
function checkCompression(kafka: KafkaPerfOptions): void {
  if (kafka.client !== 'librdkafka' && !['none', 'gzip'].includes(kafka.compression)) {
    throw new UsageError(
      `--compression ${kafka.compression} is not available with kafkajs (only gzip is built in)`,
      {
        hint: 'use --compression none or gzip, or --kafka-client librdkafka for snappy, lz4 and zstd',
      },
    );
  }
  if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(kafka.compression))
    throw new UsageError(`unknown compression "${kafka.compression}"`, {
      hint: 'none, gzip, snappy, lz4 or zstd',
    });
}

export function produceOptionsFromFlags(f: ProduceFlagInput, kind: string): ProduceOptions {
  checkBrokerFlags(f, kind);
  checkTopicName(f.topic, kind);
  const warmup = parseWarmup(f.warmup);
  const kafka: KafkaPerfOptions = {
    acks: f.acks === undefined ? -1 : f.acks === 'all' ? -1 : Number(f.acks),
    batchBytes:
      f['batch-size'] !== undefined ? forFlag('--batch-size', () => parseSize(f['batch-size']!)) : 256 * 1024,
    lingerMs: f.linger !== undefined ? forFlag('--linger', () => parseDuration(f.linger!, 'ms')) : 0,
    compression: f.compression ?? 'none',
    idempotent: Boolean(f.idempotent),
    transactionalId: f['transactional-id'],
    maxInFlight: f['max-in-flight'] ?? 5,
    client: f['kafka-client'] ?? 'kafkajs',
  };
  applyProducerProps(f['producer-props'], kafka);
  if (![0, 1, -1].includes(kafka.acks)) throw new UsageError('acks must be 0, 1 or all');
  if (kafka.maxInFlight < 1) throw new UsageError('--max-in-flight must be ≥ 1');
  if (kafka.batchBytes < 1) throw new UsageError('--batch-size must be ≥ 1');
  if (kind === 'kafka') checkCompression(kafka);
  const rabbitmq: RabbitPerfOptions = {
    exchange: f.exchange ?? '',
    routingKey: f['routing-key'],
    confirm: f.confirm ?? 1000,
    persistent: Boolean(f.persistent),
    queueType: f['queue-type'] ?? 'classic',
  };
  if (rabbitmq.confirm < 0) throw new UsageError('--confirm must be ≥ 0');
  const pulsar: PulsarPerfOptions = {
    batching: f.batching ?? true,
    batchDelayMs:
      f['batch-delay'] !== undefined
        ? forFlag('--batch-delay', () => parseDuration(f['batch-delay']!, 'ms'))
        : 1,
    maxPending: f['max-pending'] ?? 1000,
    client: f['pulsar-client'],
  };
  const { numRecords, durationMs } = countOrDuration(f);
  const maxPending = f['max-pending'];
  if (maxPending !== undefined && maxPending < 1) throw new UsageError('--max-pending must be ≥ 1');
  const payloadFile = f['payload-file'];
  const rate = parseRate(f);
  return {
    topic: f.topic,
    rate,
    numRecords,
    durationMs,
    warmupMs: warmup.ms,
    warmupRecords: warmup.records,
    recordSize: payloadFile ? undefined : parseRecordSize(f['record-size']),
    payloadFile,
    payloadDelimiter: f['payload-delimiter'],
    keyPattern: f['key-pattern'],
    keySpace: f['key-space'],
    producers: f.producers,
    shard: parseShard(f.shard),
    intervalMs: progressIntervalMs(f, durationMs, numRecords, rate),
    maxSendDelayMs: forFlag('--max-send-delay', () => parseDuration(f['max-send-delay'], 'ms')),
    maxPending: kind === 'pulsar' ? undefined : maxPending,
    flushTimeoutMs: forFlag('--flush-timeout', () => parseDuration(f['flush-timeout'])),
    create: f['create-topic']
      ? { partitions: f.partitions, replicationFactor: f['replication-factor'] }
      : undefined,
    kafka,
    rabbitmq,
    pulsar,
    clientThread: f['client-thread'] ?? defaultClientThread(kind, kafka, rate),
    maxErrors: parseMaxErrors(f['max-errors']),
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

export function consumeOptionsFromFlags(f: ConsumeFlagInput, kind?: string): ConsumeOptions {
  if (kind !== undefined && kind !== 'pulsar' && f['pulsar-client'] !== undefined)
    throw new UsageError(`--pulsar-client does not apply to ${kind}`, {
      hint: 'see the KAFKA / RABBITMQ / PULSAR flag groups in --help',
    });
  if (kind !== undefined) checkTopicName(f.topic, kind);
  const warmup = parseWarmup(f.warmup);
  const { numRecords, durationMs } = countOrDuration(f);
  return {
    maxErrors: parseMaxErrors(f['max-errors']),
    topic: f.topic,
    group: f.group,
    from: f.from,
    prefetch: f.prefetch,
    pulsarClient: f['pulsar-client'],
    numRecords,
    durationMs,
    warmupMs: warmup.ms,
    warmupRecords: warmup.records,
    idleTimeoutMs: forFlag('--idle-timeout', () => parseDuration(f['idle-timeout'])),
    intervalMs: progressIntervalMs(f, durationMs, numRecords, 0),
  };
}

/** The largest record any of the three brokers takes by default (RabbitMQ: 128 MiB; Kafka 1 MiB; Pulsar 5 MiB). */
export const MAX_RECORD_SIZE = 128 * 1024 * 1024;

/** --record-size: a size with units, at least 1 byte and at most MAX_RECORD_SIZE. */
export function parseRecordSize(text: string): number {
  let bytes: number;
  try {
    bytes = parseSize(text);
  } catch {
    throw new UsageError(`invalid --record-size "${text}"`, {
      hint: 'use bytes or a size, e.g. 100, 1KiB, 4MiB',
    });
  }
  if (bytes < 1 || bytes > MAX_RECORD_SIZE) {
    throw new UsageError(`--record-size ${text} is out of range: 1 B to 128 MiB`, {
      hint: 'brokers refuse larger records by default (Kafka 1 MiB, Pulsar 5 MiB, RabbitMQ 128 MiB)',
    });
  }
  return bytes;
}
