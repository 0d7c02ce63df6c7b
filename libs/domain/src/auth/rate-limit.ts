import type { Clock } from '../clock';

/**
 * Per-key request rate limiting with GCRA (the generic cell rate algorithm), the
 * token bucket written as one number per key: the "theoretical arrival time" (TAT) at
 * which the key's bucket would be full again. A request is let through when it leaves
 * the TAT at most `burst` emission intervals ahead of now; each request moves the TAT
 * one interval further. No timers, no refill loop: state and decision are a pure
 * function of (TAT, now).
 */
export interface RateLimitPolicy {
  /** Sustained requests per second per key (> 0). */
  perSecond: number;
  /** Requests a key may make at once after being idle (>= 1): the bucket's size. */
  burst: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** The bucket's size (the policy's burst), for `RateLimit-Limit`. */
  limit: number;
  /** Requests that would still be let through right now, after this one. */
  remaining: number;
  /** Milliseconds until the bucket is full again, for `RateLimit-Reset`. */
  resetMs: number;
  /** When refused: milliseconds until one request would be let through; else 0. */
  retryAfterMs: number;
}

/** Allowance of floating-point error in comparisons, in ms (far below one interval). */
const EPSILON_MS = 1e-6;

/**
 * One request of a key whose state is `tatMs` (undefined: never seen, or evicted, which
 * is the same as a full bucket) at `nowMs`. Returns the new state (unchanged when
 * refused: a refused request costs nothing, so a client that retries too early is not
 * pushed further back) and the decision.
 */
export function takeRequest(
  tatMs: number | undefined,
  nowMs: number,
  policy: RateLimitPolicy,
): { tatMs: number | undefined; decision: RateLimitDecision } {
  const intervalMs = 1000 / policy.perSecond;
  const windowMs = policy.burst * intervalMs;
  const start = Math.max(tatMs ?? nowMs, nowMs);
  const next = start + intervalMs;
  if (next - nowMs > windowMs + EPSILON_MS) {
    return {
      tatMs,
      decision: {
        allowed: false,
        limit: policy.burst,
        remaining: 0,
        resetMs: start - nowMs,
        retryAfterMs: next - nowMs - windowMs,
      },
    };
  }
  return {
    tatMs: next,
    decision: {
      allowed: true,
      limit: policy.burst,
      remaining: Math.floor((windowMs - (next - nowMs)) / intervalMs + 1e-9),
      resetMs: next - nowMs,
      retryAfterMs: 0,
    },
  };
}

/**
 * The TAT of every key seen recently, in memory (per process: docs/security.md).
 * Memory stays bounded by the keys active in the last refill period: a key whose TAT
 * has passed has a full bucket, exactly as if it had never been seen, so it is dropped
 * without changing any later decision. Sweeps run at most once per `sweepIntervalMs`,
 * on the request path (no timer to stop), each O(keys held).
 */
export class KeyedRateLimiter {
  private readonly tats = new Map<string, number>();
  private nextSweepMs: number;

  constructor(
    private readonly policy: RateLimitPolicy,
    private readonly clock: Clock,
    private readonly sweepIntervalMs = DEFAULT_SWEEP_INTERVAL_MS,
  ) {
    if (!(policy.perSecond > 0) || !(policy.burst >= 1))
      throw new Error(
        `a rate limit needs perSecond > 0 and burst >= 1 (got ${policy.perSecond}, ${policy.burst})`,
      );
    this.nextSweepMs = clock.now().getTime() + sweepIntervalMs;
  }

  /** Counts one request of `key` and says whether it may proceed. */
  take(key: string): RateLimitDecision {
    const nowMs = this.clock.now().getTime();
    if (nowMs >= this.nextSweepMs) this.evictIdle(nowMs);
    const { tatMs, decision } = takeRequest(
      this.tats.get(key),
      nowMs,
      this.policy,
    );
    if (tatMs !== undefined) this.tats.set(key, tatMs);
    return decision;
  }

  /** How many keys are held (for tests and metrics). */
  get size(): number {
    return this.tats.size;
  }

  private evictIdle(nowMs: number): void {
    for (const [key, tatMs] of this.tats)
      if (tatMs <= nowMs) this.tats.delete(key);
    this.nextSweepMs = nowMs + this.sweepIntervalMs;
  }
}

export const DEFAULT_SWEEP_INTERVAL_MS = 10_000;
