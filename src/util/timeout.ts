import { UnavailableError } from '../cli/errors';

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

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
