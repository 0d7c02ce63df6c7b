/**
 * The one jittered exponential backoff of scheduleman, for everything that waits before
 * trying again: failed executions (retry-policy.ts), the scheduler's database calls,
 * reconnecting at start-up, and the API's transaction reruns.
 *
 * "Equal jitter": the delay is a uniformly random point in the upper half of the
 * nominal step (initial, 2×initial, 4×initial, … capped at max). The random half spreads
 * callers that failed together (a receiver or database outage), so they neither retry in
 * lockstep nor hammer the other side with near-zero delays; the fixed half guarantees at
 * least half the nominal pause.
 */
export interface BackoffOptions {
  /** Nominal delay after the first failure, in milliseconds. */
  initialMs: number;
  /** Upper bound on any nominal delay, in milliseconds. */
  maxMs: number;
}

/** Beyond 2^52 the product no longer changes anything: the cap applies anyway. */
const MAX_EXPONENT = 52;

/**
 * The delay before the next try after `failures` consecutive failures (1 = the first),
 * in whole milliseconds. A nonsensical `failures` (0, negative, NaN) counts as the first;
 * `random` outside [0, 1) is clamped.
 */
export function backoffDelayMs(
  failures: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const step = Number.isFinite(failures)
    ? Math.max(1, Math.floor(failures))
    : 1;
  const exponent = Math.min(step - 1, MAX_EXPONENT);
  const nominal = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.round(nominal / 2 + (nominal / 2) * r);
}
