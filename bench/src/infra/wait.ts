/** Elapsed milliseconds on the monotonic clock, for durations only (never for due-ness). */
export function monotonicMs(): number {
  return performance.now();
}
