/**
 * Back-pressure for one scheduler: how much work it may hold, from the fire rate it
 * actually measures.
 *
 * A scheduler that holds more than it can fire within its lease makes that work late
 * twice over: it waits behind the rest, and while the holder is busy its renewals fall
 * behind, the leases run out and another scheduler fires it again (the overload runs of
 * docs/reliability.md). So each scheduler holds at most what its measured rate fires
 * within the lease horizon (the lease minus a safety margin), and gives back what it is
 * already behind on; the rest stays unleased in the database, claimable by any scheduler
 * with room.
 *
 * The rate is measured only while the scheduler is saturated (due work waits for a free
 * slot): an idle or lightly loaded scheduler fires exactly what is due, which says
 * nothing about what it could fire. Between busy spells the last estimate stands. Pure:
 * time comes in as arguments.
 */

export interface FireRateMeterOptions {
  /** Time constant of the moving average, in busy ms: a sample this old weighs 1/e. */
  timeConstantMs: number;
  /** Least busy time turned into a sample, ms (less keeps accumulating). */
  minWindowMs: number;
  /** The estimate before any busy window was measured (a cold scheduler), fires/s. */
  initialRatePerSecond: number;
  /** The estimate never drops below this, fires/s: a starved scheduler still claims. */
  floorRatePerSecond: number;
}

export const DEFAULT_FIRE_RATE_METER: FireRateMeterOptions = {
  timeConstantMs: 2_000,
  minWindowMs: 200,
  initialRatePerSecond: 500,
  floorRatePerSecond: 20,
};

/**
 * EWMA of fires completed per second while the scheduler was backlogged (due work waited
 * for a free slot): fires per busy second, so a short burst followed by idle time does
 * not read as a slow scheduler.
 */
export class FireRateMeter {
  private backloggedSinceMs: number | undefined;
  private busyMs = 0;
  private busyFires = 0;
  private estimate: number | undefined;

  constructor(
    private readonly options: FireRateMeterOptions = DEFAULT_FIRE_RATE_METER,
  ) {}

  /** Whether due work is waiting for a free slot now (called after every dispatch). */
  setBacklogged(backlogged: boolean, nowMs: number): void {
    if (backlogged) {
      this.backloggedSinceMs ??= nowMs;
    } else if (this.backloggedSinceMs !== undefined) {
      this.busyMs += Math.max(0, nowMs - this.backloggedSinceMs);
      this.backloggedSinceMs = undefined;
    }
  }

  /** `count` fires completed (delivered or not: the trigger call is over). */
  recordFires(count: number): void {
    if (this.backloggedSinceMs !== undefined) this.busyFires += count;
  }

  /** Folds the busy time so far into the estimate once it is long enough; returns the rate. */
  sample(nowMs: number): number {
    if (this.backloggedSinceMs !== undefined) {
      this.busyMs += Math.max(0, nowMs - this.backloggedSinceMs);
      this.backloggedSinceMs = nowMs;
    }
    if (this.busyMs >= this.options.minWindowMs) {
      if (this.busyFires > 0) {
        const rate = (this.busyFires * 1_000) / this.busyMs;
        const weight = 1 - Math.exp(-this.busyMs / this.options.timeConstantMs);
        this.estimate =
          this.estimate === undefined
            ? rate
            : this.estimate + weight * (rate - this.estimate);
      }
      this.busyMs = 0;
      this.busyFires = 0;
    }
    return this.ratePerSecond;
  }

  /** Fires per second this scheduler can sustain, as measured (floored). */
  get ratePerSecond(): number {
    return Math.max(
      this.options.floorRatePerSecond,
      this.estimate ?? this.options.initialRatePerSecond,
    );
  }

  /** Whether any busy window was measured yet. */
  get measured(): boolean {
    return this.estimate !== undefined;
  }
}

export interface HeldCapacity {
  /** Fires per second (FireRateMeter.ratePerSecond). */
  ratePerSecond: number;
  leaseDurationMs: number;
  /** Fire only with at least this long left on the lease, ms. */
  safetyMarginMs: number;
  /** Hard bound regardless of the rate (memory), executions. */
  maxHeld: number;
}

/** Most executions to hold at once: rate × (lease − margin), within [1, maxHeld]. */
export function heldCap(capacity: HeldCapacity): number {
  const horizonMs = Math.max(
    0,
    capacity.leaseDurationMs - capacity.safetyMarginMs,
  );
  const byRate = Math.floor((capacity.ratePerSecond * horizonMs) / 1_000);
  return Math.max(1, Math.min(capacity.maxHeld, byRate));
}

/** How many more executions may be planned or claimed now (0 when at the cap). */
export function claimBudget(held: number, capacity: HeldCapacity): number {
  return Math.max(0, heldCap(capacity) - held);
}

/** A held execution not fired yet, as the release decision sees it. */
export interface WaitingExecution {
  dueAtMs: number;
}

/**
 * Which waiting executions to give back: the scheduler is behind (they are overdue) and,
 * in due order behind everything it already started, they fall beyond the cap, so at the
 * measured rate they would not be fired within a lease. Returns indexes into `waiting`
 * (which must be sorted by due time). Work due in the future is never released here: it
 * is not late yet, and the claim budget already stops more of it coming in.
 */
export function surplusToRelease(
  waiting: readonly WaitingExecution[],
  started: number,
  nowMs: number,
  capacity: HeldCapacity,
): number[] {
  const keep = Math.max(0, heldCap(capacity) - started);
  const release: number[] = [];
  for (let i = keep; i < waiting.length; i++) {
    if (waiting[i].dueAtMs <= nowMs) release.push(i);
  }
  return release;
}
