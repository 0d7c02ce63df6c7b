import { distribution, quantile } from './percentiles';

describe('quantile', () => {
  it('takes the nearest rank, so p99 of 100 values is the 99th smallest', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 1)).toBe(100);
  });

  it('returns the only value for any quantile of one value', () => {
    expect(quantile([7], 0.01)).toBe(7);
    expect(quantile([7], 0.99)).toBe(7);
  });

  it('is undefined for no values', () => {
    expect(quantile([], 0.5)).toBeUndefined();
  });
});

describe('distribution', () => {
  it('sorts its input and reports min and max', () => {
    expect(distribution([5, -3, 10, 0])).toEqual({
      count: 4,
      min: -3,
      p50: 0,
      p90: 10,
      p99: 10,
      max: 10,
    });
  });
});
