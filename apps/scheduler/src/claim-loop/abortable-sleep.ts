import { REAL_TIMERS, type Timers } from '../support/timers';

/**
 * A sleep that can be cut short: `wake()` ends the current (or the next) sleep early, so
 * a NOTIFY that arrives while a round is running is not lost, and `abort()` ends every
 * sleep for good so shutdown never waits out a poll interval. On injectable Timers, so
 * unit tests drive it with a FakeClock.
 */
export class AbortableSleep {
  private timer: unknown;
  private resolveCurrent: (() => void) | undefined;
  private wokenEarly = false;
  private aborted = false;

  constructor(private readonly timers: Timers = REAL_TIMERS) {}

  /** Resolves after `ms`, or at once when woken or aborted. Returns true when cut short. */
  sleep(ms: number): Promise<boolean> {
    if (this.aborted) return Promise.resolve(true);
    if (this.wokenEarly) {
      this.wokenEarly = false;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const done = (early: boolean) => {
        this.timers.clearTimeout(this.timer);
        this.timer = undefined;
        this.resolveCurrent = undefined;
        resolve(early);
      };
      this.resolveCurrent = () => done(true);
      this.timer = this.timers.setTimeout(() => {
        done(false);
      }, ms);
    });
  }

  wake(): void {
    if (this.resolveCurrent) this.resolveCurrent();
    else this.wokenEarly = true;
  }

  abort(): void {
    this.aborted = true;
    this.resolveCurrent?.();
  }
}
