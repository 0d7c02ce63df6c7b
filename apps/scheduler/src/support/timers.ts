/**
 * The timer functions the claim loop uses, injectable so unit tests drive them with a
 * FakeClock (see src/testing/manual-timers.ts) instead of waiting in real time.
 */
export interface Timers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

// setTimeout clamps larger delays to 1 ms; nothing we hold is due that far away anyway.
const MAX_DELAY_MS = 2_147_483_647;

export const REAL_TIMERS: Timers = {
  setTimeout: (callback, delayMs) =>
    setTimeout(callback, Math.min(Math.max(delayMs, 0), MAX_DELAY_MS)),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
