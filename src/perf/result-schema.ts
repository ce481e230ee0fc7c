/**
 * The perf result document (`--output json`, `--result FILE`), schema `mqctl.perf.result/v2`.
 * Stable and versioned: fields may be added, never renamed or removed within a version. Field names follow
 * the OpenMessaging Benchmark where one exists; every key is camelCase (docs/output.md). v2 differs from v1
 * in one key only: the send-delay histogram is `sendDelay` under `latency` and `histograms` (v1:
 * `send_delay`); `src/gates/result-file.ts` still reads v1 files. Latencies are in milliseconds in summaries; histograms are
 * HdrHistogram encodings (microseconds) so results from several machines can be merged exactly.
 *
 * This file is the contract between `src/perf` (which writes results) and `src/gates` (which gates,
 * compares and merges them).
 */
export const PERF_RESULT_SCHEMA = 'mqctl.perf.result/v2';
/** The previous version, still read (`perf compare`, `perf merge`, `--baseline`), never written. */
export const PERF_RESULT_SCHEMA_V1 = 'mqctl.perf.result/v1';

/**
 * The latency histograms, as keys of `latency` and `histograms` in the result document;
 * `latency` is response latency (ack − intended send).
 */
export const HISTOGRAM_NAMES = ['latency', 'service', 'sendDelay', 'e2e'] as const;
export type HistogramName = (typeof HISTOGRAM_NAMES)[number];

/**
 * The name a histogram goes by where it is a name, not a JSON key: gate metrics (`send_delay.p99`, the
 * spelling of the gate language next to `mb_per_sec` and `error_rate`), the perf CSV's `histogram` column,
 * `.hgrm` file suffixes and `.hlog` tags. These kept their v1 spelling (docs/output.md).
 */
export const HISTOGRAM_TAGS: Readonly<Record<HistogramName, string>> = {
  latency: 'latency',
  service: 'service',
  sendDelay: 'send_delay',
  e2e: 'e2e',
};

export interface PercentileSummary {
  count: number;
  /** milliseconds */
  min: number;
  mean: number;
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
}

export interface EncodedHistogram {
  /** `hdr.encodeIntoCompressedBase64(histogram)`, values in microseconds. */
  encoded: string;
  unit: 'us';
}

export interface PerfInterval {
  /** seconds since the measured phase began (end of the interval) */
  t: number;
  sent: number;
  acked: number;
  received?: number;
  errors: number;
  rate: number;
  mbPerSec: number;
  /** milliseconds, this interval only */
  p50: number;
  p99: number;
  max: number;
  sendDelayP99?: number;
}

export interface GateOutcome {
  expression: string;
  metric: string;
  /** the measured value in the metric's display unit, or null when the metric had no samples */
  measured: number | null;
  unit: string;
  passed: boolean;
  message: string;
}

export interface PerfResult {
  schema: typeof PERF_RESULT_SCHEMA;
  tool: { name: 'mqctl'; version: string };
  /** e.g. "produce", "consume", "e2e", or "merge" */
  command: string;
  broker: { kind: 'kafka' | 'pulsar' | 'rabbitmq'; target: string; dataPath?: string };
  /** every setting the run used (rate, record size, producers, acks, ...) */
  settings: Record<string, unknown>;
  environment: {
    hostname: string;
    platform: string;
    node: string;
    cpus: number;
    startTime: string;
    endTime: string;
    shard?: string;
  };
  /** measured phase only (warm-up excluded) */
  durationSeconds: number;
  targetRate: number | null;
  sent: number;
  acked: number;
  received?: number;
  errors: number;
  /** messages per second over the measured phase (acked for producers, received for consumers) */
  throughput: number;
  mbPerSec: number;
  /** generator-bound or otherwise untrustworthy run */
  valid: boolean;
  invalidReason?: string;
  interrupted?: boolean;
  latency: Partial<Record<HistogramName, PercentileSummary>>;
  histograms: Partial<Record<HistogramName, EncodedHistogram>>;
  intervals: PerfInterval[];
  gates?: GateOutcome[];
  /** for `perf merge`: the inputs */
  mergedFrom?: string[];
}
