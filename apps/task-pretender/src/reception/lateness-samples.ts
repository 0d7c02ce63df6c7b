import type { LatenessSummary } from '@scheduleman/domain';

/**
 * Lateness samples in bounded memory: exact until `capacity` samples, then a uniform
 * reservoir (Vitter's algorithm R), so percentiles stay representative of the whole run
 * while count, min, max and mean stay exact. 1M samples cost 8 MB.
 */
export class LatenessSamples {
  private samples: Float64Array;
  private stored = 0;
  private total = 0;
  private sum = 0;
  private maximum = -Infinity;
  private minimum = Infinity;

  constructor(
    private readonly capacity: number,
    private readonly random: () => number = Math.random,
  ) {
    this.samples = new Float64Array(Math.min(capacity, 1024));
  }

  add(ms: number): void {
    this.total++;
    this.sum += ms;
    if (ms > this.maximum) this.maximum = ms;
    if (ms < this.minimum) this.minimum = ms;
    if (this.stored < this.capacity) {
      if (this.stored === this.samples.length) this.grow();
      this.samples[this.stored++] = ms;
      return;
    }
    const slot = Math.floor(this.random() * this.total);
    if (slot < this.capacity) this.samples[slot] = ms;
  }

  summarize(): LatenessSummary {
    if (this.total === 0)
      return {
        count: 0,
        p50: null,
        p90: null,
        p99: null,
        max: null,
        min: null,
        mean: null,
      };
    const sorted = this.samples.slice(0, this.stored).sort();
    return {
      count: this.total,
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: this.maximum,
      min: this.minimum,
      mean: Math.round((this.sum / this.total) * 10) / 10,
    };
  }

  private grow(): void {
    const next = new Float64Array(
      Math.min(this.capacity, this.samples.length * 2),
    );
    next.set(this.samples);
    this.samples = next;
  }
}

/** Nearest-rank percentile of ascending samples. */
function percentile(sorted: Float64Array, q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}
