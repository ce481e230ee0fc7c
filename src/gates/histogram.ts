import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { EncodedHistogram, PercentileSummary } from '../perf/result-schema';
import { UsageError } from '../core/errors';

/**
 * HdrHistogram helpers shared by gates, compare and merge. Histograms in results are
 * `encodeIntoCompressedBase64` encodings with values in microseconds. Decoded with 64-bit counts so a
 * merge of many shards cannot overflow a bucket.
 */
export function decodeHistogram(encoded: EncodedHistogram, what = 'histogram'): Histogram {
  if (encoded.unit !== undefined && encoded.unit !== 'us') {
    throw new UsageError(`${what} has unit "${String(encoded.unit)}"; only "us" is supported`);
  }
  try {
    return hdr.decodeFromCompressedBase64(encoded.encoded, 64, false);
  } catch (error) {
    throw new UsageError(`${what} is not a valid HdrHistogram encoding (${(error as Error).message})`, {
      hint: 'the result file may be truncated or edited; produce it again with --result',
    });
  }
}

export function encodeHistogram(histogram: Histogram): EncodedHistogram {
  return { encoded: hdr.encodeIntoCompressedBase64(histogram), unit: 'us' };
}

/** An empty histogram with the settings perf uses (auto-resizing, 3 significant digits, µs). */
export function emptyHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 64,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });
}

/** Adds histograms exactly (every bucket count), so percentiles of the sum are exact, never averaged. */
export function addHistograms(histograms: readonly Histogram[]): Histogram {
  const total = emptyHistogram();
  for (const h of histograms) total.add(h);
  return total;
}

/** The summary (milliseconds) a PerfResult carries for one histogram. */
export function summarizeHistogram(histogram: Histogram): PercentileSummary {
  const ms = (us: number) => us / 1000;
  const empty = histogram.totalCount === 0;
  const at = (p: number) => (empty ? 0 : ms(Math.min(histogram.getValueAtPercentile(p), histogram.maxValue)));
  return {
    count: histogram.totalCount,
    min: empty ? 0 : ms(Math.min(histogram.minNonZeroValue, histogram.maxValue)),
    mean: empty ? 0 : ms(histogram.mean),
    p50: at(50),
    p75: at(75),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    p9999: at(99.99),
    max: empty ? 0 : ms(histogram.maxValue),
  };
}
