import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { PerfChunk, PerfProducerDriver, PerfRecord } from '../brokers/perf';
import { nowUs, epochUsOf } from './clock';
import { retireInterval, HistogramSet, type Histogram } from './histograms';
import type { KeySource, PayloadSource } from './payload';
import type { HistogramName } from './result-schema';
import { OpenLoopSchedule } from './schedule';

export interface ProduceSettings {
  /** messages per second for this process (already divided by the shard count); 0 = as fast as possible */
  rate: number;
  /** total records including warm-up; Infinity when the run is bounded by duration */
  numRecords: number;
  /** measured duration in ms (Infinity when bounded by records) */
  durationMs: number;
  warmupMs: number;
  warmupRecords: number;
  /** progress interval */
  intervalMs: number;
  /** records handed to the client and not yet acknowledged, at most */
  maxPending: number;
  /** largest chunk one wake-up hands to one producer */
  maxPerTick: number;
  /** after the last send, how long to wait for outstanding acks */
  flushTimeoutMs: number;
}

/** What one progress interval saw. Histograms are interval-only (also written to the .hlog). */
export interface IntervalSnapshot {
  /** seconds since the measured phase began, at the end of the interval */
  t: number;
  startEpochMs: number;
  endEpochMs: number;
  seconds: number;
  warmup: boolean;
  sent: number;
  acked: number;
  errors: number;
  bytes: number;
  histograms: Map<HistogramName, Histogram>;
}

export interface ProduceOutcome {
  histograms: HistogramSet;
  intervals: IntervalSnapshot[];
  sent: number;
  acked: number;
  errors: number;
  bytes: number;
  warmupSent: number;
  /** records never settled before the flush deadline (counted in errors too) */
  unacknowledged: number;
  errorMessages: string[];
  /** measured phase, seconds (until the last acknowledgement) */
  durationSeconds: number;
  /** the rate limiter's achieved rate: measured records handed over per second of the schedule they used */
  sendRate: number;
  startTime: Date;
  endTime: Date;
  interrupted: boolean;
  /** times the generator found the client's buffer or in-flight limit full */
  backpressureWaits: number;
  eventLoopDelayP99Ms: number;
  /** the longest stretch of the measured phase without an acknowledgement (reported when records failed) */
  outage: Outage;
  /** a producer could no longer send at all (its thread died): the run stopped at once */
  fatal?: Error;
}

/** The longest window without an acknowledgement, in seconds since the measured phase began. */
export interface Outage {
  seconds: number;
  fromSeconds: number;
  toSeconds: number;
}

export interface ProduceHooks {
  onInterval?: (snapshot: IntervalSnapshot) => void;
  signal?: AbortSignal;
  /** keep each closed interval's histograms after onInterval (RunHooks.keepIntervalHistograms) */
  keepIntervalHistograms?: boolean;
}

const PRODUCE_HISTOGRAMS: HistogramName[] = ['latency', 'service', 'sendDelay'];

/** One wake-up's records for one producer, with each record's intended time and the hand-over time. */
class Chunk implements PerfChunk {
  readonly records: PerfRecord[] = [];
  readonly intendedUs: number[] = [];
  sentUs = 0;
  /** records before this local index belong to the warm-up */
  measuredFrom = 0;

  constructor(private readonly run: ProduceRun) {}

  settle(index: number, error?: Error): void {
    this.run.settled(this, index, index + 1, error);
  }

  settleRange(from: number, to: number, error?: Error, ackUs?: number): void {
    this.run.settled(this, from, to, error, ackUs);
  }
}

/**
 * The open-loop produce run. A timer wakes the generator about every millisecond; each wake-up takes
 * every record whose intended time has passed (a late wake-up never skips records, it sends them late
 * and that lateness is measured), hands them to the producers round robin, and records per record:
 * response latency = ack − intended, service latency = ack − hand-over, send delay = hand-over − intended.
 */
/**
 * Whether an interval belongs in the measured series. Interval sent/acked count measured records only; a
 * warm-up interval whose close timer fired late holds some, and dropping it would lose them.
 */
export function holdsMeasuredRecords(interval: { warmup: boolean; sent: number; acked: number }): boolean {
  return !interval.warmup || interval.sent + interval.acked > 0;
}

export class ProduceRun {
  readonly histograms = new HistogramSet(PRODUCE_HISTOGRAMS);
  private readonly intervals: IntervalSnapshot[] = [];
  private schedule!: OpenLoopSchedule;
  private measuredStartUs = 0;
  private pending = 0;
  private nextProducer = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private intervalTimer?: NodeJS.Timeout;
  private waitingForRoom = false;
  private counts = { sent: 0, acked: 0, errors: 0, bytes: 0, warmupSent: 0 };
  private interval = { sent: 0, acked: 0, errors: 0, bytes: 0, startUs: 0 };
  private lastAckUs = 0;
  private lastHandOverUs = 0;
  private firstMeasuredSeen = false;
  private longestGap = { fromUs: 0, toUs: 0 };
  private fatal?: Error;
  private backpressureWaits = 0;
  private readonly errorMessages = new Map<string, number>();
  private resolveDone?: () => void;

  constructor(
    private readonly producers: PerfProducerDriver[],
    private readonly settings: ProduceSettings,
    private readonly payloads: PayloadSource,
    private readonly keys: KeySource,
    private readonly hooks: ProduceHooks = {},
  ) {
    for (const p of producers) {
      p.onReady = () => this.wakeForRoom();
      p.onFailure = (error) => {
        this.fatal ??= error;
        this.stop();
      };
    }
  }

  async run(): Promise<ProduceOutcome> {
    const s = this.settings;
    const startTime = new Date();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const startUs = nowUs() + 1000;
    // a warm-up given as records at a fixed rate takes warmupRecords / rate of the schedule, before the duration
    const warmupUs = s.warmupMs * 1000 + (s.rate > 0 ? (s.warmupRecords * 1e6) / s.rate : 0);
    const endUs = Number.isFinite(s.durationMs) ? startUs + warmupUs + s.durationMs * 1000 : Infinity;
    this.schedule = new OpenLoopSchedule(s.rate, startUs, s.numRecords, endUs);
    // moved to the first measured record's intended time when the warm-up is a record count (handOver)
    this.measuredStartUs = startUs + s.warmupMs * 1000;
    this.interval.startUs = startUs;
    const onAbort = () => this.stop();
    this.hooks.signal?.addEventListener('abort', onAbort, { once: true });
    const done = new Promise<void>((resolve) => (this.resolveDone = resolve));
    this.armIntervalTimer();
    this.timer = setTimeout(() => this.tick(), 1);
    await done;
    // every record handed over gets its ack or is counted as an error, within a bound
    const flushMs = this.fatal ? 0 : this.hooks.signal?.aborted ? 2000 : s.flushTimeoutMs;
    await Promise.all(this.producers.map((p) => p.flush(flushMs)));
    if (this.intervalTimer) clearTimeout(this.intervalTimer);
    const unacknowledged = this.pending;
    if (unacknowledged > 0) {
      this.counts.errors += unacknowledged;
      this.noteError(`${unacknowledged} records not acknowledged within ${s.flushTimeoutMs} ms`);
    }
    this.closeInterval(nowUs(), true);
    this.hooks.signal?.removeEventListener('abort', onAbort);
    loopDelay.disable();
    const endUs2 = Math.max(this.lastAckUs, Math.min(nowUs(), this.schedule.endUs));
    // records that never got their ack: the window since the last one runs to the end of the run
    if (this.counts.errors > 0) this.noteGap(this.lastAckUs || this.measuredStartUs, nowUs());
    return {
      histograms: this.histograms,
      intervals: this.intervals.filter(holdsMeasuredRecords),
      ...this.counts,
      unacknowledged,
      errorMessages: [...this.errorMessages].map(([m, n]) => (n > 1 ? `${m} (×${n})` : m)),
      durationSeconds: Math.max(0, (endUs2 - this.measuredStartUs) / 1e6),
      sendRate: this.sendRate(),
      startTime,
      endTime: new Date(),
      interrupted: Boolean(this.hooks.signal?.aborted),
      backpressureWaits: this.backpressureWaits,
      eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      outage: {
        seconds: Math.max(0, (this.longestGap.toUs - this.longestGap.fromUs) / 1e6),
        fromSeconds: Math.max(0, (this.longestGap.fromUs - this.measuredStartUs) / 1e6),
        toSeconds: Math.max(0, (this.longestGap.toUs - this.measuredStartUs) / 1e6),
      },
      ...(this.fatal ? { fatal: this.fatal } : {}),
    };
  }

  private noteGap(fromUs: number, toUs: number): void {
    if (toUs - fromUs > this.longestGap.toUs - this.longestGap.fromUs) this.longestGap = { fromUs, toUs };
  }

  private sendRate(): number {
    if (this.counts.sent === 0) return 0;
    const spacing = this.settings.rate > 0 ? 1 / this.settings.rate : 0;
    const seconds = Math.max(0, (this.lastHandOverUs - this.measuredStartUs) / 1e6) + spacing;
    return seconds > 0 ? this.counts.sent / seconds : 0;
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.resolveDone?.();
  }

  private wakeForRoom(): void {
    if (!this.waitingForRoom || this.stopped) return;
    this.waitingForRoom = false;
    if (this.timer) clearTimeout(this.timer);
    this.immediate ??= setImmediate(() => {
      this.immediate = undefined;
      this.tick();
    });
  }

  private roomFor(producer: PerfProducerDriver): number {
    if (producer.blocked()) return 0;
    return Math.max(0, this.settings.maxPending - this.pending);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const s = this.settings;
    let blocked = false;
    // one chunk per producer per wake-up, round robin, until nothing is due
    for (let round = 0; round < this.producers.length; round++) {
      const now = nowUs();
      // a wake-up normally takes ~1 ms of records; when behind, bigger chunks let it catch up instead of
      // falling further behind one capped chunk per event-loop turn
      const dueNow = this.schedule.dueCount(now);
      let due = Math.min(dueNow, Math.max(s.maxPerTick, Math.ceil(dueNow / 8)), 50_000);
      if (due === 0) break;
      const producer = this.producers[this.nextProducer]!;
      this.nextProducer = (this.nextProducer + 1) % this.producers.length;
      const room = this.roomFor(producer);
      if (room === 0) {
        blocked = true;
        continue;
      }
      due = Math.min(due, room);
      this.handOver(producer, due, now);
    }
    // unthrottled runs have no schedule to run out of: a duration ends them by the clock
    if (this.schedule.finished || (s.rate <= 0 && nowUs() >= this.schedule.endUs)) {
      this.stop();
      return;
    }
    if (blocked && this.schedule.dueCount(nowUs()) > 0) {
      this.backpressureWaits++;
      this.waitingForRoom = true;
      // a fallback in case no ack arrives to wake us (the flush deadline still bounds the run)
      this.timer = setTimeout(() => this.tick(), 5);
      return;
    }
    const waitUs = this.schedule.waitUs(nowUs());
    if (waitUs <= 0) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.tick();
      });
    } else {
      this.timer = setTimeout(() => this.tick(), Math.max(1, Math.floor(waitUs / 1000)));
    }
  }

  private handOver(producer: PerfProducerDriver, count: number, now: number): void {
    const s = this.settings;
    const chunk = new Chunk(this);
    let measuredFrom = -1;
    for (let n = 0; n < count; n++) {
      const { index, intendedUs } = this.schedule.take(now);
      const value = this.payloads.next();
      chunk.records.push({
        key: this.keys.key(index),
        value,
        stamp: String(Math.round(epochUsOf(intendedUs))),
      });
      chunk.intendedUs.push(intendedUs);
      if (measuredFrom < 0 && index >= s.warmupRecords && intendedUs >= this.measuredStartUs) {
        measuredFrom = n;
        if (!this.firstMeasuredSeen) {
          this.firstMeasuredSeen = true;
          // a warm-up of N records: the measured phase (its duration, rates and intervals) starts with record N
          if (s.warmupRecords > 0) this.measuredStartUs = Math.max(this.measuredStartUs, intendedUs);
        }
      }
    }
    chunk.measuredFrom = measuredFrom < 0 ? count : measuredFrom;
    const sentUs = nowUs();
    chunk.sentUs = sentUs;
    if (chunk.measuredFrom < count) this.lastHandOverUs = sentUs;
    for (let n = 0; n < count; n++) {
      if (n >= chunk.measuredFrom) {
        if (s.rate > 0) this.histograms.record('sendDelay', sentUs - chunk.intendedUs[n]!);
        this.counts.sent++;
        this.interval.sent++;
      } else {
        this.counts.warmupSent++;
      }
    }
    this.pending += count;
    producer.send(chunk);
  }

  /** Called by chunks as the broker acknowledges records. */
  settled(chunk: Chunk, from: number, to: number, error?: Error, ackAtUs?: number): void {
    const ackUs = ackAtUs ?? nowUs();
    this.pending -= to - from;
    if (error) {
      this.counts.errors += to - from;
      this.interval.errors += to - from;
      this.noteError(error.message);
    } else {
      const service = ackUs - chunk.sentUs;
      for (let i = Math.max(from, chunk.measuredFrom); i < to; i++) {
        this.histograms.record('latency', ackUs - chunk.intendedUs[i]!);
        this.histograms.record('service', service);
        const bytes = chunk.records[i]!.value.length;
        this.counts.acked++;
        this.counts.bytes += bytes;
        this.interval.acked++;
        this.interval.bytes += bytes;
      }
      if (to > chunk.measuredFrom) {
        this.noteGap(this.lastAckUs || this.measuredStartUs, ackUs);
        this.lastAckUs = ackUs;
      }
    }
    this.wakeForRoom();
  }

  private noteError(message: string): void {
    if (this.errorMessages.size < 5 || this.errorMessages.has(message))
      this.errorMessages.set(message, (this.errorMessages.get(message) ?? 0) + 1);
  }

  private armIntervalTimer(): void {
    const next = () => {
      const now = nowUs();
      // the first interval ends with the warm-up, then every intervalMs
      const inWarmup = this.settings.warmupMs > 0 && now < this.measuredStartUs;
      const target = inWarmup
        ? this.measuredStartUs
        : this.interval.startUs + this.settings.intervalMs * 1000;
      const fire = () => {
        const at = nowUs();
        // Node truncates fractional delays, so a timer can fire up to 1 ms early. Closing the warm-up interval
        // early would start the next one inside the warm-up, and it would be dropped as warm-up with its
        // measured records: wait out the remainder instead.
        if (at < target) {
          this.intervalTimer = setTimeout(fire, Math.max(1, Math.ceil((target - at) / 1000)));
          return;
        }
        // every record is due (a busy event loop may not have handed the last ones over yet) and the last
        // acks are on their way: they belong to this interval (stretched by up to half an interval; the
        // final close ends it), not to a tail row of their own
        const stretchTo = this.interval.startUs + this.settings.intervalMs * 1500;
        const allDue = this.stopped || this.schedule.lastDueUs < at;
        if (allDue && (this.pending > 0 || !this.stopped) && at < stretchTo && !inWarmup) {
          this.intervalTimer = setTimeout(fire, Math.max(1, Math.ceil((stretchTo - at) / 1000)));
          return;
        }
        this.closeInterval(at, false);
        if (!this.stopped || this.pending > 0) next();
      };
      this.intervalTimer = setTimeout(fire, Math.max(1, Math.ceil((target - now) / 1000)));
    };
    next();
  }

  private closeInterval(now: number, final: boolean): void {
    const seconds = (now - this.interval.startUs) / 1e6;
    const empty = this.interval.sent + this.interval.acked + this.interval.errors === 0;
    if (final && empty && seconds < 0.05 && this.intervals.length > 0) return;
    const warmup = this.interval.startUs < this.measuredStartUs;
    const histograms = this.histograms.takeInterval();
    const snapshot: IntervalSnapshot = {
      t: Math.max(0, (now - this.measuredStartUs) / 1e6),
      startEpochMs: epochUsOf(this.interval.startUs) / 1000,
      endEpochMs: epochUsOf(now) / 1000,
      seconds,
      warmup,
      sent: this.interval.sent,
      acked: this.interval.acked,
      errors: this.interval.errors,
      bytes: this.interval.bytes,
      histograms,
    };
    this.interval = { sent: 0, acked: 0, errors: 0, bytes: 0, startUs: now };
    this.intervals.push(snapshot);
    this.hooks.onInterval?.(snapshot);
    retireInterval(histograms, Boolean(this.hooks.keepIntervalHistograms));
  }

  /** Epoch microseconds at which the measured phase begins (after the warm-up). */
  get measuredStartEpochUs(): number {
    return epochUsOf(this.measuredStartUs);
  }

  /** Live numbers for a TTY status line. */
  status(): { sent: number; acked: number; errors: number; pending: number } {
    return {
      sent: this.counts.sent,
      acked: this.counts.acked,
      errors: this.counts.errors,
      pending: this.pending,
    };
  }
}
