import { setTimeout as delay } from 'node:timers/promises';
import { UnavailableError } from '../core/errors';

/**
 * Races a promise against a deadline. Every network wait in mqctl goes through this (or an SDK timeout of
 * the same length), so an unreachable broker never hangs the CLI.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  hint?: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UnavailableError(`${what}: no answer within ${ms} ms`, {
            hint: hint ?? 'check the address, or raise --timeout',
          }),
        ),
      ms,
    );
    timer.unref?.();
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Waits `ms`, or less when `signal` aborts (then it resolves, it does not throw). Node's timers/promises
 * removes its abort listener when the timer fires; the hand-written version left one behind per call, and
 * `lag --watch`, `lag serve` and `dlq replay` (one sleep per refresh or batch on one signal) ended up with
 * MaxListenersExceededWarning on stderr.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  }
}
