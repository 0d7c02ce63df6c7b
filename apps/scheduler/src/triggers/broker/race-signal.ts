/** What `raceSignal` settles with when the signal wins. */
export const ABORTED: unique symbol = Symbol('aborted');

/**
 * `promise`'s value, or ABORTED as soon as `signal` aborts, whichever comes first; a
 * rejection of `promise` rejects. For clients that take no AbortSignal (mqtt.js,
 * kafkajs): the operation goes on in the client, the attempt stops waiting for it. The
 * listener is removed when the promise settles first, so a signal shared by many calls
 * (docs/triggers.md: calls within 50 ms share one) does not collect listeners. A late
 * rejection after the abort is swallowed here, never unhandled.
 */
export function raceSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal,
): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.resolve(ABORTED);
  }
  return new Promise<T | typeof ABORTED>((resolve, reject) => {
    const onAbort = () => {
      resolve(ABORTED);
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
