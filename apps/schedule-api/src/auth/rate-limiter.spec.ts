import {
  ADMIN_PRINCIPAL,
  ANONYMOUS_PRINCIPAL,
  keyPrincipal,
} from '@scheduleman/domain';
import { FakeClock } from '@scheduleman/domain/testing';
import { TooManyRequestsError } from '@scheduleman/runtime';
import { KeyRateLimiter, UNLIMITED } from './rate-limiter';

describe('KeyRateLimiter', () => {
  const policy = { perSecond: 2, burst: 2 };

  function refusal(take: () => unknown): TooManyRequestsError {
    try {
      take();
    } catch (error) {
      if (error instanceof TooManyRequestsError) return error;
      throw error;
    }
    throw new Error('expected a TooManyRequestsError');
  }

  it('limits a stored key, even one with the admin scope, and answers with RateLimit headers', () => {
    const limiter = new KeyRateLimiter(policy, new FakeClock());
    const key = keyPrincipal({
      id: 'k1',
      owner: 'ops',
      scopes: ['admin'],
    });
    expect(limiter.take(key)).toEqual({
      'RateLimit-Limit': '2',
      'RateLimit-Remaining': '1',
      'RateLimit-Reset': '1',
    });
    limiter.take(key);
    const error = refusal(() => limiter.take(key));
    expect(error).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(error.headers).toEqual({
      'RateLimit-Limit': '2',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '1',
      'Retry-After': '1',
    });
    expect(error.message).toBe(
      'this API key is over its rate limit of 2 requests a second with bursts of 2 (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST); retry in 1 s',
    );
  });

  it('never limits ADMIN_API_KEY or the anonymous caller of AUTH_DISABLED=true', () => {
    const limiter = new KeyRateLimiter(policy, new FakeClock());
    for (let i = 0; i < 100; i++) {
      expect(limiter.take(ADMIN_PRINCIPAL)).toEqual({});
      expect(limiter.take(ANONYMOUS_PRINCIPAL)).toEqual({});
    }
  });

  it('builds no limiter at all when the rate is off', () => {
    expect(KeyRateLimiter.factory(null)(new FakeClock())).toBe(UNLIMITED);
    expect(KeyRateLimiter.factory(policy)(new FakeClock())).toBeInstanceOf(
      KeyRateLimiter,
    );
  });
});
