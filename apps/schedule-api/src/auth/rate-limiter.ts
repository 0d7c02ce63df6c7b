import type { Principal } from '@scheduleman/domain';

/**
 * Per-key request rate limiting, asked by AuthGuard once a request is authenticated.
 * `take` throws TooManyRequestsError (429 with Retry-After) when the key is over its rate.
 */
export interface RateLimiter {
  take(principal: Principal): void;
}

export const RATE_LIMITER = Symbol('RATE_LIMITER');

/** No limit: the placeholder until limits are configured. */
export const UNLIMITED: RateLimiter = { take: () => undefined };
