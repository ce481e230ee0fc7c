import type { Histogram } from 'hdr-histogram-js';
import { UsageError } from '../core/errors';
import {
  HISTOGRAM_NAMES,
  PERF_RESULT_SCHEMA,
  type EncodedHistogram,
  type HistogramName,
  type PercentileSummary,
  type PerfInterval,
  type PerfResult,
} from '../perf/result-schema';
import { addHistograms, decodeHistogram, encodeHistogram, summarizeHistogram } from './histogram';

/**
 * `perf merge`: results of several runs (N pods of a Kubernetes Indexed Job, or N processes on one host)
 * become one. Histograms are added bucket by bucket, so merged percentiles are exact: the same as one
 * histogram fed every recording, never an average of percentiles. Counts and rates are summed (the runs
 * are concurrent shards of one load), durations take the longest shard.
 */
export function mergeResults(inputs: ReadonlyArray<{ path: string; result: PerfResult }>): PerfResult {
  if (inputs.length === 0) throw new UsageError('perf merge needs at least one result file');
  const results = inputs.map((i) => i.result);
  const first = results[0]!;
  const kinds = new Set(results.map((r) => r.broker.kind));
  if (kinds.size > 1) {
    throw new UsageError(`cannot merge results from different broker kinds (${[...kinds].join(', ')})`, {
      hint: 'merge the shards of one run only',
    });
  }

  const histograms: Partial<Record<HistogramName, EncodedHistogram>> = {};
  const latency: Partial<Record<HistogramName, PercentileSummary>> = {};
  for (const name of HISTOGRAM_NAMES) {
    const parts: Histogram[] = [];
    let missing = 0;
    for (const [i, r] of results.entries()) {
      const encoded = r.histograms?.[name];
      if (encoded) parts.push(decodeHistogram(encoded, `${name} histogram in ${inputs[i]!.path}`));
      else if (r.latency?.[name] && r.latency[name]!.count > 0) missing++;
    }
    if (missing > 0) {
      throw new UsageError(
        `cannot merge ${name} latency: ${missing} result(s) have a summary but no histogram`,
        {
          hint: 'percentiles cannot be merged from summaries; write results with histograms (perf --result)',
        },
      );
    }
    if (parts.length === 0) continue;
    const merged = addHistograms(parts);
    histograms[name] = encodeHistogram(merged);
    latency[name] = summarizeHistogram(merged);
  }

  const sum = (f: (r: PerfResult) => number | undefined) => results.reduce((acc, r) => acc + (f(r) ?? 0), 0);
  const anyReceived = results.some((r) => r.received !== undefined);
  const invalid = results
    .map((r, i) => (r.valid === false ? `${inputs[i]!.path}: ${r.invalidReason ?? 'invalid'}` : undefined))
    .filter((x): x is string => x !== undefined);
  const starts = results.map((r) => Date.parse(r.environment?.startTime)).filter(Number.isFinite);
  const ends = results.map((r) => Date.parse(r.environment?.endTime)).filter(Number.isFinite);
  const hosts = [...new Set(results.map((r) => r.environment?.hostname).filter(Boolean))];
  const targetRates = results.map((r) => r.targetRate);

  return {
    schema: PERF_RESULT_SCHEMA,
    tool: first.tool,
    command: 'merge',
    broker: { ...first.broker },
    settings: {
      ...first.settings,
      mergedCommand: first.command,
      shards: results.length,
      shardIds: results.map((r) => r.environment?.shard ?? null),
    },
    environment: {
      hostname: hosts.join(','),
      platform: first.environment?.platform,
      node: first.environment?.node,
      cpus: sum((r) => r.environment?.cpus),
      startTime: new Date(starts.length ? Math.min(...starts) : Date.now()).toISOString(),
      endTime: new Date(ends.length ? Math.max(...ends) : Date.now()).toISOString(),
    },
    durationSeconds: Math.max(...results.map((r) => r.durationSeconds)),
    targetRate: targetRates.every((t) => typeof t === 'number') ? sum((r) => r.targetRate ?? 0) : null,
    sent: sum((r) => r.sent),
    acked: sum((r) => r.acked),
    ...(anyReceived ? { received: sum((r) => r.received) } : {}),
    errors: sum((r) => r.errors),
    throughput: sum((r) => r.throughput),
    mbPerSec: sum((r) => r.mbPerSec),
    valid: invalid.length === 0,
    ...(invalid.length ? { invalidReason: invalid.join('; ') } : {}),
    ...(results.some((r) => r.interrupted) ? { interrupted: true } : {}),
    latency,
    histograms,
    intervals: mergeIntervals(results.map((r) => r.intervals ?? [])),
    mergedFrom: inputs.map((i) => i.path),
  };
}

/**
 * Intervals of concurrent shards, aligned by their index (each shard reports every N seconds from its own
 * start). Counts and rates add up; per-interval percentiles cannot be merged from summaries, so p50/p99/max
 * are the worst shard's (an upper bound). The exact merged percentiles are in `latency`.
 */
export function mergeIntervals(perShard: ReadonlyArray<readonly PerfInterval[]>): PerfInterval[] {
  const length = Math.max(0, ...perShard.map((s) => s.length));
  const merged: PerfInterval[] = [];
  for (let i = 0; i < length; i++) {
    const rows = perShard.map((s) => s[i]).filter((x): x is PerfInterval => x !== undefined);
    const anyReceived = rows.some((r) => r.received !== undefined);
    const sendDelays = rows.map((r) => r.sendDelayP99).filter((x): x is number => typeof x === 'number');
    merged.push({
      t: Math.max(...rows.map((r) => r.t)),
      sent: rows.reduce((a, r) => a + r.sent, 0),
      acked: rows.reduce((a, r) => a + r.acked, 0),
      ...(anyReceived ? { received: rows.reduce((a, r) => a + (r.received ?? 0), 0) } : {}),
      errors: rows.reduce((a, r) => a + r.errors, 0),
      rate: rows.reduce((a, r) => a + r.rate, 0),
      mbPerSec: rows.reduce((a, r) => a + r.mbPerSec, 0),
      p50: Math.max(...rows.map((r) => r.p50)),
      p99: Math.max(...rows.map((r) => r.p99)),
      max: Math.max(...rows.map((r) => r.max)),
      ...(sendDelays.length ? { sendDelayP99: Math.max(...sendDelays) } : {}),
    });
  }
  return merged;
}
