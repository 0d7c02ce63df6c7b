import { LatenessSamples } from './lateness-samples';

describe('LatenessSamples', () => {
  it('reports nulls before any sample', () => {
    expect(new LatenessSamples(10).summarize()).toEqual({
      count: 0,
      p50: null,
      p90: null,
      p99: null,
      max: null,
      min: null,
      mean: null,
    });
  });

  it('computes nearest-rank percentiles, min, max and mean exactly below capacity', () => {
    const samples = new LatenessSamples(1000);
    for (let ms = 100; ms >= 1; ms--) samples.add(ms);
    samples.add(-5);

    expect(samples.summarize()).toEqual({
      count: 101,
      p50: 50,
      p90: 90,
      p99: 99,
      max: 100,
      min: -5,
      mean: 50,
    });
  });

  it('keeps memory bounded past capacity while count, max and min stay exact', () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const samples = new LatenessSamples(1000, random);
    for (let i = 0; i < 100_000; i++) samples.add(i % 100);
    samples.add(9_999);

    const summary = samples.summarize();
    expect(summary.count).toBe(100_001);
    expect(summary.max).toBe(9_999);
    expect(summary.min).toBe(0);
    // A uniform reservoir of 1000 out of 0..99 lands near the true median of 49.5.
    expect(summary.p50).toBeGreaterThanOrEqual(40);
    expect(summary.p50).toBeLessThanOrEqual(60);
  });
});
