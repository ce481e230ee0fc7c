import { cpus, hostname } from 'node:os';
import type { Histogram } from './histograms';
import { encodeHistogram, intervalStats, summarize } from './histograms';
import {
  PERF_RESULT_SCHEMA,
  type HistogramName,
  type PerfInterval,
  type PerfResult,
  type PercentileSummary,
} from './result-schema';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const MQCTL_VERSION = (require('../../../package.json') as { version: string }).version;

/** MB as kafka-producer-perf-test counts it (1024 × 1024 bytes). */
export const MB = 1024 * 1024;

/** The counters and histograms of a finished run, whatever produced it (produce, consume, e2e, workers). */
export interface RunData {
  command: string;
  broker: PerfResult['broker'];
  settings: Record<string, unknown>;
  shard?: string;
  targetRate: number | null;
  sent: number;
  acked: number;
  received?: number;
  errors: number;
  bytes: number;
  durationSeconds: number;
  /** producer runs: the rate limiter's achieved send rate */
  sendRate?: number;
  startTime: Date;
  endTime: Date;
  interrupted: boolean;
  histograms: ReadonlyMap<HistogramName, Histogram>;
  intervals: Array<{
    t: number;
    seconds: number;
    sent: number;
    acked: number;
    received?: number;
    errors: number;
    bytes: number;
    histograms: ReadonlyMap<HistogramName, Histogram>;
  }>;
  /** send delay p99 above this (ms) means the generator fell behind */
  maxSendDelayMs: number;
  backpressureWaits: number;
  eventLoopDelayP99Ms?: number;
  errorMessages: string[];
}

/** Extra fields mqctl adds to the v1 document (allowed: v1 may grow, never shrink). */
export interface PerfResultExtras {
  warmup?: { records: number };
  generator?: {
    eventLoopDelayP99Ms?: number;
    backpressureWaits: number;
    bound: 'none' | 'generator' | 'broker';
  };
  errorMessages?: string[];
  /** records handed to the client per second (the rate limiter's achieved rate); throughput counts acks */
  sendRate?: number;
  /** sendRate ÷ targetRate */
  achievedRatio?: number | null;
  /** payload bytes of the measured records (acked for producers, received for consumers) */
  bytes?: number;
  /** records that failed or never arrived (produce: errors; consume/e2e: also missing records) */
  failedRecords?: number;
  /** the longest window of the measured phase without an acknowledgement, when records failed */
  outage?: { seconds: number; fromSeconds: number; toSeconds: number };
  /** set when failed records exceed --max-errors: why the run failed (the exit code is then 1) */
  failure?: string;
  /** perf consume: kafka-consumer-perf-test's rebalance and fetch-only figures (the window minus the join) */
  fetch?: { rebalanceMs: number; fetchMs: number; throughput: number; mbPerSec: number };
}

/** A run that measured nothing (no record received or acknowledged) fails whatever --max-errors says. */
export function failRun(result: MqctlPerfResult, reason: string): void {
  result.failure = result.failure ? `${result.failure}; ${reason}` : reason;
  result.valid = false;
  result.invalidReason = result.invalidReason ? `${reason}; ${result.invalidReason}` : reason;
}

/** `--max-errors N` (records) or `--max-errors P%` (of the records the run should have delivered). */
export interface ErrorAllowance {
  count?: number;
  percent?: number;
}

/** What a run should have delivered and what failed, for judgeRecords. */
export interface RecordCheck {
  /** failed or missing records */
  failed: number;
  /** records the run should have delivered (0 when unknown: a duration-bound consume) */
  of: number;
  /** what failed, e.g. "records failed" or "records not received" */
  what: string;
  /** the first error messages, named in the verdict */
  messages?: string[];
  allowance?: ErrorAllowance;
  outage?: { seconds: number; fromSeconds: number; toSeconds: number };
}

function allowed(check: RecordCheck): number {
  const a = check.allowance;
  if (!a) return 0;
  if (a.count !== undefined) return a.count;
  if (a.percent !== undefined) return Math.floor((check.of * a.percent) / 100);
  return 0;
}

/**
 * A stretch without any acknowledgement while records were due is reported even when nothing failed: a
 * partition leader killed mid-run stops acknowledgements for the seconds until a follower leads, and the
 * run then recovers with every record acknowledged; the latency percentiles show that only as a tail. It
 * counts when it lasted at least 1 s and at least ten of the schedule's gaps between records (at 1 msg/s a
 * 1 s gap is the schedule, not an outage). It does not make the run invalid by itself.
 */
export function noteOutage(
  result: MqctlPerfResult,
  outage: { seconds: number; fromSeconds: number; toSeconds: number },
  rate: number,
): void {
  if (result.outage) return;
  const threshold = Math.max(1, rate > 0 ? 10 / rate : 0);
  if (outage.seconds >= threshold) result.outage = outage;
}

/**
 * Failure never reads as success: failed or missing records beyond `--max-errors` (default none) make the
 * run invalid, with a verdict that names them (and the longest window without an acknowledgement); the
 * command then exits 1 after printing the summary.
 */
export function judgeRecords(result: MqctlPerfResult, check: RecordCheck): void {
  if (check.failed <= 0) return;
  result.failedRecords = (result.failedRecords ?? 0) + check.failed;
  if (check.outage && check.outage.seconds > 0) result.outage = check.outage;
  if (check.failed <= allowed(check)) return;
  const share = check.of > 0 ? ` of ${check.of} (${round((check.failed / check.of) * 100, 2)} %)` : '';
  const outage =
    check.outage && check.outage.seconds > 0
      ? `; no acknowledgement for ${round(check.outage.seconds, 1)} s (from ${round(check.outage.fromSeconds, 1)} s to ${round(check.outage.toSeconds, 1)} s)`
      : '';
  const first = (check.messages ?? []).slice(0, 2).join('; ');
  const reason = `${check.failed}${share} ${check.what}${first ? `: ${first}` : ''}${outage}`;
  result.failure = result.failure ? `${result.failure}; ${reason}` : reason;
  result.valid = false;
  result.invalidReason = result.invalidReason ? `${reason}; ${result.invalidReason}` : reason;
}

export type MqctlPerfResult = PerfResult & PerfResultExtras;

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

function intervalRow(i: RunData['intervals'][number], consumer: boolean): PerfInterval {
  const count = consumer ? (i.received ?? 0) : i.acked;
  // numbers cached when the interval closed (its histograms may be gone since, see retireInterval)
  const stats = intervalStats(i.histograms);
  const latency = stats[consumer ? 'e2e' : 'latency'];
  const sendDelay = stats.sendDelay;
  const ls = latency && latency.count > 0 ? latency : undefined;
  const row: PerfInterval = {
    t: round(i.t),
    sent: i.sent,
    acked: i.acked,
    errors: i.errors,
    rate: i.seconds > 0 ? round(count / i.seconds, 1) : 0,
    mbPerSec: i.seconds > 0 ? round(i.bytes / MB / i.seconds) : 0,
    p50: ls?.p50 ?? 0,
    p99: ls?.p99 ?? 0,
    max: ls?.max ?? 0,
  };
  if (i.received !== undefined) row.received = i.received;
  if (!consumer && i.seconds > 0)
    (row as PerfInterval & { sendRate?: number }).sendRate = round(i.sent / i.seconds, 1);
  if (sendDelay && sendDelay.count > 0) row.sendDelayP99 = sendDelay.p99;
  return row;
}

/**
 * Judges the run: when the send delay shows the generator fell behind its own schedule, the latencies
 * describe mqctl, not the broker, and the run is invalid. When it fell behind because the client's buffer
 * or in-flight limit was full, the broker is the bottleneck: valid, and the response latency shows it.
 */
export function judge(data: RunData): {
  valid: boolean;
  invalidReason?: string;
  bound: 'none' | 'generator' | 'broker';
} {
  const sendDelay = data.histograms.get('sendDelay');
  if (!data.targetRate || !sendDelay || sendDelay.totalCount === 0) return { valid: true, bound: 'none' };
  const p99 = summarize(sendDelay).p99;
  if (p99 <= data.maxSendDelayMs) return { valid: true, bound: 'none' };
  if (data.backpressureWaits > 0) return { valid: true, bound: 'broker' };
  return {
    valid: false,
    bound: 'generator',
    invalidReason: `generator-bound: send delay p99 ${p99} ms > ${data.maxSendDelayMs} ms (event-loop delay p99 ${round(data.eventLoopDelayP99Ms ?? 0, 1)} ms); mqctl could not keep its schedule, so these latencies describe the load generator, not the broker — lower --rate, add --threads, or use --shard on more machines`,
  };
}

export function buildResult(data: RunData): MqctlPerfResult {
  const consumer = data.command === 'consume';
  const latency: PerfResult['latency'] = {};
  const histograms: PerfResult['histograms'] = {};
  for (const [name, h] of data.histograms) {
    if (h.totalCount === 0) continue;
    latency[name] = summarize(h);
    histograms[name] = encodeHistogram(h);
  }
  const count = consumer ? (data.received ?? 0) : data.acked;
  const throughput = data.durationSeconds > 0 ? round(count / data.durationSeconds, 1) : 0;
  const verdict = judge(data);
  const result: MqctlPerfResult = {
    schema: PERF_RESULT_SCHEMA,
    tool: { name: 'mqctl', version: MQCTL_VERSION },
    command: data.command,
    broker: data.broker,
    settings: data.settings,
    environment: {
      hostname: hostname(),
      platform: `${process.platform}-${process.arch}`,
      node: process.version,
      cpus: cpus().length,
      startTime: data.startTime.toISOString(),
      endTime: data.endTime.toISOString(),
      ...(data.shard ? { shard: data.shard } : {}),
    },
    durationSeconds: round(data.durationSeconds),
    targetRate: data.targetRate,
    sent: data.sent,
    acked: data.acked,
    ...(data.received !== undefined ? { received: data.received } : {}),
    errors: data.errors,
    throughput,
    mbPerSec: data.durationSeconds > 0 ? round(data.bytes / MB / data.durationSeconds) : 0,
    bytes: data.bytes,
    valid: verdict.valid,
    ...(verdict.invalidReason ? { invalidReason: verdict.invalidReason } : {}),
    ...(data.interrupted ? { interrupted: true } : {}),
    latency,
    histograms,
    intervals: data.intervals.map((i) => intervalRow(i, consumer)),
    generator: {
      eventLoopDelayP99Ms:
        data.eventLoopDelayP99Ms === undefined ? undefined : round(data.eventLoopDelayP99Ms, 2),
      backpressureWaits: data.backpressureWaits,
      bound: verdict.bound,
    },
    ...(data.sendRate !== undefined ? { sendRate: round(data.sendRate, 1) } : {}),
    achievedRatio:
      data.targetRate && data.sendRate !== undefined ? round(data.sendRate / data.targetRate, 4) : null,
    errorMessages: data.errorMessages,
  };
  return result;
}

export type { PercentileSummary };
