import { ValidationError } from '../errors';
import { backoffDelayMs } from './backoff';

/** Attempts per execution unless a schedule says otherwise; also the max_attempts column default. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Most attempts a schedule may ask for (the database allows up to 100). */
export const MAX_MAX_ATTEMPTS = 20;

/** How often and how far apart a failed execution is retried. A value, not branches in the loop. */
export interface RetryPolicy {
  /** Total attempts including the first, 1..MAX_MAX_ATTEMPTS. */
  maxAttempts: number;
  /** Delay before the second attempt (before jitter), in milliseconds. */
  baseDelayMs: number;
  /** Cap on any single delay, in milliseconds. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
};

/**
 * Delay before attempt `attempt + 1` after attempt `attempt` (1-based) failed: the shared
 * jittered backoff (backoff.ts) from baseDelayMs, capped at maxDelayMs. The jitter spreads
 * the retries of many executions that failed together (a receiver outage); keeping the
 * lower half guarantees the receiver at least half the nominal pause.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  return backoffDelayMs(
    attempt,
    { initialMs: policy.baseDelayMs, maxMs: policy.maxDelayMs },
    random,
  );
}

/** True when another attempt is allowed after `attempts` attempts. */
export function canRetry(policy: RetryPolicy, attempts: number): boolean {
  return attempts < policy.maxAttempts;
}

/** Validates a client-supplied attempt limit (an integer 1..MAX_MAX_ATTEMPTS). */
export function parseMaxAttempts(
  input: unknown,
  field = 'maxAttempts',
): number {
  if (
    typeof input !== 'number' ||
    !Number.isInteger(input) ||
    input < 1 ||
    input > MAX_MAX_ATTEMPTS
  ) {
    throw new ValidationError(
      field,
      `must be an integer from 1 to ${MAX_MAX_ATTEMPTS}`,
    );
  }
  return input;
}
