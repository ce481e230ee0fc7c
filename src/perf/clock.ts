import { performance } from 'node:perf_hooks';

/**
 * The clocks perf measures with. Monotonic microseconds (performance.now, sub-microsecond resolution and
 * cheaper than process.hrtime.bigint) for everything measured inside one process; wall-clock epoch
 * microseconds only for the end-to-end stamp that another process (the consumer) compares against.
 */
export function nowUs(): number {
  return performance.now() * 1000;
}

const originUs = performance.timeOrigin * 1000;

/** Epoch microseconds of a monotonic `nowUs()` reading (same clock, so stamps and receipts agree). */
export function epochUsOf(monotonicUs: number): number {
  return originUs + monotonicUs;
}

export function epochUsNow(): number {
  return originUs + performance.now() * 1000;
}
