/**
 * A sleep that can be cut short: `wake()` ends the current (or the next) sleep early, so
 * a NOTIFY that arrives while a round is running is not lost, and `abort()` ends every
 * sleep for good so shutdown never waits out a poll interval.
 */
export class AbortableSleep {
  private timer: NodeJS.Timeout | undefined;
  private resolveCurrent: (() => void) | undefined;
  private wokenEarly = false;
  private aborted = false;

  /** Resolves after `ms`, or at once when woken or aborted. Returns true when cut short. */
  sleep(ms: number): Promise<boolean> {
    if (this.aborted) return Promise.resolve(true);
    if (this.wokenEarly) {
      this.wokenEarly = false;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const done = (early: boolean) => {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.resolveCurrent = undefined;
        resolve(early);
      };
      this.resolveCurrent = () => done(true);
      this.timer = setTimeout(() => done(false), ms);
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
