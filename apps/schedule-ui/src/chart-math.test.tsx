import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeSummary,
  formatMs,
  isOutsidePromise,
  latenessDomain,
  latenessPoints,
  latenessScale,
  latenessTicks,
  linearScale,
  percentile,
  summarizeLateness,
  symlog,
  timeDomain,
  timeTicks,
} from './chart-math';

describe('latenessPoints', () => {
  it('is firedAt − scheduledAt of the fired executions, oldest first', () => {
    const points = latenessPoints([
      {
        id: 'b',
        scheduledAt: '2027-01-01T00:00:02.000Z',
        firedAt: '2027-01-01T00:00:02.012Z',
      },
      { id: 'pending', scheduledAt: '2027-01-01T00:00:03.000Z', firedAt: null },
      {
        id: 'a',
        scheduledAt: '2027-01-01T00:00:01.000+00:00',
        firedAt: '2027-01-01T00:00:00.998Z',
      },
    ]);
    expect(points).toEqual([
      { id: 'a', scheduledMs: Date.UTC(2027, 0, 1, 0, 0, 1), latenessMs: -2 },
      { id: 'b', scheduledMs: Date.UTC(2027, 0, 1, 0, 0, 2), latenessMs: 12 },
    ]);
  });
});

describe('percentile', () => {
  it('is the nearest rank: an observed value, never an interpolation', () => {
    const values = [40, 10, 30, 20];
    expect(percentile(values, 50)).toBe(20);
    expect(percentile(values, 75)).toBe(30);
    expect(percentile(values, 99)).toBe(40);
    expect(percentile(values, 100)).toBe(40);
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('refuses p outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('is one of the values, and grows with p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20_000, max: 20_000 }), { minLength: 1 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        (values, p, q) => {
          const [lo, hi] = p <= q ? [p, q] : [q, p];
          const a = percentile(values, lo);
          const b = percentile(values, hi);
          expect(values).toContain(a);
          expect(a).not.toBeNull();
          expect(b).toBeGreaterThanOrEqual(a ?? Infinity);
        },
      ),
    );
  });
});

describe('summarizeLateness', () => {
  it('counts the runs, their p50, p99 and max, and those outside ±10 s', () => {
    const summary = summarizeLateness([5, 3, 10_001, 4, -10_500, 10_000]);
    expect(summary).toEqual({
      runs: 6,
      p50Ms: 4,
      p99Ms: 10_001,
      maxMs: 10_001,
      outside: 2,
    });
    expect(describeSummary(summary)).toBe(
      '6 runs: p50 4 ms, p99 10.001 s, max 10.001 s; 2 outside ±10 s',
    );
  });

  it('says only "0 runs" when nothing fired', () => {
    const summary = summarizeLateness([]);
    expect(summary).toEqual({
      runs: 0,
      p50Ms: null,
      p99Ms: null,
      maxMs: null,
      outside: 0,
    });
    expect(describeSummary(summary)).toBe('0 runs');
  });

  it('puts exactly ±10 s inside the promise', () => {
    expect(isOutsidePromise(10_000)).toBe(false);
    expect(isOutsidePromise(-10_000)).toBe(false);
    expect(isOutsidePromise(10_001)).toBe(true);
  });
});

describe('formatMs', () => {
  it('is milliseconds below a second and exact seconds above', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(12)).toBe('12 ms');
    expect(formatMs(-3)).toBe('-3 ms');
    expect(formatMs(1234)).toBe('1.234 s');
    expect(formatMs(10_000)).toBe('10 s');
    expect(formatMs(100_000)).toBe('100 s');
  });
});

describe('linearScale', () => {
  it('maps the domain onto the range, inverted ranges too', () => {
    const y = linearScale([0, 10], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(150);
  });

  it('maps a one-value domain to the middle', () => {
    expect(linearScale([5, 5], [0, 100])(5)).toBe(50);
  });
});

describe('the lateness axis', () => {
  it('is symmetric-logarithmic: 0 at 0, one step per decade, odd', () => {
    expect(symlog(0)).toBe(0);
    expect(symlog(9)).toBeCloseTo(1);
    expect(symlog(999)).toBeCloseTo(3);
    expect(symlog(-999)).toBeCloseTo(-3);
  });

  it('always shows the ±10 s band with room above it, and every point', () => {
    expect(latenessDomain([3, 12])).toEqual([0, 20_000]);
    expect(latenessDomain([-40, 15_000])).toEqual([-80, 30_000]);
    expect(latenessDomain([])).toEqual([0, 20_000]);
  });

  it('keeps the order of lateness on screen (later is higher up)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -20_000, max: 40_000 }),
        fc.integer({ min: -20_000, max: 40_000 }),
        (a, b) => {
          const y = latenessScale([-40_000, 80_000], [200, 0]);
          if (a < b) expect(y(a)).toBeGreaterThan(y(b));
          const ya = y(a);
          expect(ya).toBeGreaterThanOrEqual(0);
          expect(ya).toBeLessThanOrEqual(200);
        },
      ),
    );
  });

  it('ticks 0 and the decades from 10 ms inside the domain', () => {
    expect(latenessTicks([0, 20_000])).toEqual([0, 10, 100, 1000, 10_000]);
    expect(latenessTicks([-80, 30_000])).toEqual([
      -10, 0, 10, 100, 1000, 10_000,
    ]);
  });
});

describe('the time axis', () => {
  it('pads the first to last scheduled time, a lone point by 30 s', () => {
    expect(timeDomain([1000, 101_000])).toEqual([-3000, 105_000]);
    expect(timeDomain([60_000])).toEqual([30_000, 90_000]);
  });

  it('ticks at the smallest readable step giving at most six ticks', () => {
    const start = Date.UTC(2027, 0, 1, 10, 0, 0, 300);
    const { stepMs, ticks } = timeTicks([start, start + 10_000]);
    expect(stepMs).toBe(2000);
    expect(ticks).toEqual([2, 4, 6, 8, 10].map((s) => start - 300 + s * 1000));

    const hours = timeTicks([0, 20 * 3_600_000]);
    expect(hours.stepMs).toBe(6 * 3_600_000);
    expect(hours.ticks).toHaveLength(4);
  });

  it('keeps every tick inside the domain, at most six of them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.integer({ min: 1, max: 400 * 86_400_000 }),
        (start, span) => {
          const { ticks } = timeTicks([start, start + span]);
          expect(ticks.length).toBeLessThanOrEqual(6);
          for (const t of ticks) {
            expect(t).toBeGreaterThanOrEqual(start);
            expect(t).toBeLessThanOrEqual(start + span);
          }
        },
      ),
    );
  });
});
