import { randomBytes } from 'node:crypto';
import { createPerfConsumer, createPerfProducer, preparePerfConsumerGroup } from '../brokers/perf';
import type {
  PerfChunk,
  PerfConsumerDriver,
  PerfConsumerOptions,
  PerfProducerDriver,
  PerfRecord,
} from '../brokers/contracts/perf';
import type { BrokerConnection } from '../brokers/types';
import { UsageError } from '../core/errors';
import { epochUsOf, nowUs } from '../perf/clock';
import type { ProduceOptions } from '../perf/run';
import { OpenLoopSchedule } from '../perf/schedule';
import { runFault, type FaultRecord, type FaultSpec } from './faults';
import { VerifyLedger, type VerifyReport } from './ledger';
import { encodeRecord, decodeRecord } from './record';

/** What `mqctl verify` runs: the perf producer settings plus the consumer's and the faults. */
export interface VerifyOptions {
  /** topic, rate, records or duration, record size, producers, broker settings: as `perf produce` */
  produce: ProduceOptions;
  group?: string;
  prefetch: number;
  /** RabbitMQ: automatic acknowledgement (at most once) */
  autoAck: boolean;
  /** Pulsar: cumulative or individual acknowledgements (binary client) */
  pulsarAck?: 'cumulative' | 'individual';
  /** kill the consumer this many times during the run (evenly spaced), each followed by a fresh one */
  consumerRestarts: number;
  /** a killed consumer hangs this long (receives, acknowledges nothing) before its connection drops */
  consumerHangMs: number;
  faults: FaultSpec[];
  /** after the producers finished: stop when nothing new arrived for this long */
  drainTimeoutMs: number;
  /** a gap of at least this long with no acknowledgement (or no delivery) is an outage window */
  outageThresholdMs: number;
  maxExamples: number;
}

export interface VerifyHooks {
  signal?: AbortSignal;
  onNote?: (text: string) => void;
}

export interface TimelineEvent {
  /** seconds since the producers started */
  at: number;
  event:
    'producers started' | 'producers finished' | 'consumer killed' | 'consumer started' | 'fault' | 'drained';
  detail?: string;
}

export const VERIFY_SCHEMA = 'mqctl.verify.result/v1';

export interface VerifyResult extends VerifyReport {
  schema: typeof VERIFY_SCHEMA;
  /** run id written into every record */
  run: string;
  broker: { kind: string; target: string };
  topic: string;
  startTime: string;
  endTime: string;
  durationSeconds: number;
  settings: Record<string, unknown>;
  timeline: TimelineEvent[];
  faults: FaultRecord[];
  interrupted: boolean;
  /** set by the gates step */
  gates?: unknown[];
}

const MAX_RECORDS = 20_000_000;
const MAX_PER_TICK = 2000;

/** The settings printed with the result: the broker kind's settings only. */
function settingsOf(
  kind: string,
  o: VerifyOptions,
  total: number,
  group: string | undefined,
  producer: string,
  consumer: string,
): Record<string, unknown> {
  const p = o.produce;
  const brokerSettings =
    kind === 'kafka'
      ? {
          kafka: {
            acks: p.kafka.acks === -1 ? 'all' : p.kafka.acks,
            idempotent: p.kafka.idempotent,
            maxInFlight: p.kafka.maxInFlight,
            retries: p.kafka.retries ?? null,
            transactionalId: p.kafka.transactionalId ?? null,
          },
        }
      : kind === 'rabbitmq'
        ? {
            rabbitmq: {
              confirm: p.rabbitmq.confirm,
              persistent: p.rabbitmq.persistent,
              queueType: p.rabbitmq.queueType,
              autoAck: o.autoAck,
              prefetch: o.prefetch,
            },
          }
        : {
            pulsar: {
              batching: p.pulsar.batching,
              batchDelayMs: p.pulsar.batchDelayMs,
              maxPending: p.pulsar.maxPending,
              ack: o.pulsarAck ?? null,
            },
          };
  return {
    rate: p.rate,
    records: total,
    durationMs: Number.isFinite(p.durationMs) ? p.durationMs : null,
    recordSize: p.recordSize ?? 100,
    producers: p.producers,
    producer,
    consumer,
    group: group ?? null,
    consumerRestarts: o.consumerRestarts,
    consumerHangMs: o.consumerHangMs,
    ...brokerSettings,
  };
}

/** Total records the run sends: --num-records, or rate × duration. */
export function plannedRecords(p: ProduceOptions): number {
  if (Number.isFinite(p.numRecords)) return p.numRecords;
  if (p.rate <= 0)
    throw new UsageError('verify needs a count: give --num-records, or --rate with --duration', {
      hint: 'every record is tracked, so the run must know how many it sends',
    });
  return Math.ceil((p.rate * p.durationMs) / 1000 - 1e-6);
}

export function validateVerify(kind: string, o: VerifyOptions): number {
  const total = plannedRecords(o.produce);
  if (total < 1) throw new UsageError('verify needs at least one record');
  if (total > MAX_RECORDS)
    throw new UsageError(`verify tracks every record: ${total} is more than ${MAX_RECORDS}`, {
      hint: 'lower --rate, --duration or --num-records',
    });
  if (o.produce.producers < 1) throw new UsageError('--producers must be ≥ 1');
  if (o.produce.warmupMs > 0 || o.produce.warmupRecords > 0)
    throw new UsageError('verify has no warm-up: every record counts');
  if (o.consumerRestarts < 0) throw new UsageError('--consumer-restarts must be ≥ 0');
  if (o.consumerRestarts > 0 && o.produce.rate <= 0)
    throw new UsageError('--consumer-restarts needs a fixed --rate (restarts are spread over the run)');
  if (o.autoAck && kind !== 'rabbitmq') throw new UsageError('--auto-ack applies to RabbitMQ only');
  if (o.pulsarAck && kind !== 'pulsar') throw new UsageError('--pulsar-ack applies to Pulsar only');
  if (o.pulsarAck && o.produce.pulsar.client === 'websocket')
    throw new UsageError(
      '--pulsar-ack needs the binary client (the WebSocket API acknowledges each message)',
    );
  return total;
}

interface Incarnation {
  connection: BrokerConnection;
  driver: PerfConsumerDriver;
}

/**
 * `mqctl verify`: producers send records carrying (run, producer, sequence number) on the perf engine's
 * open-loop schedule; a consumer reads them back; faults and consumer kills happen at their moments; at the
 * end every record is accounted for (see ledger.ts).
 */
export async function runVerify(
  connect: () => Promise<BrokerConnection>,
  o: VerifyOptions,
  hooks: VerifyHooks = {},
): Promise<VerifyResult> {
  const producerConnection = await connect();
  const total = validateVerify(producerConnection.kind, o);
  const p = o.produce;
  const P = p.producers;
  const runId = randomBytes(4).toString('hex');
  const recordSize = p.recordSize ?? 100;
  const ledger = new VerifyLedger(P, Math.ceil(total / P), o.maxExamples);
  const note = (text: string) => hooks.onNote?.(text);

  const producers: PerfProducerDriver[] = [];
  try {
    for (let i = 0; i < P; i++)
      producers.push(
        await createPerfProducer(producerConnection, {
          topic: p.topic,
          create: i === 0 ? p.create : undefined,
          kafka: { ...p.kafka },
          rabbitmq: p.rabbitmq,
          pulsar: p.pulsar,
        }),
      );
  } catch (error) {
    await Promise.all(producers.map((d) => d.close().catch(() => undefined)));
    throw error;
  }

  // the consumer's group starts at the end of the topic as of now: only this run's records count
  const probe = await connect();
  const consumerOptions: PerfConsumerOptions = await preparePerfConsumerGroup(
    probe,
    {
      topic: p.topic,
      group: o.group ?? `mqctl-verify-${runId}`,
      from: 'latest',
      prefetch: o.prefetch,
      pulsarClient: p.pulsar.client,
      autoAck: o.autoAck,
      ...(producerConnection.kind === 'pulsar' ? { pulsarAck: o.pulsarAck } : {}),
    },
    1,
  );
  await probe.close();

  let startUs = 0;
  const sinceStartUs = () => (startUs === 0 ? 0 : nowUs() - startUs);
  const seconds = () => Math.round(sinceStartUs() / 1e5) / 10;
  let lastDeliveryUs = nowUs();
  const onRecord = (
    _bytes: number,
    _stamp: string | number | undefined,
    value?: Buffer,
    position?: string,
  ) => {
    lastDeliveryUs = nowUs();
    const id = decodeRecord(value);
    if (!id || id.run !== runId) ledger.received(-1, -1, sinceStartUs(), position);
    else ledger.received(id.producer, id.seq, sinceStartUs(), position);
  };
  const startConsumer = async (): Promise<Incarnation> => {
    const connection = await connect();
    try {
      const driver = await createPerfConsumer(connection, consumerOptions);
      await driver.start(onRecord);
      return { connection, driver };
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  };
  let consumer = await startConsumer();
  if (o.consumerRestarts > 0 && !consumer.driver.kill) {
    await consumer.connection.close().catch(() => undefined);
    await Promise.all(producers.map((d) => d.close().catch(() => undefined)));
    throw new UsageError(
      `--consumer-restarts: this consumer (${consumer.driver.description}) cannot be killed`,
      {
        hint: 'on Pulsar use --pulsar-client binary',
      },
    );
  }
  const consumerDescription = consumer.driver.description;
  note(
    `verify run ${runId} on ${p.topic} (${producerConnection.kind} ${producerConnection.target}): ${total} records` +
      `${p.rate > 0 ? ` at ${p.rate} msg/s` : ''}; producer ${producers[0]!.description}; consumer ${consumerDescription}`,
  );

  const timeline: TimelineEvent[] = [];
  const faults: FaultRecord[] = [];
  const startTime = new Date();
  const startMs = Date.now();
  startUs = nowUs();
  timeline.push({ at: 0, event: 'producers started' });

  // ---- timed events: faults and consumer restarts
  const timers: NodeJS.Timeout[] = [];
  const running: Array<Promise<unknown>> = [];
  for (const spec of o.faults) {
    timers.push(
      setTimeout(() => {
        note(`fault at ${seconds()}s: ${spec.command}`);
        timeline.push({ at: seconds(), event: 'fault', detail: spec.command });
        const done = runFault(spec, startMs).then((record) => {
          faults.push(record);
          note(
            `fault "${spec.command}" ended at ${record.ended.toFixed(1)}s with ${record.signal ? `signal ${record.signal}` : `exit code ${record.exitCode}`}`,
          );
        });
        running.push(done);
      }, spec.atMs),
    );
  }
  let restarting: Promise<void> = Promise.resolve();
  const produceMs = p.rate > 0 ? (total / p.rate) * 1000 : 0;
  for (let k = 1; k <= o.consumerRestarts; k++) {
    const at = (k * produceMs) / (o.consumerRestarts + 1);
    timers.push(
      setTimeout(() => {
        restarting = restarting.then(async () => {
          const old = consumer;
          timeline.push({
            at: seconds(),
            event: 'consumer killed',
            detail: `hangs ${o.consumerHangMs} ms, then its connection drops`,
          });
          note(`consumer killed at ${seconds()}s`);
          if (old.driver.kill) await old.driver.kill(o.consumerHangMs);
          // the crashed client's own clean-up must not delay its successor
          void old.connection.close().catch(() => undefined);
          consumer = await startConsumer();
          timeline.push({ at: seconds(), event: 'consumer started' });
          note(`consumer started again at ${seconds()}s`);
        });
        running.push(restarting);
      }, at),
    );
  }

  // ---- live progress
  const progress = setInterval(() => {
    const l = ledger.live;
    note(
      `t=${seconds()}s sent ${l.sent}, acknowledged ${l.acknowledged}, refused ${l.refused}, received ${l.received}, acknowledged not yet received ${l.missing}`,
    );
  }, p.intervalMs);

  // ---- the producers, on the perf engine's open-loop schedule
  const schedule = new OpenLoopSchedule(p.rate, startUs + 1000, total);
  const clientBound = Math.min(...producers.map((d) => d.maxOutstanding ?? Infinity)) * P;
  const maxPending = p.maxPending ?? (Number.isFinite(clientBound) ? clientBound : 200_000);
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(tick, ms);
    };
    for (const d of producers) d.onReady = () => arm(0);
    const tick = () => {
      timer = undefined;
      if (hooks.signal?.aborted) return resolve();
      const now = nowUs();
      if (producers.some((d) => d.blocked())) return arm(5);
      const n = Math.min(schedule.dueCount(now), maxPending - ledger.outstanding, MAX_PER_TICK);
      if (n > 0) {
        const chunks = producers.map((_, i) => new VerifyChunk(i, ledger, sinceStartUs));
        for (let k = 0; k < n; k++) {
          const { index, intendedUs } = schedule.take(now);
          const producer = index % P;
          const seq = Math.floor(index / P);
          chunks[producer]!.add(seq, {
            key: `p${producer}`,
            value: encodeRecord({ run: runId, producer, seq }, recordSize),
            stamp: String(Math.round(epochUsOf(intendedUs))),
          });
          ledger.sent(producer, seq, now - startUs);
        }
        chunks.forEach((c, i) => c.records.length > 0 && producers[i]!.send(c));
      }
      if (schedule.finished) return resolve();
      const wait =
        n === MAX_PER_TICK || maxPending - ledger.outstanding <= 0 ? 1 : schedule.waitUs(nowUs()) / 1000;
      arm(Math.max(1, Math.min(50, wait)));
    };
    arm(1);
  });
  await Promise.all(producers.map((d) => d.flush(hooks.signal?.aborted ? 2000 : p.flushTimeoutMs)));
  timeline.push({ at: seconds(), event: 'producers finished' });
  await Promise.all(producers.map((d) => d.close().catch(() => undefined)));

  // faults not started by now never run; those running (and restarts) finish first
  for (const t of timers) clearTimeout(t);
  for (const spec of o.faults)
    if (
      !timeline.some((e) => e.event === 'fault' && e.detail === spec.command) &&
      spec.atMs > sinceStartUs() / 1000
    )
      note(`fault "${spec.command}" at ${spec.atMs / 1000}s did not run: the producers finished first`);
  await Promise.all(running);
  await restarting;

  // ---- drain: until every acknowledged record arrived (plus a second for late duplicates) or nothing
  // new arrived for --drain-timeout
  lastDeliveryUs = Math.max(lastDeliveryUs, nowUs());
  let complete = 0;
  while (!hooks.signal?.aborted) {
    await new Promise((r) => setTimeout(r, 250));
    if (ledger.missingAcknowledged() === 0) {
      if (complete === 0) complete = nowUs();
      if (nowUs() - complete >= 1e6) break;
    } else complete = 0;
    if (nowUs() - lastDeliveryUs >= o.drainTimeoutMs * 1000) break;
  }
  timeline.push({ at: seconds(), event: 'drained' });
  clearInterval(progress);
  await consumer.driver.close().catch(() => undefined);
  await consumer.connection.close().catch(() => undefined);

  const report = ledger.report(o.outageThresholdMs);
  return {
    schema: VERIFY_SCHEMA,
    run: runId,
    broker: { kind: producerConnection.kind, target: producerConnection.target },
    topic: p.topic,
    startTime: startTime.toISOString(),
    endTime: new Date().toISOString(),
    durationSeconds: (Date.now() - startMs) / 1000,
    settings: settingsOf(
      producerConnection.kind,
      o,
      total,
      consumerOptions.group,
      producers[0]!.description,
      consumerDescription,
    ),
    ...report,
    timeline: timeline.sort((a, b) => a.at - b.at),
    faults,
    interrupted: Boolean(hooks.signal?.aborted),
  };
}

/** One wake-up's records for one producer; settlements go straight to the ledger. */
class VerifyChunk implements PerfChunk {
  readonly records: PerfRecord[] = [];
  private readonly seqs: number[] = [];

  constructor(
    private readonly producer: number,
    private readonly ledger: VerifyLedger,
    private readonly now: () => number,
  ) {}

  add(seq: number, record: PerfRecord): void {
    this.seqs.push(seq);
    this.records.push(record);
  }

  settle(index: number, error?: Error): void {
    this.ledger.settled(
      this.producer,
      this.seqs[index]!,
      this.now(),
      error?.message ?? (error ? String(error) : undefined),
    );
  }

  settleRange(from: number, to: number, error?: Error): void {
    for (let i = from; i < to; i++) this.settle(i, error);
  }
}
