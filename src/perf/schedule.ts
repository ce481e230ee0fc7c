/**
 * The open-loop schedule: message i is due at `startUs + i * intervalUs`, whatever happened to earlier
 * messages. A wake-up (timers cannot pace 20 µs) takes every message whose intended time has passed;
 * each keeps its own intended time so a late wake-up shows up as send delay and response latency.
 *
 * rate 0 means "as fast as possible": there is no plan, so a message's intended time is the moment the
 * generator produced it.
 */
export class OpenLoopSchedule {
  readonly intervalUs: number;
  private next = 0;

  constructor(
    readonly ratePerSec: number,
    readonly startUs: number,
    /** total messages (Infinity with a duration) */
    readonly total: number,
    /** schedule end for duration runs: no message is due at or after it */
    readonly endUs: number = Infinity,
  ) {
    this.intervalUs = ratePerSec > 0 ? 1e6 / ratePerSec : 0;
  }

  /** messages a duration-bounded schedule holds: those with intended time < endUs (float noise ignored) */
  get scheduledCount(): number {
    if (this.endUs === Infinity || this.intervalUs === 0) return this.total;
    return Math.min(this.total, Math.ceil((this.endUs - this.startUs) / this.intervalUs - 1e-6));
  }

  /** When the last message of the schedule is due (Infinity for unthrottled or unbounded runs). */
  get lastDueUs(): number {
    const count = this.scheduledCount;
    if (this.ratePerSec <= 0 || !Number.isFinite(count) || count <= 0) return Infinity;
    return this.intendedUs(count - 1);
  }

  get issued(): number {
    return this.next;
  }

  get finished(): boolean {
    if (this.next >= this.total) return true;
    return this.ratePerSec > 0 && this.next >= this.scheduledCount;
  }

  intendedUs(index: number): number {
    return this.startUs + index * this.intervalUs;
  }

  /** How many messages are due at `nowUs` and not yet taken (rate-limited runs only). */
  dueCount(nowUs: number): number {
    // nothing is due before the start, unthrottled runs included: Node can fire the first 1 ms timer up to
    // 1 ms early, and an unthrottled chunk taken then had intended times before the measured phase — it was
    // silently counted as warm-up (the RabbitMQ flake: 17,500 of 20,000 acked, no error: one 2,500 chunk)
    if (nowUs < this.startUs) return 0;
    if (this.ratePerSec <= 0) return Math.max(0, this.total - this.next);
    const due = Math.floor((nowUs - this.startUs) / this.intervalUs) + 1;
    // scheduledCount caps duration runs (with the same float-noise guard), so the last message is never
    // one past rate × duration
    return Math.max(0, Math.min(due, this.scheduledCount) - this.next);
  }

  /** Takes the next message: its index and intended time (now, for unthrottled runs). */
  take(nowUs: number): { index: number; intendedUs: number } {
    const index = this.next++;
    return { index, intendedUs: this.ratePerSec > 0 ? this.intendedUs(index) : nowUs };
  }

  /** Microseconds until the next message is due (0 when one is due already, Infinity when done). */
  waitUs(nowUs: number): number {
    if (this.finished) return Infinity;
    if (this.ratePerSec <= 0) return Math.max(0, this.startUs - nowUs);
    return Math.max(0, this.intendedUs(this.next) - nowUs);
  }
}
