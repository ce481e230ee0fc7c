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
  const at = (p: number) => usToMs(valueAtPercentile(histogram, p));
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

/**
 * The value at a percentile, never above the largest value recorded. HdrHistogram answers with the top of
 * the percentile's bucket (up to 0.1 % above any recorded value), which printed P99.99 24.303 next to
 * MAX 24.292; the recorded max is the true upper bound.
 */
export function valueAtPercentile(histogram: Histogram, percentile: number): number {
  return Math.min(histogram.getValueAtPercentile(percentile), histogram.maxValue);
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

  /**
   * Hands the interval histograms to the caller (who owns them from now on) and starts fresh ones. O(1): the
   * filled flat histograms are handed over as they are, so closing an interval never stalls the generator
   * (packing three of them at once took ~40 ms at 50,000 msg/s, and that stall showed up as send delay). The
   * caller keeps them small with `compactInBackground`.
   */
  takeInterval(): Map<HistogramName, Histogram> {
    const taken = new Map<HistogramName, Histogram>();
    for (const name of this.names) {
      taken.set(name, this.interval.get(name)!);
      this.interval.set(name, newHistogram());
    }
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

/** Internals of hdr-histogram-js' JsHistogram that an exact bucket-by-bucket copy needs. */
interface Buckets {
  countsArrayLength: number;
  totalCount: number;
  maxValue: number;
  minNonZeroValue: number;
  getCountAtIndex(index: number): number;
  addToCountAtIndex(index: number, value: number): void;
  setTotalCount(value: number): void;
  resize(newHighestTrackableValue: number): void;
}

function newPackedHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 'packed',
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

const isPacked = (h: Histogram): boolean => h instanceof hdr.PackedHistogram;

/** Work per event-loop turn while compacting, in milliseconds. */
const SLICE_MS = 1;

/**
 * Replaces each flat histogram in `histograms` with an equal packed one (memory proportional to the buckets
 * in use: ~29 KB instead of ~190 KB), a slice of buckets per event-loop turn so a perf run's schedule never
 * waits for it. Until a histogram is replaced the map holds the flat original, which is equally correct;
 * readers always see one or the other, whole. Resolves when every entry is packed.
 */
export function compactInBackground(histograms: Map<HistogramName, Histogram>): Promise<void> {
  const names = [...histograms].filter(([, h]) => !isPacked(h)).map(([name]) => name);
  return new Promise((resolve) => {
    let n = 0;
    let index = 0;
    let packed: Histogram | undefined;
    const step = (): void => {
      const deadline = performance.now() + SLICE_MS;
      while (n < names.length) {
        const name = names[n]!;
        const flat = histograms.get(name)!;
        if (isPacked(flat)) {
          n++;
          continue;
        }
        const from = flat as unknown as Buckets;
        packed ??= newPackedHistogram();
        const to = packed as unknown as Buckets;
        // a flat histogram that auto-resized past an hour has more buckets: give the copy the same layout
        if (to.countsArrayLength < from.countsArrayLength) to.resize(from.maxValue);
        while (index < from.countsArrayLength) {
          const count = from.getCountAtIndex(index);
          if (count > 0) to.addToCountAtIndex(index, count);
          index++;
          if ((index & 255) === 0 && performance.now() > deadline) {
            setImmediate(step);
            return;
          }
        }
        to.setTotalCount(from.totalCount);
        to.maxValue = from.maxValue;
        to.minNonZeroValue = from.minNonZeroValue;
        histograms.set(name, packed);
        packed = undefined;
        index = 0;
        n++;
      }
      resolve();
    };
    if (names.length === 0) resolve();
    else setImmediate(step);
  });
}

/** What a progress row needs of an interval's histogram (ms), kept after the histogram itself is dropped. */
export interface IntervalStat {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export type IntervalStats = Partial<Record<HistogramName, IntervalStat>>;

const statsByInterval = new WeakMap<ReadonlyMap<HistogramName, Histogram>, IntervalStats>();

/** The row numbers of an interval: computed once from its histograms (cheap on the flat ones), then cached. */
export function intervalStats(histograms: ReadonlyMap<HistogramName, Histogram>): IntervalStats {
  const cached = statsByInterval.get(histograms);
  if (cached) return cached;
  const stats: IntervalStats = {};
  for (const [name, h] of histograms) {
    stats[name] = {
      count: h.totalCount,
      p50: h.totalCount > 0 ? usToMs(valueAtPercentile(h, 50)) : 0,
      p99: h.totalCount > 0 ? usToMs(valueAtPercentile(h, 99)) : 0,
      max: h.totalCount > 0 ? usToMs(h.maxValue) : 0,
    };
  }
  if (histograms.size > 0) statsByInterval.set(histograms, stats);
  return stats;
}

/**
 * Called by whoever keeps a closed interval, after its consumers (progress line, gates, threads) ran: the
 * row numbers are cached, then the histograms are compacted (`keep`) or dropped. Only a run that writes an
 * .hlog keeps them (RunHooks.keepIntervalHistograms); otherwise memory would grow with the run (3 histograms
 * of ~30 KB every 5 s) instead of staying flat. Worker threads post each interval, then drop it.
 */
export function retireInterval(histograms: Map<HistogramName, Histogram>, keep: boolean): void {
  intervalStats(histograms);
  if (keep) void compactInBackground(histograms);
  else histograms.clear();
}
