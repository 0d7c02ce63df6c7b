import { monotonicMs } from '../infra/wait';

export interface LoopResult {
  completed: number;
  failed: number;
  perSecond: number;
  firstError?: string;
}

/**
 * Keeps `inFlight` calls of `send` running for `durationMs` (a closed loop: each worker
 * starts its next call when the previous one settles) and counts completions per second,
 * after `warmUpMs` of the same, not counted.
 */
export async function closedLoop(
  send: (sequence: number) => Promise<void>,
  inFlight: number,
  durationMs: number,
  warmUpMs = 0,
): Promise<LoopResult> {
  if (warmUpMs > 0) {
    // Unmeasured: JIT-compiles the client's code and opens its connections, so that the
    // first of several measurements is not the only one paid in cold code.
    await closedLoop(send, inFlight, warmUpMs);
  }
  let sequence = 0;
  let completed = 0;
  let failed = 0;
  let firstError: string | undefined;
  const started = monotonicMs();
  const deadline = started + durationMs;
  const worker = async () => {
    while (monotonicMs() < deadline) {
      try {
        await send(sequence++);
        completed++;
      } catch (error) {
        failed++;
        firstError ??= String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsedSeconds = (monotonicMs() - started) / 1000;
  return {
    completed,
    failed,
    perSecond: completed / elapsedSeconds,
    firstError,
  };
}
