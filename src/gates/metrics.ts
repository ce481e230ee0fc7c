import type { Histogram } from 'hdr-histogram-js';
import {
  HISTOGRAM_NAMES,
  HISTOGRAM_TAGS,
  type HistogramName,
  type PercentileSummary,
  type PerfInterval,
  type PerfResult,
} from '../perf/result-schema';
import { decodeHistogram } from './histogram';

/**
 * The metrics a gate can name, what unit each is measured in, and how to read it from a run.
 *
 * - histograms (values in microseconds): `latency` (response latency, ack − intended send; a bare `p99`
 *   means `latency.p99`), `service` (ack − actual send), `send_delay` (actual − intended send; also
 *   `sendDelay`, its key in the result document), `e2e`.
 *   Statistics: `pN` (p50, p99, p99.9; p999 = p99.9, p9999 = p99.99), `p(N)` (k6 spelling), `min`,
 *   `max`, `mean`/`avg`, `med`/`median`, `count`.
 * - scalars: `throughput` (msg/s), `mb_per_sec` (MB/s), `errors`, `error_rate` (fraction 0..1),
 *   `sent`, `acked`, `received`, `duration` (seconds).
 */

/** How a metric's values are expressed; decides which units a gate threshold may (must) carry. */
export type MetricKind = 'latency' | 'rate' | 'bandwidth' | 'count' | 'ratio' | 'duration';

export const SCALAR_NAMES = [
  'throughput',
  'mb_per_sec',
  'errors',
  'error_rate',
  'sent',
  'acked',
  'received',
  'duration',
] as const;
export type ScalarName = (typeof SCALAR_NAMES)[number];

export type HistogramStat =
  | { type: 'percentile'; percentile: number }
  | { type: 'min' }
  | { type: 'max' }
  | { type: 'mean' }
  | { type: 'count' };

export interface MetricRef {
  /** canonical name, e.g. `latency.p99`, `e2e.p99.9`, `throughput` */
  name: string;
  kind: MetricKind;
  /** which way is better, for baselines and compare: latency lower, throughput higher */
  better: 'lower' | 'higher';
  histogram?: HistogramName;
  stat?: HistogramStat;
  scalar?: ScalarName;
}

const SCALAR_KIND: Record<ScalarName, { kind: MetricKind; better: 'lower' | 'higher' }> = {
  throughput: { kind: 'rate', better: 'higher' },
  mb_per_sec: { kind: 'bandwidth', better: 'higher' },
  errors: { kind: 'count', better: 'lower' },
  error_rate: { kind: 'ratio', better: 'lower' },
  sent: { kind: 'count', better: 'higher' },
  acked: { kind: 'count', better: 'higher' },
  received: { kind: 'count', better: 'higher' },
  duration: { kind: 'duration', better: 'higher' },
};

const SCALAR_ALIASES: Record<string, ScalarName> = {
  throughput: 'throughput',
  msg_per_sec: 'throughput',
  msgs_per_sec: 'throughput',
  records_per_sec: 'throughput',
  rate: 'throughput',
  mb_per_sec: 'mb_per_sec',
  mbpersec: 'mb_per_sec',
  mb_per_s: 'mb_per_sec',
  mbps: 'mb_per_sec',
  errors: 'errors',
  error_count: 'errors',
  error_rate: 'error_rate',
  errors_rate: 'error_rate',
  sent: 'sent',
  acked: 'acked',
  received: 'received',
  duration: 'duration',
};

const HISTOGRAM_ALIASES: Record<string, HistogramName> = {
  latency: 'latency',
  response: 'latency',
  service: 'service',
  send_delay: 'sendDelay',
  senddelay: 'sendDelay',
  e2e: 'e2e',
  end_to_end: 'e2e',
};

/** Parses a statistic such as `p99`, `p99.9`, `p999`, `p(99.9)`, `max`, `mean`; undefined if it is not one. */
export function parseStat(text: string): HistogramStat | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'min') return { type: 'min' };
  if (t === 'max') return { type: 'max' };
  if (t === 'mean' || t === 'avg') return { type: 'mean' };
  if (t === 'count') return { type: 'count' };
  if (t === 'med' || t === 'median') return { type: 'percentile', percentile: 50 };
  const match = /^p\(?(\d+(?:\.\d+)?)\)?$/.exec(t);
  if (!match) return undefined;
  const digits = match[1]!;
  let percentile = Number(digits);
  // p999 = p99.9 and p9999 = p99.99 (the names pulsar-perf, OMB and our summaries use)
  if (!digits.includes('.') && percentile > 100 && /^99+$/.test(digits)) {
    percentile = Number(`99.${digits.slice(2)}`);
  }
  if (!(percentile > 0 && percentile <= 100)) return undefined;
  return { type: 'percentile', percentile };
}

export function statName(stat: HistogramStat): string {
  return stat.type === 'percentile' ? `p${stat.percentile}` : stat.type;
}

/** The metric a gate's left-hand side names, or undefined when it names none. */
export function parseMetric(text: string): MetricRef | undefined {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  if (t in SCALAR_ALIASES) {
    const scalar = SCALAR_ALIASES[t]!;
    return { name: scalar, scalar, ...SCALAR_KIND[scalar] };
  }
  // `p99` alone means response latency; `e2e.p99`, `e2e_p99`, `send_delay.p99`, `send_delay_p99`
  const bare = parseStat(t);
  if (bare) return histogramMetric('latency', bare);
  for (const [alias, histogram] of Object.entries(HISTOGRAM_ALIASES)) {
    for (const sep of ['.', '_']) {
      if (t.startsWith(alias + sep)) {
        const stat = parseStat(t.slice(alias.length + 1));
        if (stat) return histogramMetric(histogram, stat);
      }
    }
  }
  return undefined;
}

export function histogramMetric(histogram: HistogramName, stat: HistogramStat): MetricRef {
  const isCount = stat.type === 'count';
  return {
    // the gate language's spelling (`send_delay.p99`), also in gate outcomes and compare rows
    name: `${HISTOGRAM_TAGS[histogram]}.${statName(stat)}`,
    kind: isCount ? 'count' : 'latency',
    better: isCount ? 'higher' : 'lower',
    histogram,
    stat,
  };
}

export function scalarMetric(scalar: ScalarName): MetricRef {
  return { name: scalar, scalar, ...SCALAR_KIND[scalar] };
}

/** Names a user may write, for error hints. */
export const METRIC_HINT =
  'metrics: p50..p99.9, min, max, mean (latency), e2e.p99, service.p99, send_delay.p99, throughput, mb_per_sec, errors, error_rate, sent, acked, received, duration';

/**
 * Where metric values come from: a finished PerfResult, a merge, or a live snapshot during a run.
 * Latency values are microseconds; scalars are in their own units (msg/s, MB/s, count, fraction, s).
 */
export interface MetricSource {
  scalar(name: ScalarName): number | undefined;
  histogram(name: HistogramName): Histogram | undefined;
  summary(name: HistogramName): PercentileSummary | undefined;
}

/** Reads a PerfResult; histograms are decoded once, on first use. */
export function sourceFromResult(result: PerfResult): MetricSource {
  const decoded = new Map<HistogramName, Histogram | undefined>();
  return {
    scalar: (name) => scalarFromCounts(name, result),
    histogram(name) {
      if (!decoded.has(name)) {
        const encoded = result.histograms?.[name];
        decoded.set(name, encoded ? decodeHistogram(encoded) : undefined);
      }
      return decoded.get(name);
    },
    summary: (name) => result.latency?.[name],
  };
}

/** The state of a run in progress, as a perf engine sees it at an interval boundary (cumulative). */
export interface LiveSnapshot {
  /** seconds since the measured phase began */
  elapsedSeconds: number;
  sent: number;
  acked: number;
  received?: number;
  errors: number;
  /** bytes acknowledged so far (for mb_per_sec); optional */
  bytes?: number;
  /** cumulative histograms (microseconds) */
  histograms?: Partial<Record<HistogramName, Histogram>>;
  /** cumulative max response latency in ms, when histograms are not passed */
  maxLatencyMs?: number;
}

export function sourceFromSnapshot(snapshot: LiveSnapshot): MetricSource {
  const seconds = snapshot.elapsedSeconds > 0 ? snapshot.elapsedSeconds : undefined;
  const counted =
    snapshot.received !== undefined && snapshot.acked === 0 ? snapshot.received : snapshot.acked;
  return {
    scalar(name) {
      if (name === 'throughput') return seconds ? counted / seconds : undefined;
      if (name === 'mb_per_sec')
        return seconds && snapshot.bytes !== undefined ? snapshot.bytes / 1_000_000 / seconds : undefined;
      if (name === 'duration') return snapshot.elapsedSeconds;
      return scalarFromCounts(name, snapshot);
    },
    histogram: (name) => snapshot.histograms?.[name],
    summary(name) {
      if (name !== 'latency' || snapshot.maxLatencyMs === undefined) return undefined;
      return { max: snapshot.maxLatencyMs } as PercentileSummary;
    },
  };
}

/** Cumulative snapshot from the periodic interval lines of a run (when the engine keeps no live histograms). */
export function snapshotFromIntervals(intervals: readonly PerfInterval[]): LiveSnapshot {
  let sent = 0;
  let acked = 0;
  let received: number | undefined;
  let errors = 0;
  let maxLatencyMs: number | undefined;
  let bytes = 0;
  let previousT = 0;
  for (const interval of intervals) {
    sent += interval.sent;
    acked += interval.acked;
    errors += interval.errors;
    if (interval.received !== undefined) received = (received ?? 0) + interval.received;
    maxLatencyMs = Math.max(maxLatencyMs ?? 0, interval.max);
    bytes += interval.mbPerSec * 1_000_000 * (interval.t - previousT);
    previousT = interval.t;
  }
  return {
    elapsedSeconds: intervals.at(-1)?.t ?? 0,
    sent,
    acked,
    received,
    errors,
    bytes,
    maxLatencyMs: intervals.length > 0 ? maxLatencyMs : undefined,
  };
}

interface Counts {
  sent: number;
  acked: number;
  received?: number;
  errors: number;
  throughput?: number;
  mbPerSec?: number;
  durationSeconds?: number;
}

function scalarFromCounts(name: ScalarName, counts: Counts): number | undefined {
  switch (name) {
    case 'throughput':
      return counts.throughput;
    case 'mb_per_sec':
      return counts.mbPerSec;
    case 'errors':
      return counts.errors;
    case 'sent':
      return counts.sent;
    case 'acked':
      return counts.acked;
    case 'received':
      return counts.received;
    case 'duration':
      return counts.durationSeconds;
    case 'error_rate': {
      // errors over attempts: messages sent (producers) or received plus errors (consumers)
      const attempts = counts.sent > 0 ? counts.sent : (counts.received ?? 0) + counts.errors;
      return attempts > 0 ? counts.errors / attempts : undefined;
    }
  }
}

export interface Measurement {
  /** in the metric's internal unit (µs for latency), or null when there were no samples */
  value: number | null;
  /** why value is null */
  reason?: string;
}

const SUMMARY_FIELD: Record<string, keyof PercentileSummary> = {
  min: 'min',
  max: 'max',
  mean: 'mean',
  count: 'count',
  p50: 'p50',
  p75: 'p75',
  p90: 'p90',
  p95: 'p95',
  p99: 'p99',
  'p99.9': 'p999',
  'p99.99': 'p9999',
  p100: 'max',
};

/** Reads one metric. A histogram with no samples (or a metric the run did not record) gives null and a reason. */
export function measure(source: MetricSource, metric: MetricRef): Measurement {
  if (metric.scalar) {
    const value = source.scalar(metric.scalar);
    if (value === undefined || !Number.isFinite(value)) {
      return { value: null, reason: `the run recorded no ${metric.scalar}` };
    }
    return { value };
  }
  const name = metric.histogram!;
  const stat = metric.stat!;
  const histogram = source.histogram(name);
  if (histogram) {
    if (histogram.totalCount === 0) {
      return stat.type === 'count' ? { value: 0 } : { value: null, reason: `no ${name} latency samples` };
    }
    return { value: statFromHistogram(histogram, stat) };
  }
  // Fall back to the summary (milliseconds) when a result carries no histogram for this name.
  const summary = source.summary(name);
  const field = SUMMARY_FIELD[statName(stat)];
  const fromSummary = field && summary ? summary[field] : undefined;
  if (typeof fromSummary === 'number' && Number.isFinite(fromSummary)) {
    if (stat.type === 'count') return { value: fromSummary };
    if (summary && summary.count === 0) return { value: null, reason: `no ${name} latency samples` };
    return { value: fromSummary * 1000 };
  }
  if (stat.type === 'count') return { value: 0 };
  return {
    value: null,
    reason:
      summary || field === undefined
        ? `no ${name} histogram to compute ${statName(stat)} from`
        : `no ${name} latency samples`,
  };
}

export function statFromHistogram(histogram: Histogram, stat: HistogramStat): number {
  switch (stat.type) {
    case 'percentile':
      return Math.min(histogram.getValueAtPercentile(stat.percentile), histogram.maxValue);
    case 'min':
      // minNonZeroValue is a huge sentinel when only zeros were recorded
      return Math.min(histogram.minNonZeroValue, histogram.maxValue);
    case 'max':
      return histogram.maxValue;
    case 'mean':
      return histogram.mean;
    case 'count':
      return histogram.totalCount;
  }
}

export { HISTOGRAM_NAMES };
