import { backoffDelayMs } from './backoff';

const options = { initialMs: 100, maxMs: 5_000 };

describe('backoffDelayMs', () => {
  it('doubles with each failure and stays in the upper half of the step', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, options, () => 0))).toEqual([
      50, 100, 200,
    ]);
    expect([1, 2, 3].map((n) => backoffDelayMs(n, options, () => 1))).toEqual([
      100, 200, 400,
    ]);
  });

  it('never exceeds the cap, however many failures', () => {
    expect(backoffDelayMs(10, options, () => 1)).toBe(5_000);
    expect(backoffDelayMs(10_000, options, () => 1)).toBe(5_000);
    expect(backoffDelayMs(10_000, options, () => 0)).toBe(2_500);
    expect(backoffDelayMs(Number.MAX_SAFE_INTEGER, options, () => 0)).toBe(
      2_500,
    );
  });

  it('spreads callers that failed together across the jitter range', () => {
    const delays = new Set(
      Array.from({ length: 50 }, (_, i) =>
        backoffDelayMs(5, { initialMs: 100, maxMs: 60_000 }, () => i / 50),
      ),
    );
    expect(delays.size).toBe(50);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(800);
      expect(delay).toBeLessThanOrEqual(1_600);
    }
  });

  it('counts a nonsensical failure count as the first and clamps a bad random source', () => {
    for (const failures of [0, -3, Number.NaN, Number.POSITIVE_INFINITY])
      expect(backoffDelayMs(failures, options, () => 0)).toBe(50);
    expect(backoffDelayMs(1, options, () => -1)).toBe(50);
    expect(backoffDelayMs(1, options, () => 7)).toBe(100);
  });

  it('uses Math.random when no source is given', () => {
    const delay = backoffDelayMs(2, options);
    expect(delay).toBeGreaterThanOrEqual(100);
    expect(delay).toBeLessThanOrEqual(200);
  });
});
