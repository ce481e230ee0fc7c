import {
  createPerfConsumer,
  createPerfProducer,
  type KafkaPerfOptions,
  type PerfProducerDriver,
  type PulsarClientKind,
  type PulsarPerfOptions,
  type RabbitPerfOptions,
} from '../brokers/perf';
import type { BrokerConnection } from '../brokers/types';
import { UsageError } from '../core/errors';
import type { ResolvedContext } from '../config/types';
import { ConsumeRun } from './consume';
import type { LogInterval } from './files';
import { retireInterval, type Histogram } from './histograms';
import { IoThreadProducer } from './threads/client-main';
import { KeySource, PayloadSource, type KeyPattern } from './payload';
import { ProduceRun, type IntervalSnapshot, type ProduceOutcome, holdsMeasuredRecords } from './produce';
import {
  buildResult,
  failRun,
  judgeRecords,
  noteOutage,
  MB,
  type ErrorAllowance,
  type MqctlPerfResult,
  type RunData,
} from './result';
import type { HistogramName, PerfInterval } from './result-schema';

export interface ProduceOptions {
  topic: string;
  /** total rate across shards; 0 = as fast as possible */
  rate: number;
  numRecords: number;
  durationMs: number;
  warmupMs: number;
  warmupRecords: number;
  recordSize?: number;
  payloadFile?: string;
  payloadDelimiter?: string;
  keyPattern: KeyPattern;
  keySpace: number;
  producers: number;
  shard?: { index: number; count: number };
  intervalMs: number;
  maxSendDelayMs: number;
  maxPending?: number;
  flushTimeoutMs: number;
  create?: { partitions: number; replicationFactor: number };
  kafka: KafkaPerfOptions;
  rabbitmq: RabbitPerfOptions;
  pulsar: PulsarPerfOptions;
  /** run each broker client on its own worker thread (`--client-thread`; see threads/client-main.ts) */
  clientThread?: boolean;
  /** `--max-errors`: failed records the run may have and still pass (default none) */
  maxErrors?: ErrorAllowance;
}

export interface ConsumeOptions {
  topic: string;
  group?: string;
  from: 'earliest' | 'latest';
  prefetch: number;
  /** Pulsar data path (absent = the context's choice, else binary) */
  pulsarClient?: PulsarClientKind;
  numRecords: number;
  durationMs: number;
  warmupMs: number;
  warmupRecords: number;
  idleTimeoutMs: number;
  intervalMs: number;
  /** `--max-errors`: records that may be missing at the end and the run still pass (default none) */
  maxErrors?: ErrorAllowance;
}

export interface RunHooks {
  signal?: AbortSignal;
  /** a progress row every interval */
  onInterval?: (row: PerfInterval, consumer: boolean) => void;
  /** the interval's histograms (µs, measured phase only), called just before onInterval (gates' abort-on-fail) */
  onIntervalHistograms?: (histograms: ReadonlyMap<HistogramName, Histogram>) => void;
  /** live counters for a TTY status line */
  onStatus?: (status: () => string) => void;
  /** notes for stderr (topic created, driver in use) */
  onNote?: (text: string) => void;
  /**
   * The caller needs every interval's histograms after onInterval (it writes an .hlog): closed intervals are
   * compacted and kept instead of dropped (see retireInterval).
   */
  keepIntervalHistograms?: boolean;
}

export interface PerfRunOutput {
  result: MqctlPerfResult;
  logIntervals: LogInterval[];
  startEpochMs: number;
  /** what ended the run early (a producer thread died): thrown after the summary is printed */
  error?: Error;
}

/** Messages per wake-up per producer: enough for 1 ms at the rate, never so many that I/O starves. */
function maxPerTick(rate: number): number {
  return rate > 0 ? Math.max(64, Math.min(20_000, Math.ceil(rate / 100))) : 2000;
}

export function produceSettingsRecord(o: ProduceOptions, kind: string): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    topic: o.topic,
    rate: o.rate,
    numRecords: Number.isFinite(o.numRecords) ? o.numRecords : null,
    durationSeconds: Number.isFinite(o.durationMs) ? o.durationMs / 1000 : null,
    warmupSeconds: o.warmupMs / 1000,
    warmupRecords: o.warmupRecords,
    messageSize: o.payloadFile ? null : (o.recordSize ?? 100),
    payloadFile: o.payloadFile ?? null,
    keyDistributor: o.keyPattern,
    keySpace: o.keySpace,
    producers: o.producers,
    intervalSeconds: o.intervalMs / 1000,
    maxSendDelayMs: o.maxSendDelayMs,
    shard: o.shard ? `${o.shard.index}/${o.shard.count}` : null,
    clientThread: Boolean(o.clientThread),
  };
  if (kind === 'kafka') settings.kafka = { ...o.kafka, acks: o.kafka.acks === -1 ? 'all' : o.kafka.acks };
  if (kind === 'rabbitmq') settings.rabbitmq = o.rabbitmq;
  if (kind === 'pulsar') settings.pulsar = o.pulsar;
  return settings;
}

export function toLogInterval(i: {
  startEpochMs: number;
  endEpochMs: number;
  histograms: ReadonlyMap<HistogramName, Histogram>;
}): LogInterval {
  return { startEpochMs: i.startEpochMs, endEpochMs: i.endEpochMs, histograms: i.histograms };
}

export async function openProducers(
  connection: BrokerConnection,
  o: ProduceOptions,
): Promise<PerfProducerDriver[]> {
  const producers: PerfProducerDriver[] = [];
  try {
    for (let i = 0; i < o.producers; i++) {
      const options = {
        topic: o.topic,
        maxRecordBytes: o.payloadFile
          ? new PayloadSource(undefined, o.payloadFile, o.payloadDelimiter).maxSize
          : (o.recordSize ?? 100),
        create: i === 0 ? o.create : undefined,
        kafka: { ...o.kafka },
        rabbitmq: o.rabbitmq,
        pulsar: o.pulsar,
      };
      producers.push(
        o.clientThread
          ? await IoThreadProducer.start({
              ctx: connection.settings as ResolvedContext,
              timeoutMs: connection.timeoutMs,
              options,
            })
          : await createPerfProducer(connection, options),
      );
    }
  } catch (error) {
    await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
    throw error;
  }
  return producers;
}

export function startProduce(
  producers: PerfProducerDriver[],
  o: ProduceOptions,
  hooks: RunHooks,
  onSnapshot: (s: IntervalSnapshot) => void,
): { run: ProduceRun; done: Promise<ProduceOutcome> } {
  const shardCount = o.shard?.count ?? 1;
  const rate = o.rate > 0 ? o.rate / shardCount : 0;
  const clientBound = Math.min(...producers.map((p) => p.maxOutstanding ?? Infinity)) * producers.length;
  const maxPending = o.maxPending ?? (Number.isFinite(clientBound) ? clientBound : 200_000);
  const run = new ProduceRun(
    producers,
    {
      rate,
      numRecords: o.numRecords,
      durationMs: o.durationMs,
      warmupMs: o.warmupMs,
      warmupRecords: o.warmupRecords,
      intervalMs: o.intervalMs,
      maxPending,
      maxPerTick: maxPerTick(rate),
      flushTimeoutMs: o.flushTimeoutMs,
    },
    new PayloadSource(o.recordSize, o.payloadFile, o.payloadDelimiter),
    new KeySource(o.keyPattern, o.keySpace, o.shard?.index ?? 0, shardCount),
    { signal: hooks.signal, onInterval: onSnapshot, keepIntervalHistograms: hooks.keepIntervalHistograms },
  );
  return { run, done: run.run() };
}

export function produceRunData(
  connection: BrokerConnection,
  o: ProduceOptions,
  description: string,
  outcome: ProduceOutcome,
  command: string,
): RunData {
  const shardCount = o.shard?.count ?? 1;
  return {
    command,
    broker: { kind: connection.kind, target: connection.target, dataPath: description },
    settings: produceSettingsRecord(o, connection.kind),
    shard: o.shard ? `${o.shard.index}/${o.shard.count}` : undefined,
    targetRate: o.rate > 0 ? o.rate / shardCount : null,
    sent: outcome.sent,
    acked: outcome.acked,
    errors: outcome.errors,
    bytes: outcome.bytes,
    durationSeconds: outcome.durationSeconds,
    sendRate: outcome.sendRate,
    startTime: outcome.startTime,
    endTime: outcome.endTime,
    interrupted: outcome.interrupted,
    histograms: outcome.histograms.total,
    intervals: outcome.intervals,
    maxSendDelayMs: o.maxSendDelayMs,
    backpressureWaits: outcome.backpressureWaits,
    eventLoopDelayP99Ms: outcome.eventLoopDelayP99Ms,
    errorMessages: outcome.errorMessages,
  };
}

/**
 * The largest record mqctl generates: RabbitMQ's hard limit (512 MiB). Each broker's own, lower limit
 * (Kafka's message.max.bytes, Pulsar's maxMessageSize) is checked by its driver before the load starts.
 */
export const MAX_RECORD_BYTES = 512 * 1024 * 1024;

export function validateProduce(o: ProduceOptions): PayloadSource {
  if (o.recordSize !== undefined && (!Number.isInteger(o.recordSize) || o.recordSize < 0))
    throw new UsageError('--record-size must be a whole number ≥ 0');
  if (o.recordSize !== undefined && o.recordSize > MAX_RECORD_BYTES)
    throw new UsageError(`--record-size ${o.recordSize} is larger than any broker accepts`, {
      hint: `at most ${MAX_RECORD_BYTES} bytes (RabbitMQ); Kafka and Pulsar default to about 1 MiB and 5 MiB`,
    });
  // reads --payload-file now (a missing file is a usage error before any connection or thread starts)
  const payloads = new PayloadSource(o.recordSize, o.payloadFile, o.payloadDelimiter);
  if (!Number.isFinite(o.numRecords) && !Number.isFinite(o.durationMs))
    throw new UsageError('pass --num-records N or --duration D', {
      hint: 'e.g. --num-records 100000 or --duration 60s',
    });
  if (o.rate < 0) throw new UsageError('--rate must be ≥ 0 (0 = as fast as possible)');
  if (o.producers < 1) throw new UsageError('--producers must be ≥ 1');
  if (o.rate === 0 && !Number.isFinite(o.numRecords) && !Number.isFinite(o.durationMs))
    throw new UsageError('an unthrottled run needs --num-records or --duration');
  if (Number.isFinite(o.numRecords) && o.warmupRecords >= o.numRecords)
    throw new UsageError('--warmup records must be fewer than --num-records');
  return payloads;
}

/** `mqctl perf produce`: the open-loop producer run on one broker connection. */
export async function runProduce(
  connection: BrokerConnection,
  o: ProduceOptions,
  hooks: RunHooks = {},
): Promise<PerfRunOutput> {
  validateProduce(o);
  const producers = await openProducers(connection, o);
  try {
    return await produceOn(connection, producers, o, hooks);
  } finally {
    // an error mid-run must not leave a client (or its thread) keeping the process alive
    await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
  }
}

async function produceOn(
  connection: BrokerConnection,
  producers: PerfProducerDriver[],
  o: ProduceOptions,
  hooks: RunHooks,
): Promise<PerfRunOutput> {
  hooks.onNote?.(
    `producing to ${o.topic} on ${connection.kind} ${connection.target} via ${producers[0]!.description}`,
  );
  const logIntervals: LogInterval[] = [];
  const { run, done } = startProduce(producers, o, hooks, (s) => {
    if (!holdsMeasuredRecords(s)) return;
    logIntervals.push(toLogInterval(s));
    const row = intervalOf(s, false);
    hooks.onIntervalHistograms?.(s.histograms);
    hooks.onInterval?.(row, false);
  });
  hooks.onStatus?.(() => {
    const st = run.status();
    return `sent ${st.sent}, acked ${st.acked}, pending ${st.pending}, errors ${st.errors}`;
  });
  const outcome = await done;
  const result = buildResult(produceRunData(connection, o, producers[0]!.description, outcome, 'produce'));
  result.warmup = { records: outcome.warmupSent };
  judgeRecords(result, {
    failed: outcome.errors,
    of: outcome.sent,
    what: 'records failed',
    messages: outcome.errorMessages,
    allowance: o.maxErrors,
    outage: outcome.outage,
  });
  noteOutage(result, outcome.outage, o.rate);
  return { result, logIntervals, startEpochMs: outcome.startTime.getTime(), error: outcome.fatal };
}

/** A progress row from a snapshot (the same rule as the result's intervals). */
export function intervalOf(s: IntervalSnapshot & { received?: number }, consumer: boolean): PerfInterval {
  const data: RunData = {
    command: consumer ? 'consume' : 'produce',
    broker: { kind: 'kafka', target: '' },
    settings: {},
    targetRate: null,
    sent: 0,
    acked: 0,
    errors: 0,
    bytes: 0,
    durationSeconds: 0,
    startTime: new Date(),
    endTime: new Date(),
    interrupted: false,
    histograms: new Map(),
    intervals: [s],
    maxSendDelayMs: 0,
    backpressureWaits: 0,
    errorMessages: [],
  };
  return buildResult(data).intervals[0]!;
}

export function consumeSettingsRecord(o: ConsumeOptions): Record<string, unknown> {
  return {
    topic: o.topic,
    group: o.group ?? null,
    from: o.from,
    prefetch: o.prefetch,
    ...(o.pulsarClient ? { pulsarClient: o.pulsarClient } : {}),
    numRecords: Number.isFinite(o.numRecords) ? o.numRecords : null,
    durationSeconds: Number.isFinite(o.durationMs) ? o.durationMs / 1000 : null,
    warmupSeconds: o.warmupMs / 1000,
    warmupRecords: o.warmupRecords,
    idleTimeoutSeconds: o.idleTimeoutMs / 1000,
    intervalSeconds: o.intervalMs / 1000,
  };
}

/** What a consume run (one consumer, or N threads added together) hands to the result document. */
export interface ConsumeTotals {
  received: number;
  warmupReceived: number;
  bytes: number;
  errors: number;
  durationSeconds: number;
  startTime: Date;
  endTime: Date;
  /** group join time inside the measured phase (kafka-consumer-perf-test's rebalance.time.ms) */
  rebalanceMs: number;
  interrupted: boolean;
  idleTimedOut: boolean;
  histograms: ReadonlyMap<HistogramName, Histogram>;
  intervals: Array<{
    t: number;
    seconds: number;
    received: number;
    bytes: number;
    histograms: ReadonlyMap<HistogramName, Histogram>;
  }>;
}

/** The result document of `perf consume` (settings, counts, the idle-timeout note when records were missing). */
export function consumeResult(
  broker: RunData['broker'],
  o: ConsumeOptions,
  totals: ConsumeTotals,
  extraSettings: Record<string, unknown> = {},
): MqctlPerfResult {
  const data: RunData = {
    command: 'consume',
    broker,
    settings: { ...consumeSettingsRecord(o), ...extraSettings },
    targetRate: null,
    sent: 0,
    acked: 0,
    received: totals.received,
    errors: totals.errors,
    bytes: totals.bytes,
    durationSeconds: totals.durationSeconds,
    startTime: totals.startTime,
    endTime: totals.endTime,
    interrupted: totals.interrupted,
    histograms: totals.histograms,
    intervals: totals.intervals.map((i) => ({ ...i, sent: 0, acked: 0, errors: 0 })),
    maxSendDelayMs: Infinity,
    backpressureWaits: 0,
    errorMessages: [],
  };
  const result = buildResult(data);
  result.warmup = { records: totals.warmupReceived };
  // kafka-consumer-perf-test's fetch.* columns: the same window without the group join
  const fetchSeconds = Math.max(0, totals.durationSeconds - totals.rebalanceMs / 1000);
  result.fetch = {
    rebalanceMs: Math.round(totals.rebalanceMs),
    fetchMs: Math.round(fetchSeconds * 1000),
    throughput: fetchSeconds > 0 ? Math.round((totals.received / fetchSeconds) * 10) / 10 : 0,
    mbPerSec: fetchSeconds > 0 ? Math.round((totals.bytes / MB / fetchSeconds) * 1000) / 1000 : 0,
  };
  const got = totals.received + totals.warmupReceived;
  const idle = totals.idleTimedOut ? ` (nothing arrived for ${o.idleTimeoutMs / 1000} s)` : '';
  if (Number.isFinite(o.numRecords) && got < o.numRecords && !totals.interrupted) {
    judgeRecords(result, {
      failed: o.numRecords - got,
      of: o.numRecords,
      what: `records not received${idle}: received ${got} of ${o.numRecords}`,
      allowance: o.maxErrors,
    });
  } else if (got === 0 && !totals.interrupted) {
    failRun(result, `received no records${idle}: nothing was measured`);
  }
  return result;
}

/** `mqctl perf consume`: throughput, and end-to-end latency of records stamped by `perf produce`. */
export async function runConsume(
  connection: BrokerConnection,
  o: ConsumeOptions,
  hooks: RunHooks = {},
): Promise<PerfRunOutput> {
  if (!Number.isFinite(o.numRecords) && !Number.isFinite(o.durationMs))
    throw new UsageError('pass --num-records N or --duration D');
  const driver = await createPerfConsumer(connection, {
    topic: o.topic,
    group: o.group,
    from: o.from,
    prefetch: o.prefetch,
    pulsarClient: o.pulsarClient,
    directFetch: true,
  });
  const consume = new ConsumeRun(driver, {
    numRecords: o.numRecords,
    durationMs: o.durationMs,
    warmupMs: o.warmupMs,
    warmupRecords: o.warmupRecords,
    idleTimeoutMs: o.idleTimeoutMs,
    intervalMs: o.intervalMs,
    keepIntervalHistograms: hooks.keepIntervalHistograms,
  });
  await consume.start();
  // Once subscribed (as the threaded consumer does): a topic that does not exist is one error line.
  hooks.onNote?.(`consuming ${o.topic} on ${connection.kind} ${connection.target} via ${driver.description}`);
  const logIntervals: LogInterval[] = [];
  hooks.onStatus?.(() => `received ${consume.counts.received} (+${consume.counts.warmupReceived} warm-up)`);
  const outcome = await consume.run(hooks.signal, (i) => {
    logIntervals.push(toLogInterval(i));
    hooks.onInterval?.(
      intervalOf({ ...i, warmup: false, sent: 0, acked: 0, errors: 0, received: i.received }, true),
      true,
    );
  });
  const result = consumeResult(
    { kind: connection.kind, target: connection.target, dataPath: driver.description },
    o,
    { ...outcome, errors: 0, histograms: outcome.histograms.total, interrupted: outcome.interrupted },
  );
  if (outcome.fatal) failRun(result, `the consumer stopped: ${outcome.fatal.message}`);
  return { result, logIntervals, startEpochMs: outcome.startTime.getTime(), error: outcome.fatal };
}

/**
 * `mqctl perf e2e`: a consumer subscribes first (at the end of the topic as of now), then the open-loop
 * producer runs; the report has publish latencies (response, service, send delay) and end-to-end latency.
 */
export async function runE2e(
  producerConnection: BrokerConnection,
  consumerConnection: BrokerConnection,
  o: ProduceOptions,
  c: Pick<ConsumeOptions, 'group' | 'prefetch' | 'idleTimeoutMs'>,
  hooks: RunHooks = {},
): Promise<PerfRunOutput> {
  validateProduce(o);
  const producers = await openProducers(producerConnection, o);
  try {
    return await e2eOn(producerConnection, consumerConnection, producers, o, c, hooks);
  } finally {
    await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
  }
}

async function e2eOn(
  producerConnection: BrokerConnection,
  consumerConnection: BrokerConnection,
  producers: PerfProducerDriver[],
  o: ProduceOptions,
  c: Pick<ConsumeOptions, 'group' | 'prefetch' | 'idleTimeoutMs'>,
  hooks: RunHooks,
): Promise<PerfRunOutput> {
  const driver = await createPerfConsumer(consumerConnection, {
    topic: o.topic,
    group: c.group,
    from: 'latest',
    prefetch: c.prefetch,
    pulsarClient: o.pulsar.client,
  });
  hooks.onNote?.(
    `e2e on ${o.topic} (${producerConnection.kind} ${producerConnection.target}): producer ${producers[0]!.description}; consumer ${driver.description}`,
  );
  const consume = new ConsumeRun(driver, {
    numRecords: Infinity,
    durationMs: Infinity,
    warmupMs: 0,
    warmupRecords: o.warmupRecords,
    idleTimeoutMs: c.idleTimeoutMs,
    intervalMs: Infinity,
  });
  await consume.start();
  const logIntervals: LogInterval[] = [];
  const e2eIntervals: Array<IntervalSnapshot & { received: number }> = [];
  const { run, done } = startProduce(producers, o, hooks, (s) => {
    const ci = consume.takeInterval();
    if (!holdsMeasuredRecords(s)) return;
    const histograms = new Map(s.histograms);
    for (const [name, h] of ci.histograms) histograms.set(name, h);
    const merged = { ...s, histograms, received: ci.received };
    e2eIntervals.push(merged);
    logIntervals.push(toLogInterval(merged));
    retireInterval(histograms, Boolean(hooks.keepIntervalHistograms));
    hooks.onIntervalHistograms?.(histograms);
    hooks.onInterval?.(intervalOf(merged, false), false);
  });
  // records stamped before the producer's measured phase are warm-up for the consumer too
  if (o.warmupMs > 0) consume.measureFromStamp(run.measuredStartEpochUs);
  hooks.onStatus?.(() => {
    const st = run.status();
    return `sent ${st.sent}, acked ${st.acked}, received ${consume.counts.received}, errors ${st.errors}`;
  });
  const produced = await done;
  consume.expect(produced.acked + produced.warmupSent);
  const consumed = await consume.run(hooks.signal);
  const data = produceRunData(producerConnection, o, producers[0]!.description, produced, 'e2e');
  data.received = consumed.received;
  const histograms = new Map(produced.histograms.total);
  histograms.set('e2e', consumed.histograms.total.get('e2e')!);
  data.histograms = histograms;
  data.intervals = e2eIntervals;
  data.settings = {
    ...data.settings,
    consumer: { group: c.group ?? null, prefetch: c.prefetch, dataPath: driver.description },
  };
  const result = buildResult(data);
  result.warmup = { records: produced.warmupSent };
  const expected = produced.acked + produced.warmupSent;
  const got = consumed.received + consumed.warmupReceived;
  const interrupted = produced.interrupted || consumed.interrupted;
  judgeRecords(result, {
    failed: produced.errors,
    of: produced.sent,
    what: 'records failed',
    messages: produced.errorMessages,
    allowance: o.maxErrors,
    outage: produced.outage,
  });
  noteOutage(result, produced.outage, o.rate);
  if (got < expected && !interrupted) {
    judgeRecords(result, {
      failed: expected - got,
      of: expected,
      what: `acknowledged records not received by the consumer within the ${c.idleTimeoutMs / 1000} s idle timeout (received ${got} of ${expected})`,
      allowance: o.maxErrors,
    });
  }
  if (expected === 0 && !interrupted) failRun(result, 'no record was acknowledged: nothing was measured');
  return { result, logIntervals, startEpochMs: produced.startTime.getTime(), error: produced.fatal };
}
