import { setTimeout as delay } from 'node:timers/promises';

export const sleep = (ms: number): Promise<void> => delay(ms);

/** Elapsed milliseconds on the monotonic clock, for durations only (never for due-ness). */
export function monotonicMs(): number {
  return performance.now();
}

/**
 * Polls `check` until it returns a value other than undefined/false, or fails after
 * `timeoutMs` naming what it waited for. Waiting on conditions keeps the harness honest
 * on a busy machine, where fixed sleeps are either too short or wasteful.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T> {
  const deadline = monotonicMs() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (monotonicMs() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}
