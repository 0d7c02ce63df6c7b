import { REAL_TIMERS, type Timers } from './timers';

/** Waits for `promise` at most `ms`; true when it settled in time (either way). */
export async function settlesWithin(
  promise: Promise<unknown>,
  ms: number,
  timers: Timers = REAL_TIMERS,
): Promise<boolean> {
  let timer: unknown;
  const timeout = new Promise<false>((resolve) => {
    timer = timers.setTimeout(() => {
      resolve(false);
    }, ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    timers.clearTimeout(timer);
  }
}
