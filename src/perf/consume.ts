import type { PerfConsumerDriver } from '../brokers/perf';
import { epochUsNow, epochUsOf, nowUs } from './clock';
import { compactInBackground, HistogramSet, type Histogram } from './histograms';
import type { HistogramName } from './result-schema';

export interface ConsumeSettings {
  /** stop after this many records (warm-up included); Infinity for none */
  numRecords: number;
  /** stop this long after the first measured record; Infinity for none */
  durationMs: number;
  warmupMs: number;
  warmupRecords: number;
  /** stop when nothing arrived for this long (kafka-consumer-perf-test --timeout) */
  idleTimeoutMs: number;
  /** Infinity: the caller takes intervals itself (e2e runs report on the producer's timer) */
  intervalMs: number;
  /** records stamped before this epoch-µs instant are warm-up (e2e runs: the producer's measured start) */
  measuredFromStampUs?: number;
}

export interface ConsumeInterval {
  received: number;
  bytes: number;
  histograms: Map<HistogramName, Histogram>;
}

export interface ConsumeOutcome {
  histograms: HistogramSet;
  received: number;
  warmupReceived: number;
  unstamped: number;
  bytes: number;
  durationSeconds: number;
  startTime: Date;
  endTime: Date;
  interrupted: boolean;
  idleTimedOut: boolean;
  intervals: Array<
    ConsumeInterval & { t: number; seconds: number; startEpochMs: number; endEpochMs: number }
  >;
}

/**
 * Counts what a consumer receives and records end-to-end latency = receive time − the intended send time
 * `perf produce` stamped on the record (epoch microseconds; same host or synchronised clocks).
 */
export class ConsumeRun {
  readonly histograms = new HistogramSet(['e2e']);
  private received = 0;
  private warmupReceived = 0;
  private unstamped = 0;
  private bytes = 0;
  private interval = { received: 0, bytes: 0, startUs: 0 };
  private firstUs = 0;
  private measuredStartUs = 0;
  private lastUs = 0;
  private readonly intervals: ConsumeOutcome['intervals'] = [];
  private finish?: () => void;
  private expectedTotal = Infinity;

  constructor(
    private readonly driver: PerfConsumerDriver,
    private readonly settings: ConsumeSettings,
  ) {}

  /** Subscribes; resolves once the consumer is delivering (before any producer starts, for e2e). */
  async start(): Promise<void> {
    this.interval.startUs = nowUs();
    await this.driver.start((bytes, stamp) => this.onRecord(bytes, stamp));
  }

  /** For e2e runs: records stamped before this epoch-µs instant are warm-up. */
  measureFromStamp(stampUs: number): void {
    this.settings.measuredFromStampUs = stampUs;
  }

  /** For e2e runs: stop once this many records (warm-up included) have arrived. */
  expect(total: number): void {
    this.expectedTotal = total;
    if (this.received + this.warmupReceived >= total) this.finish?.();
  }

  private onRecord(bytes: number, stamp: string | undefined): void {
    const now = nowUs();
    if (this.firstUs === 0) {
      this.firstUs = now;
      this.measuredStartUs = now + this.settings.warmupMs * 1000;
    }
    this.lastUs = now;
    const stampUs = stamp === undefined ? NaN : Number(stamp);
    const total = this.received + this.warmupReceived;
    const inWarmup =
      total < this.settings.warmupRecords ||
      (this.settings.measuredFromStampUs !== undefined
        ? Number.isFinite(stampUs) && stampUs < this.settings.measuredFromStampUs
        : now < this.measuredStartUs);
    if (inWarmup) {
      this.warmupReceived++;
    } else {
      this.received++;
      this.bytes += bytes;
      this.interval.received++;
      this.interval.bytes += bytes;
      if (Number.isFinite(stampUs)) this.histograms.record('e2e', epochUsNow() - stampUs);
      else this.unstamped++;
    }
    const s = this.settings;
    if (
      total + 1 >= s.numRecords ||
      total + 1 >= this.expectedTotal ||
      (Number.isFinite(s.durationMs) &&
        this.measuredStartUs > 0 &&
        now - this.measuredStartUs >= s.durationMs * 1000)
    ) {
      this.finish?.();
    }
  }

  /** Takes the interval counters (for progress lines and e2e runs that report on the producer's timer). */
  takeInterval(now = nowUs()): ConsumeInterval & { seconds: number; startUs: number } {
    const taken = {
      received: this.interval.received,
      bytes: this.interval.bytes,
      histograms: this.histograms.takeInterval(),
      seconds: (now - this.interval.startUs) / 1e6,
      startUs: this.interval.startUs,
    };
    this.interval = { received: 0, bytes: 0, startUs: now };
    return taken;
  }

  /** Runs until the record count, the duration, the idle timeout or the signal ends it. */
  async run(
    signal?: AbortSignal,
    onInterval?: (i: ConsumeOutcome['intervals'][number]) => void,
  ): Promise<ConsumeOutcome> {
    const startTime = new Date();
    let idleTimedOut = false;
    const runStartUs = nowUs();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        const now = nowUs();
        const lastActivity = this.lastUs || runStartUs;
        if (now - lastActivity > this.settings.idleTimeoutMs * 1000) {
          idleTimedOut = true;
          this.finish?.();
        }
      }, 100);
      const reporter = !Number.isFinite(this.settings.intervalMs)
        ? undefined
        : setInterval(() => {
            const now = nowUs();
            const i = this.takeInterval(now);
            const row = {
              ...i,
              t: this.measuredStartUs > 0 ? Math.max(0, (now - this.measuredStartUs) / 1e6) : 0,
              startEpochMs: epochUsOf(i.startUs) / 1000,
              endEpochMs: epochUsOf(now) / 1000,
            };
            this.intervals.push(row);
            onInterval?.(row);
            void compactInBackground(row.histograms);
          }, this.settings.intervalMs);
      this.finish = () => {
        clearInterval(check);
        if (reporter) clearInterval(reporter);
        resolve();
      };
      signal?.addEventListener('abort', () => this.finish?.(), { once: true });
      if (
        signal?.aborted ||
        this.received + this.warmupReceived >= Math.min(this.expectedTotal, this.settings.numRecords)
      )
        this.finish();
    });
    const now = nowUs();
    const last = this.takeInterval(now);
    if (last.seconds > 0.05 || last.received > 0 || this.intervals.length === 0) {
      this.intervals.push({
        ...last,
        t: this.measuredStartUs > 0 ? Math.max(0, (now - this.measuredStartUs) / 1e6) : 0,
        startEpochMs: epochUsOf(last.startUs) / 1000,
        endEpochMs: epochUsOf(now) / 1000,
      });
    }
    await this.driver.close();
    const measuredEnd = this.lastUs;
    return {
      histograms: this.histograms,
      received: this.received,
      warmupReceived: this.warmupReceived,
      unstamped: this.unstamped,
      bytes: this.bytes,
      durationSeconds:
        this.measuredStartUs > 0 && measuredEnd > this.measuredStartUs
          ? (measuredEnd - this.measuredStartUs) / 1e6
          : 0,
      startTime,
      endTime: new Date(),
      interrupted: Boolean(signal?.aborted),
      idleTimedOut,
      intervals: this.intervals,
    };
  }

  get counts(): { received: number; warmupReceived: number } {
    return { received: this.received, warmupReceived: this.warmupReceived };
  }
}
