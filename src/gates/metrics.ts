import type { PerfResult } from '../perf/result-schema';

/**
 * What a gate expression is evaluated against. Built from a PerfResult (or a merge of several):
 * - scalars: throughput (msg/s), mb_per_sec, errors, error_rate (fraction 0..1), sent, acked, received,
 *   duration (seconds)
 * - histograms: latency (response latency; `p99` with no prefix means latency.p99), service, send_delay,
 *   e2e; values in microseconds
 */
export interface RunMetrics {
  result: PerfResult;
}
