/**
 * Waits for a state the test cannot be told about directly (a broker's statistics, a consumer's count):
 * asks `probe` every `intervalMs` until it returns something other than undefined or false, and fails
 * naming `what` when `timeoutMs` passes first. Never a fixed sleep: it returns as soon as the state holds,
 * and a state that never comes is a failure, not a pass.
 */
export async function waitFor<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 15_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${typeof what === 'function' ? what() : what}: not within ${timeoutMs / 1000} s${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
