/**
 * The deadline of one broker publish. The FireExecutor aborts the attempt's signal after
 * TRIGGER_TIMEOUT_MS (at most 3 s); a client that takes a timeout of its own (JetStream's
 * publish) gets what is left of that budget, and every publish is raced against the
 * signal (race-signal.ts), because no broker client here takes an AbortSignal for a
 * command already sent.
 */

/** Milliseconds left of `budgetMs` since `startedAtMs` (performance.now), at least 1. */
export function remainingBudgetMs(
  startedAtMs: number,
  budgetMs: number,
  nowMs: number = performance.now(),
): number {
  return Math.max(1, Math.floor(budgetMs - (nowMs - startedAtMs)));
}

/** The retryable wording of a publish cut by the deadline: the broker may have taken it. */
export function ambiguousTimeout(elapsedMs: number, key: string): string {
  return `timeout after ${String(Math.round(elapsedMs))} ms, no acknowledgement (ambiguous: the broker may have it; the retry carries the same ${key})`;
}
