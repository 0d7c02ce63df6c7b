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
