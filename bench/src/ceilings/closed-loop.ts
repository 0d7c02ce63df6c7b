import { monotonicMs } from '../infra/wait';

export interface LoopResult {
  completed: number;
  failed: number;
  perSecond: number;
  firstError?: string;
}

/**
 * Keeps `inFlight` calls of `send` running for `durationMs` (a closed loop: each worker
 * starts its next call when the previous one settles) and counts completions per second.
 */
export async function closedLoop(
  send: (sequence: number) => Promise<void>,
  inFlight: number,
  durationMs: number,
): Promise<LoopResult> {
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
