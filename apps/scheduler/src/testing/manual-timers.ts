import type { FakeClock } from '@scheduleman/domain/testing';
import type { Timers } from '../support/timers';

interface Pending {
  handle: number;
  atMs: number;
  callback: () => void;
}

/**
 * Timers driven by a FakeClock, for unit tests: `advance(ms)` moves the clock forward
 * and runs every timer at its own time, in order, letting promise callbacks settle in
 * between, so a test sees exactly what happens at each instant.
 */
export class ManualTimers implements Timers {
  private pending: Pending[] = [];
  private nextHandle = 1;

  constructor(private readonly clock: FakeClock) {}

  get pendingCount(): number {
    return this.pending.length;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const handle = this.nextHandle++;
    this.pending.push({
      handle,
      atMs: this.clock.now().getTime() + Math.max(0, delayMs),
      callback,
    });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.handle !== handle);
  }

  async advance(ms: number): Promise<void> {
    const endMs = this.clock.now().getTime() + ms;
    await settle();
    for (;;) {
      const next = this.pending
        .filter((p) => p.atMs <= endMs)
        .sort((a, b) => a.atMs - b.atMs || a.handle - b.handle)
        .at(0);
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      if (next.atMs > this.clock.now().getTime())
        this.clock.set(new Date(next.atMs));
      next.callback();
      await settle();
    }
    this.clock.set(new Date(endMs));
    await settle();
  }
}

/** Lets queued promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++)
    await new Promise<void>((resolve) => setImmediate(resolve));
}
