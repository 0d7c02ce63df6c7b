/**
 * The one source of "now". Everything that needs the time takes a Clock, so tests can
 * drive time by hand (see testing/fake-clock.ts) and the scheduler can follow the
 * database's clock instead of its host's (see OffsetClock).
 */
export interface Clock {
  now(): Date;
}

/** The host's wall clock. The only place in the code base allowed to read it. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * Another clock shifted by an offset that is re-measured from outside, e.g. from the
 * database's `now()` on every claim round trip. A scheduler whose host clock is a minute
 * off still fires on the database's time, which is the one all schedulers agree on.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly base: Clock = new SystemClock()) {}

  now(): Date {
    return new Date(this.base.now().getTime() + this.offsetMs);
  }

  /** The offset (reference minus base) currently applied, in milliseconds. */
  getOffsetMs(): number {
    return this.offsetMs;
  }

  /**
   * Records a reading of the reference clock. `sentAt`/`receivedAt` are base-clock times
   * around the round trip that produced `reference`; the reading is assumed to be taken
   * half-way through it.
   */
  observe(reference: Date, sentAt: Date, receivedAt: Date): void {
    const midpoint = (sentAt.getTime() + receivedAt.getTime()) / 2;
    this.offsetMs = reference.getTime() - midpoint;
  }
}
