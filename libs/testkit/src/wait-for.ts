import { setTimeout as delay } from 'node:timers/promises';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** How long to keep trying before failing, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Pause between two probes, in ms. Default 50. */
  intervalMs?: number;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 30_000;
export const DEFAULT_WAIT_INTERVAL_MS = 50;

export const sleep = (ms: number): Promise<void> => delay(ms);

/**
 * Polls `probe` until it returns something other than `undefined` or `false`, and
 * returns that value; fails after `timeoutMs` with a message naming `what` and the last
 * error the probe threw. Waiting on a condition keeps tests honest on a busy machine,
 * where a fixed sleep is either too short or wasted time.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS;
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) {
      const cause =
        lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${cause}`,
      );
    }
    await sleep(intervalMs);
  }
}
