import type { PerfConsumerDriver } from '../brokers/perf';
import { epochUsOf, nowUs } from './clock';
import { retireInterval, HistogramSet, type Histogram } from './histograms';
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
  /** keep each closed interval's histograms after onInterval (RunHooks.keepIntervalHistograms) */
  keepIntervalHistograms?: boolean;
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
  /** measured phase: from the start (or the end of the warm-up) to the end, as kafka-consumer-perf-test */
  durationSeconds: number;
  /** when the consumer started subscribing */
  startTime: Date;
  /** when the run ended: the last record when the idle timeout ended it, else the moment it stopped */
  endTime: Date;
  /** time spent joining the group (Kafka) inside the measured phase: kafka-consumer-perf-test's rebalance.time.ms */
  rebalanceMs: number;
  interrupted: boolean;
  idleTimedOut: boolean;
  /** the driver could no longer receive (the broker stopped answering): the error that ended the run */
  fatal?: Error;
  intervals: Array<
    ConsumeInterval & { t: number; seconds: number; startEpochMs: number; endEpochMs: number }
  >;
}

/**
 * What the consumers of one run share: the record budget (`--num-records` across all of them) and the
 * times of the first and latest record any of them received (the duration and the idle timeout run on
 * those). One consumer: plain fields. `perf consume --threads N`: a SharedArrayBuffer (see SharedConsumeState).
 */
export interface ConsumeShared {
  /** Takes the next record slot: its index across all consumers (warm-up included), or -1 once none is left. */
  claim(): number;
  /** Slots taken so far (at most the budget). */
  taken(): number;
  /** Whether every slot is taken. */
  exhausted(): boolean;
  /** Epoch µs of the first record any consumer received; the first caller sets it to `epochUs`. */
  firstRecord(epochUs: number): number;
  /** Epoch µs of the first record any consumer received (0 before any). */
  firstSeen(): number;
  /** Epoch µs of the latest record any consumer received (0 before any). */
  lastRecord(): number;
  touch(epochUs: number): void;
}

/** One consumer on one event loop. */
export class LocalConsumeState implements ConsumeShared {
  private count = 0;
  private first = 0;
  private last = 0;
  constructor(private readonly limit: number) {}
  claim(): number {
    return this.count < this.limit ? this.count++ : -1;
  }
  taken(): number {
    return this.count;
  }
  exhausted(): boolean {
    return this.count >= this.limit;
  }
  firstRecord(epochUs: number): number {
    if (this.first === 0) this.first = epochUs;
    return this.first;
  }
  firstSeen(): number {
    return this.first;
  }
  lastRecord(): number {
    return this.last;
  }
  touch(epochUs: number): void {
    this.last = epochUs;
  }
}

const NO_LIMIT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The shared state of N consumer threads in one SharedArrayBuffer, updated with Atomics: every record
 * claims its slot with one atomic add, so the total stops at exactly `--num-records` whatever thread
 * receives it (no overshoot while a "stop" message travels). Layout (BigInt64): [0] slots taken,
 * [1] limit, [2] first record epoch µs, [3] latest record epoch µs.
 */
export class SharedConsumeState implements ConsumeShared {
  private readonly a: BigInt64Array;
  private lastWritten = 0;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.a = new BigInt64Array(buffer);
  }

  static create(limit: number): SharedConsumeState {
    const state = new SharedConsumeState(new SharedArrayBuffer(4 * 8));
    Atomics.store(state.a, 1, Number.isFinite(limit) ? BigInt(limit) : NO_LIMIT);
    return state;
  }

  claim(): number {
    const index = Atomics.add(this.a, 0, 1n);
    return index < Atomics.load(this.a, 1) ? Number(index) : -1;
  }

  taken(): number {
    const count = Atomics.load(this.a, 0);
    const limit = Atomics.load(this.a, 1);
    return Number(count < limit ? count : limit);
  }

  exhausted(): boolean {
    return Atomics.load(this.a, 0) >= Atomics.load(this.a, 1);
  }

  firstRecord(epochUs: number): number {
    const previous = Atomics.compareExchange(this.a, 2, 0n, BigInt(Math.round(epochUs)));
    return previous === 0n ? Math.round(epochUs) : Number(previous);
  }

  firstSeen(): number {
    return Number(Atomics.load(this.a, 2));
  }

  lastRecord(): number {
    return Number(Atomics.load(this.a, 3));
  }

  /** At most one shared write per millisecond per thread (the idle timeout needs no finer clock). */
  touch(epochUs: number): void {
    if (epochUs - this.lastWritten < 1000) return;
    this.lastWritten = epochUs;
    Atomics.store(this.a, 3, BigInt(Math.round(epochUs)));
  }
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
  private startedUs = 0;
  private readonly intervals: ConsumeOutcome['intervals'] = [];
  private finish?: () => void;
  private expectedTotal = Infinity;

  private stopped = false;
  private stopRequested = false;
  private failure?: Error;
  private readonly shared: ConsumeShared;

  constructor(
    private readonly driver: PerfConsumerDriver,
    private readonly settings: ConsumeSettings,
    shared?: ConsumeShared,
  ) {
    this.shared = shared ?? new LocalConsumeState(settings.numRecords);
  }

  /** Subscribes; resolves once the consumer is delivering (before any producer starts, for e2e). */
  async start(): Promise<void> {
    this.interval.startUs = nowUs();
    this.startedUs = this.interval.startUs;
    // no warm-up: the measured phase is the whole run, from the subscription on (kafka-consumer-perf-test)
    if (this.settings.warmupMs === 0 && this.settings.warmupRecords === 0)
      this.measuredStartUs = this.startedUs;
    this.driver.onFailure = (error) => {
      this.failure ??= error;
      this.finish?.();
    };
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

  private onRecord(bytes: number, stamp: string | number | undefined): void {
    // after the end (count, duration, signal) records still in flight are not counted
    if (this.stopped) return;
    const index = this.shared.claim();
    if (index < 0) {
      this.finish?.();
      return;
    }
    const now = nowUs();
    const nowEpoch = epochUsOf(now);
    if (this.firstUs === 0) {
      this.firstUs = now;
      // a time warm-up runs from the first record any consumer of the run received
      const first = this.shared.firstRecord(nowEpoch) - epochUsOf(0);
      if (this.settings.warmupMs > 0) this.measuredStartUs = first + this.settings.warmupMs * 1000;
    }
    // a warm-up of N records ends when record N arrives
    if (
      this.settings.warmupRecords > 0 &&
      index === this.settings.warmupRecords &&
      this.measuredStartUs === 0
    )
      this.measuredStartUs = now;
    this.lastUs = now;
    this.shared.touch(nowEpoch);
    const stampUs = stamp === undefined ? NaN : Number(stamp);
    const inWarmup =
      index < this.settings.warmupRecords ||
      (this.settings.measuredFromStampUs !== undefined
        ? Number.isFinite(stampUs) && stampUs < this.settings.measuredFromStampUs
        : this.settings.warmupMs > 0 && now < this.measuredStartUs);
    if (inWarmup) {
      this.warmupReceived++;
    } else {
      this.received++;
      this.bytes += bytes;
      this.interval.received++;
      this.interval.bytes += bytes;
      // the receive time read above (one clock read per record)
      if (Number.isFinite(stampUs)) this.histograms.record('e2e', nowEpoch - stampUs);
      else this.unstamped++;
    }
    if (
      index + 1 >= this.settings.numRecords ||
      this.received + this.warmupReceived >= this.expectedTotal ||
      this.durationOver(now)
    ) {
      this.finish?.();
    }
  }

  /**
   * Whether the measured duration is over. It runs from the start (no warm-up), or from the end of a time
   * warm-up (the first record of any consumer of the run + the warm-up), or of a record warm-up.
   */
  private durationOver(now: number): boolean {
    if (!Number.isFinite(this.settings.durationMs)) return false;
    let start = this.measuredStartUs;
    if (start === 0) {
      if (this.settings.warmupMs === 0) return false;
      // a consumer that has received nothing yet still ends with the others
      const first = this.shared.firstSeen();
      if (first === 0) return false;
      start = first - epochUsOf(0) + this.settings.warmupMs * 1000;
    }
    return now - start >= this.settings.durationMs * 1000;
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
    let idleTimedOut = false;
    const runStartUs = nowUs();
    if (this.startedUs === 0) this.startedUs = runStartUs;
    if (this.measuredStartUs === 0 && this.settings.warmupMs === 0 && this.settings.warmupRecords === 0)
      this.measuredStartUs = this.startedUs;
    const startTime = new Date(epochUsOf(this.startedUs) / 1000);
    // nothing arrived since start(): the first interval begins now (consumer threads start their clocks together)
    if (this.interval.received === 0 && this.received + this.warmupReceived === 0)
      this.interval.startUs = runStartUs;
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        const now = nowUs();
        // the latest record any consumer of the run received (other threads' too)
        const sharedLast = this.shared.lastRecord();
        const lastActivity = Math.max(
          this.lastUs || runStartUs,
          sharedLast > 0 ? sharedLast - epochUsOf(0) : 0,
        );
        if (now - lastActivity > this.settings.idleTimeoutMs * 1000) {
          idleTimedOut = true;
          this.finish?.();
        } else if (this.shared.exhausted()) {
          this.finish?.();
        } else if (this.durationOver(now)) {
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
            retireInterval(row.histograms, Boolean(this.settings.keepIntervalHistograms));
          }, this.settings.intervalMs);
      this.finish = () => {
        this.stopped = true;
        clearInterval(check);
        if (reporter) clearInterval(reporter);
        resolve();
      };
      signal?.addEventListener('abort', () => this.finish?.(), { once: true });
      if (
        signal?.aborted ||
        this.stopRequested ||
        this.shared.exhausted() ||
        this.received + this.warmupReceived >= Math.min(this.expectedTotal, this.settings.numRecords) ||
        this.failure
      )
        this.finish();
    });
    const now = nowUs();
    // the idle wait is no consumption: a run the idle timeout ended ends with its last record
    const endUs = idleTimedOut && this.lastUs > 0 ? this.lastUs : now;
    const last = this.takeInterval(now);
    if (last.seconds > 0.05 || last.received > 0 || this.intervals.length === 0) {
      this.intervals.push({
        ...last,
        t: this.measuredStartUs > 0 ? Math.max(0, (now - this.measuredStartUs) / 1e6) : 0,
        startEpochMs: epochUsOf(last.startUs) / 1000,
        endEpochMs: epochUsOf(now) / 1000,
      });
    }
    // a broker that is still failing when the idle timeout ends the run: its error, not just "idle"
    const fatal = this.failure ?? (idleTimedOut ? this.driver.currentError?.() : undefined);
    await this.driver.close();
    const joinedUs = this.driver.joinedAtEpochMs ? this.driver.joinedAtEpochMs * 1000 - epochUsOf(0) : 0;
    const measuredStart = this.measuredStartUs;
    return {
      histograms: this.histograms,
      received: this.received,
      warmupReceived: this.warmupReceived,
      unstamped: this.unstamped,
      bytes: this.bytes,
      durationSeconds: measuredStart > 0 && endUs > measuredStart ? (endUs - measuredStart) / 1e6 : 0,
      startTime,
      endTime: new Date(epochUsOf(endUs) / 1000),
      rebalanceMs:
        joinedUs > measuredStart && measuredStart > 0
          ? Math.min(endUs, joinedUs) / 1000 - measuredStart / 1000
          : 0,
      interrupted: Boolean(signal?.aborted),
      idleTimedOut,
      fatal,
      intervals: this.intervals,
    };
  }

  /** Ends the run as if its record count were reached (another consumer thread took the last one). */
  stop(): void {
    this.stopRequested = true;
    this.finish?.();
  }

  get counts(): { received: number; warmupReceived: number } {
    return { received: this.received, warmupReceived: this.warmupReceived };
  }
}
