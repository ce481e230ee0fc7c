import { UsageError } from '../core/errors';
import { sleep } from '../util/timeout';

/** Parses `--rate 1000`, `1000/s`, `60/m`, `3600/h` into messages per second. */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min|h))?\s*$/i.exec(text);
  if (!match) throw new UsageError(`invalid rate "${text}"`, { hint: 'use e.g. 1000, 1000/s, 60/m' });
  const per = (match[2] ?? 's').toLowerCase();
  const divisor = per.startsWith('h') ? 3600 : per.startsWith('m') ? 60 : 1;
  const rate = Number(match[1]) / divisor;
  if (!(rate > 0)) throw new UsageError(`--rate must be positive (got "${text}")`);
  return rate;
}

/**
 * Paces work to a fixed rate on an open-loop schedule: permit i is due at t0 + i/rate. Timers cannot
 * sleep for 1 ms exactly, so each wake-up grants every permit whose time has come; over any window longer
 * than a few milliseconds the rate holds. If the caller falls behind by more than `maxCatchUpMs` (the
 * broker was slow), the schedule restarts instead of bursting to catch up.
 */
export class RatePacer {
  private t0 = 0;
  private granted = 0;
  /** How often the caller fell more than maxCatchUpMs behind and the schedule restarted (the rate was not held). */
  restarts = 0;
  /** The largest delay behind the schedule seen at a take() (ms). */
  maxBehindMs = 0;

  constructor(
    readonly ratePerSecond: number,
    private readonly maxCatchUpMs = 1000,
    private readonly clock: () => number = () => performance.now(),
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = sleep,
  ) {}

  /** Resolves when the next permit is due (at once if the pacer is behind). */
  async take(signal?: AbortSignal): Promise<void> {
    const now = this.clock();
    if (this.granted === 0) this.t0 = now;
    let due = this.t0 + (this.granted * 1000) / this.ratePerSecond;
    if (now - due > this.maxBehindMs) this.maxBehindMs = now - due;
    if (now - due > this.maxCatchUpMs) {
      this.restarts++;
      this.t0 = now;
      this.granted = 0;
      due = now;
    }
    this.granted++;
    if (due > now) await this.wait(due - now, signal);
  }
}

/** No pacing: for unthrottled runs. */
export const UNPACED = { take: async (): Promise<void> => undefined };
export type Pacer = Pick<RatePacer, 'take'>;

/**
 * What a user must know when --rate was not held: the run fell more than a second behind its schedule (the
 * broker, or the machine running mqctl, was slower than the rate) and the schedule restarted instead of
 * bursting to catch up. undefined when the pacer kept up.
 */
export function pacerNote(pacer: Pacer): string | undefined {
  if (!(pacer instanceof RatePacer) || pacer.restarts === 0) return undefined;
  return (
    `--rate ${pacer.ratePerSecond}/s was not held: the run fell more than 1 s behind its schedule ${pacer.restarts} ` +
    `time(s) (at most ${Math.round(pacer.maxBehindMs)} ms; the broker or this machine was slower than the rate)`
  );
}
