import { FakeClock } from '../testing/fake-clock';
import {
  KeyedRateLimiter,
  type RateLimitPolicy,
  takeRequest,
} from './rate-limit';

const POLICY: RateLimitPolicy = { perSecond: 10, burst: 5 };

/** Takes `count` requests at `nowMs`, threading the state; returns the decisions. */
function takeMany(
  state: { tatMs: number | undefined },
  nowMs: number,
  count: number,
  policy = POLICY,
) {
  return Array.from({ length: count }, () => {
    const result = takeRequest(state.tatMs, nowMs, policy);
    state.tatMs = result.tatMs;
    return result.decision;
  });
}

describe('takeRequest (GCRA)', () => {
  it('lets a fresh key make a whole burst at once, then refuses with the time to the next slot', () => {
    const state = { tatMs: undefined as number | undefined };
    const decisions = takeMany(state, 1_000, 6);
    expect(decisions.map((d) => d.allowed)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(decisions[5].retryAfterMs).toBeCloseTo(100, 6);
    expect(decisions[4].resetMs).toBeCloseTo(500, 6);
    expect(decisions.every((d) => d.limit === 5)).toBe(true);
  });

  it('refills at the sustained rate: one request per interval after the burst', () => {
    const state = { tatMs: undefined as number | undefined };
    takeMany(state, 0, 5);
    expect(takeMany(state, 99, 1)[0].allowed).toBe(false);
    expect(takeMany(state, 100, 1)[0].allowed).toBe(true);
    expect(takeMany(state, 100, 1)[0].allowed).toBe(false);
    // After a full second the bucket is full again (its TAT has passed).
    const later = takeMany(state, 1_300, 6);
    expect(later.filter((d) => d.allowed)).toHaveLength(5);
  });

  it('does not charge a refused request, so retrying too early pushes nothing back', () => {
    const state = { tatMs: undefined as number | undefined };
    takeMany(state, 0, 5);
    const before = state.tatMs;
    takeMany(state, 10, 50);
    expect(state.tatMs).toBe(before);
    expect(takeMany(state, 100, 1)[0].allowed).toBe(true);
  });

  it('keeps a steady client at exactly the rate over a long run', () => {
    const state = { tatMs: undefined as number | undefined };
    let allowed = 0;
    // 20 attempts a second for 10 seconds against 10/s with a burst of 5.
    for (let t = 0; t < 10_000; t += 50)
      allowed += takeMany(state, t, 1)[0].allowed ? 1 : 0;
    expect(allowed).toBeGreaterThanOrEqual(100);
    expect(allowed).toBeLessThanOrEqual(100 + POLICY.burst);
  });

  it('handles fractional intervals: a slot opens one interval after the last one used', () => {
    const policy = { perSecond: 3, burst: 1 };
    const state = { tatMs: undefined as number | undefined };
    expect(takeMany(state, 0, 2, policy).map((d) => d.allowed)).toEqual([
      true,
      false,
    ]);
    // 1000/3 ms later the next slot opens, not a millisecond earlier.
    expect(takeMany(state, 333, 1, policy)[0].allowed).toBe(false);
    expect(takeMany(state, 334, 1, policy)[0].allowed).toBe(true);
    expect(takeMany(state, 667, 1, policy)[0].allowed).toBe(false);
    expect(takeMany(state, 668, 1, policy)[0].allowed).toBe(true);
  });
});

describe('KeyedRateLimiter', () => {
  it('keeps one bucket per key: an exhausted key does not slow another', () => {
    const clock = new FakeClock();
    const limiter = new KeyedRateLimiter(POLICY, clock);
    for (let i = 0; i < 5; i++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b')).toMatchObject({ allowed: true, remaining: 4 });
    clock.advance(100);
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('forgets idle keys, whose buckets are full, so memory follows the active keys only', () => {
    const clock = new FakeClock();
    const limiter = new KeyedRateLimiter(POLICY, clock, 1_000);
    for (let i = 0; i < 1_000; i++) limiter.take(`key-${i}`);
    expect(limiter.size).toBe(1_000);
    clock.advance(1_000);
    limiter.take('busy');
    expect(limiter.size).toBe(1);
  });

  it('keeps a key whose bucket is still refilling when it sweeps', () => {
    const clock = new FakeClock();
    const limiter = new KeyedRateLimiter(
      { perSecond: 1, burst: 5 },
      clock,
      1_000,
    );
    for (let i = 0; i < 5; i++) limiter.take('slow');
    clock.advance(1_000);
    limiter.take('other');
    expect(limiter.size).toBe(2);
    // Its state survived: 4 slots are still in use, one has refilled.
    expect(limiter.take('slow')).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.take('slow').allowed).toBe(false);
  });

  it('refuses a policy that could never let a request through', () => {
    const clock = new FakeClock();
    expect(
      () => new KeyedRateLimiter({ perSecond: 0, burst: 5 }, clock),
    ).toThrow(/perSecond > 0/);
    expect(
      () => new KeyedRateLimiter({ perSecond: 5, burst: 0 }, clock),
    ).toThrow(/burst >= 1/);
  });
});
