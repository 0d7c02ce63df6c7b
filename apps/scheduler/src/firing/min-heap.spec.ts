import { MinHeap } from './min-heap';

describe('MinHeap', () => {
  it('pops items in key order whatever the insertion order', () => {
    const heap = new MinHeap<number>((a, b) => a - b);
    const input = Array.from({ length: 500 }, (_, i) => (i * 7919) % 503);
    input.forEach((n) => heap.push(n));
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop() as number);
    expect(out).toEqual([...input].sort((a, b) => a - b));
  });

  it('agrees with a sorted array through a seeded run of interleaved pushes and pops', () => {
    // mulberry32: a fixed seed gives the same sequence on every run.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const heap = new MinHeap<number>((a, b) => a - b);
    const oracle: number[] = [];
    let pops = 0;
    for (let step = 0; step < 5_000; step++) {
      // Pushes outnumber pops, so the heap grows and shrinks through many sizes; small
      // keys (0-99) make ties common.
      if (random() < 0.6) {
        const key = Math.floor(random() * 100);
        heap.push(key);
        oracle.push(key);
        oracle.sort((a, b) => a - b);
      } else {
        pops += 1;
        expect(heap.pop()).toBe(oracle.shift());
      }
      expect(heap.size).toBe(oracle.length);
      expect(heap.peek()).toBe(oracle[0]);
    }
    while (oracle.length > 0) expect(heap.pop()).toBe(oracle.shift());
    expect(heap.pop()).toBeUndefined();
    expect(pops).toBeGreaterThan(1_500);
  });

  it('peeks at the smallest without removing it', () => {
    const heap = new MinHeap<{ at: number }>((x, y) => x.at - y.at);
    heap.push({ at: 3 });
    heap.push({ at: 1 });
    expect(heap.peek()).toEqual({ at: 1 });
    expect(heap.size).toBe(2);
  });

  it('returns undefined when empty', () => {
    const heap = new MinHeap<number>((a, b) => a - b);
    expect(heap.pop()).toBeUndefined();
    expect(heap.peek()).toBeUndefined();
  });
});
