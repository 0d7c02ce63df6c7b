/**
 * The deadline of one broker publish. The FireExecutor aborts the attempt's signal after
 * TRIGGER_TIMEOUT_MS (at most 3 s); a client that takes a timeout of its own (JetStream's
 * publish) gets what is left of that budget, and every publish is raced against the
 * signal, because no broker client here takes an AbortSignal for a command already sent.
 */

/** Rejection of `raceSignal` when the signal fired first. */
export class PublishAbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'PublishAbortedError';
  }
}

/** Milliseconds left of `budgetMs` since `startedAtMs` (performance.now), at least 1. */
export function remainingBudgetMs(
  startedAtMs: number,
  budgetMs: number,
  nowMs: number = performance.now(),
): number {
  return Math.max(1, Math.floor(budgetMs - (nowMs - startedAtMs)));
}

/**
 * `promise`, or a PublishAbortedError as soon as `signal` aborts. The listener is removed
 * when the promise settles: calls within 50 ms share one signal (docs/triggers.md), so a
 * listener left behind would pile up on it. A rejection of `promise` after the abort is
 * swallowed (it was already answered).
 */
export function raceSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new PublishAbortedError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(new PublishAbortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** The retryable wording of a publish cut by the deadline: the broker may have taken it. */
export function ambiguousTimeout(elapsedMs: number, key: string): string {
  return `timeout after ${String(Math.round(elapsedMs))} ms, no acknowledgement (ambiguous: the broker may have it; the retry carries the same ${key})`;
}
