import {
  ADMIN_KEY_ID,
  ANONYMOUS_KEY_ID,
  type Clock,
  KeyedRateLimiter,
  type Principal,
  type RateLimitPolicy,
} from '@scheduleman/domain';
import { TooManyRequestsError } from '@scheduleman/runtime';

/**
 * Per-key request rate limiting, asked by AuthGuard once a request is authenticated.
 * `take` counts the request and returns the headers the answer carries; it throws
 * TooManyRequestsError (429 with Retry-After) when the key is over its rate.
 */
export interface RateLimiter {
  take(principal: Principal): Readonly<Record<string, string>>;
}

/** Builds a limiter on the app's Clock (CLOCK), so tests drive its time. */
export type RateLimiterFactory = (clock: Clock) => RateLimiter;

export const RATE_LIMITER = Symbol('RATE_LIMITER');

/** No limit (RATE_LIMIT_PER_SECOND=0): no headers either. */
export const UNLIMITED: RateLimiter = { take: () => ({}) };

/**
 * RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST per API key, counted in this process's
 * memory (docs/security.md, "Rate limits and quotas"): with N API processes behind a
 * balancer a key may make up to N times the rate. The installation's admin key
 * (ADMIN_API_KEY) and the anonymous caller of AUTH_DISABLED=true are not limited: they
 * are the operator, and one shared anonymous bucket would throttle every developer at
 * once. Keys stored with the `admin` scope are limited like any other key.
 */
export class KeyRateLimiter implements RateLimiter {
  private readonly limiter: KeyedRateLimiter;

  constructor(
    private readonly policy: RateLimitPolicy,
    clock: Clock,
  ) {
    this.limiter = new KeyedRateLimiter(policy, clock);
  }

  static factory(policy: RateLimitPolicy | null): RateLimiterFactory {
    return (clock) =>
      policy === null ? UNLIMITED : new KeyRateLimiter(policy, clock);
  }

  take(principal: Principal): Readonly<Record<string, string>> {
    if (
      principal.keyId === ADMIN_KEY_ID ||
      principal.keyId === ANONYMOUS_KEY_ID
    )
      return {};
    const decision = this.limiter.take(principal.keyId);
    // The fields of draft-ietf-httpapi-ratelimit-headers as most clients read them.
    const headers = {
      'RateLimit-Limit': String(decision.limit),
      'RateLimit-Remaining': String(decision.remaining),
      'RateLimit-Reset': String(Math.ceil(decision.resetMs / 1000)),
    };
    if (!decision.allowed) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new TooManyRequestsError(
        seconds,
        `this API key is over its rate limit of ${this.policy.perSecond} requests a second with bursts of ${this.policy.burst} (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST); retry in ${seconds} s`,
        headers,
      );
    }
    return headers;
  }
}
