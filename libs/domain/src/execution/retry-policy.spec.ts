import { ValidationError } from '../errors';
import {
  canRetry,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_POLICY,
  MAX_MAX_ATTEMPTS,
  parseMaxAttempts,
  retryDelayMs,
  type RetryPolicy,
} from './retry-policy';

const policy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 10_000,
};

describe('retryDelayMs', () => {
  it('doubles the nominal delay per attempt and stays within its upper half', () => {
    expect(
      [1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt, () => 0)),
    ).toEqual([500, 1000, 2000, 4000]);
    expect(
      [1, 2, 3, 4].map((attempt) =>
        retryDelayMs(policy, attempt, () => 0.999999),
      ),
    ).toEqual([1000, 2000, 4000, 8000]);
  });

  it('caps the delay at maxDelayMs however many attempts failed', () => {
    expect(retryDelayMs(policy, 10, () => 0.999999)).toBe(10_000);
    expect(retryDelayMs(policy, 10_000, () => 0.999999)).toBe(10_000);
    expect(retryDelayMs(policy, 10_000, () => 0)).toBe(5000);
  });

  it('spreads retries that fail together across the jitter range', () => {
    const delays = new Set(
      Array.from({ length: 50 }, (_, i) =>
        retryDelayMs(policy, 3, () => i / 50),
      ),
    );
    expect(delays.size).toBe(50);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });

  it('treats a nonsensical attempt number as the first attempt and clamps a bad random source', () => {
    expect(retryDelayMs(policy, 0, () => 0)).toBe(500);
    expect(retryDelayMs(policy, Number.NaN, () => 0)).toBe(500);
    expect(retryDelayMs(policy, 1, () => 7)).toBe(1000);
    expect(retryDelayMs(policy, 1, () => -1)).toBe(500);
  });

  it('uses whole milliseconds', () => {
    expect(Number.isInteger(retryDelayMs(policy, 2, () => 0.123456))).toBe(
      true,
    );
  });
});

describe('canRetry', () => {
  it('allows attempts up to the maximum and no more', () => {
    expect(canRetry(DEFAULT_RETRY_POLICY, 1)).toBe(true);
    expect(canRetry(DEFAULT_RETRY_POLICY, DEFAULT_MAX_ATTEMPTS - 1)).toBe(true);
    expect(canRetry(DEFAULT_RETRY_POLICY, DEFAULT_MAX_ATTEMPTS)).toBe(false);
    expect(canRetry({ ...policy, maxAttempts: 1 }, 1)).toBe(false);
  });
});

describe('parseMaxAttempts', () => {
  it('accepts integers from 1 to MAX_MAX_ATTEMPTS', () => {
    expect(parseMaxAttempts(1)).toBe(1);
    expect(parseMaxAttempts(MAX_MAX_ATTEMPTS)).toBe(MAX_MAX_ATTEMPTS);
  });

  it.each([0, MAX_MAX_ATTEMPTS + 1, 2.5, '3', null])(
    'rejects %p naming the field',
    (input) => {
      expect(() => parseMaxAttempts(input, 'retry.maxAttempts')).toThrow(
        new ValidationError(
          'retry.maxAttempts',
          `must be an integer from 1 to ${MAX_MAX_ATTEMPTS}`,
        ),
      );
    },
  );
});
