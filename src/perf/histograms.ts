import * as hdr from 'hdr-histogram-js';
import type { EncodedHistogram, HistogramName, PercentileSummary } from './result-schema';

export type Histogram = hdr.Histogram;

/** One hour in microseconds: the largest latency we track exactly; larger values auto-resize. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

/** A microsecond histogram with 3 significant digits (0.1 % value error), as HdrHistogram users expect. */
export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

/** Records a microsecond value; negative values (clock noise across processes) are clamped to 0. */
export function recordUs(histogram: Histogram, valueUs: number): void {
  histogram.recordValue(valueUs > 0 ? Math.round(valueUs) : 0);
}

const usToMs = (us: number): number => Math.round(us) / 1000;

/** The percentiles the summary shows, in milliseconds (rounded to the microsecond). */
export function summarize(histogram: Histogram): PercentileSummary {
  const count = histogram.totalCount;
  if (count === 0) {
    return { count: 0, min: 0, mean: 0, p50: 0, p75: 0, p90: 0, p95: 0, p99: 0, p999: 0, p9999: 0, max: 0 };
  }
  const at = (p: number) => usToMs(histogram.getValueAtPercentile(p));
  return {
    count,
    min: usToMs(minValue(histogram)),
    mean: usToMs(histogram.mean),
    p50: at(50),
    p75: at(75),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    p9999: at(99.99),
    max: usToMs(histogram.maxValue),
  };
}

/** The smallest recorded value, zero included (minNonZeroValue skips zeros). */
function minValue(histogram: Histogram): number {
  return histogram.getValueAtPercentile(0);
}

export function encodeHistogram(histogram: Histogram): EncodedHistogram {
  return { encoded: hdr.encodeIntoCompressedBase64(histogram), unit: 'us' };
}

export function decodeHistogram(encoded: EncodedHistogram | string): Histogram {
  const text = typeof encoded === 'string' ? encoded : encoded.encoded;
  return hdr.decodeFromCompressedBase64(text, 64, false);
}

/** Adds histograms exactly (bucket counts add; percentiles are never averaged). */
export function mergeHistograms(histograms: readonly Histogram[]): Histogram {
  const merged = newHistogram();
  for (const h of histograms) merged.add(h);
  return merged;
}

/** The set of histograms a perf run keeps: cumulative for the summary, interval for progress and .hlog. */
export class HistogramSet {
  readonly total = new Map<HistogramName, Histogram>();
  readonly interval = new Map<HistogramName, Histogram>();

  constructor(readonly names: readonly HistogramName[]) {
    for (const name of names) {
      this.total.set(name, newHistogram());
      this.interval.set(name, newHistogram());
    }
  }

  record(name: HistogramName, valueUs: number): void {
    const v = valueUs > 0 ? Math.round(valueUs) : 0;
    this.total.get(name)!.recordValue(v);
    this.interval.get(name)!.recordValue(v);
  }

  /** Takes the interval histograms (the caller owns them) and starts fresh ones. */
  takeInterval(): Map<HistogramName, Histogram> {
    const taken = new Map(this.interval);
    for (const name of this.names) this.interval.set(name, newHistogram());
    return taken;
  }

  /** Adds another set's cumulative histograms (e.g. from a worker thread). */
  addTotals(other: ReadonlyMap<HistogramName, Histogram>): void {
    for (const [name, h] of other) {
      if (!this.total.has(name)) this.total.set(name, newHistogram());
      this.total.get(name)!.add(h);
    }
  }
}
