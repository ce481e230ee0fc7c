import type { Histogram } from 'hdr-histogram-js';
import { emptyHistogram, encodeHistogram, summarizeHistogram } from '../../src/gates/histogram';
import { PERF_RESULT_SCHEMA, type HistogramName, type PerfResult } from '../../src/perf/result-schema';

/** A histogram (µs) fed the given values. */
export function histogramOf(values: readonly number[]): Histogram {
  const h = emptyHistogram();
  for (const v of values) h.recordValue(v);
  return h;
}

/** Deterministic pseudo-random latencies (µs): mostly around `center`, with a tail. */
export function latencies(count: number, center: number, seed = 1): number[] {
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const r = next();
    out.push(Math.round(r < 0.99 ? center * (0.5 + r) : center * (5 + 20 * next())));
  }
  return out;
}

/** A PerfResult as `perf produce --result` writes it, built from recorded values. */
export function makeResult(options: {
  histograms?: Partial<Record<HistogramName, readonly number[]>>;
  sent?: number;
  acked?: number;
  errors?: number;
  throughput?: number;
  mbPerSec?: number;
  durationSeconds?: number;
  valid?: boolean;
  invalidReason?: string;
  shard?: string;
}): PerfResult {
  const histograms: PerfResult['histograms'] = {};
  const latency: PerfResult['latency'] = {};
  for (const [name, values] of Object.entries(options.histograms ?? {})) {
    const h = histogramOf(values);
    histograms[name as HistogramName] = encodeHistogram(h);
    latency[name as HistogramName] = summarizeHistogram(h);
  }
  const acked = options.acked ?? options.histograms?.latency?.length ?? 0;
  return {
    schema: PERF_RESULT_SCHEMA,
    tool: { name: 'mqctl', version: '0.1.0' },
    command: 'produce',
    broker: { kind: 'kafka', target: '127.0.0.1:9092' },
    settings: { rate: 1000 },
    environment: {
      hostname: 'test-host',
      platform: 'linux',
      node: process.version,
      cpus: 2,
      startTime: '2026-01-01T00:00:00.000Z',
      endTime: '2026-01-01T00:00:10.000Z',
      ...(options.shard ? { shard: options.shard } : {}),
    },
    durationSeconds: options.durationSeconds ?? 10,
    targetRate: 1000,
    sent: options.sent ?? acked + (options.errors ?? 0),
    acked,
    errors: options.errors ?? 0,
    throughput: options.throughput ?? acked / (options.durationSeconds ?? 10),
    mbPerSec: options.mbPerSec ?? 0.1,
    valid: options.valid ?? true,
    ...(options.invalidReason ? { invalidReason: options.invalidReason } : {}),
    latency,
    histograms,
    intervals: [],
  };
}
