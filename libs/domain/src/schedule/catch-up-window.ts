import { parseIsoDuration } from './iso-time';
import { MISFIRE_THRESHOLD_MS } from './misfire-policy';
import { parsePolicyDuration } from './policy-duration';

/**
 * `catchUpWindow`: how late an occurrence may still fire. An occurrence that a scheduler
 * reaches more than the window after its time is not fired but recorded as `skipped`
 * with reason `catch_up_window`; within the window the misfire policy decides as before.
 * null (the default) is today's behaviour: the misfire policy alone decides.
 *
 * Lateness is measured from the instant the occurrence is promised to fire: its
 * scheduled time, or with a flexible window its scheduled time plus its offset
 * (flexible-window.ts). The window is at least the misfire threshold (10 s), so an
 * occurrence fired within the ±10 s promise is never skipped by it.
 */
export const MIN_CATCH_UP_WINDOW_MS = MISFIRE_THRESHOLD_MS;
/** Seven days: beyond that the misfire policy's own bound (100 occurrences) is the limit that matters. */
export const MAX_CATCH_UP_WINDOW_MS = 7 * 86_400_000;

export type CatchUpDecision = 'fire' | 'skip';

/** Validates a `catchUpWindow` (null clears it); ValidationError naming `field`. */
export function parseCatchUpWindow(
  input: unknown,
  field = 'catchUpWindow',
): string | null {
  if (input === null) return null;
  return parsePolicyDuration(input, field, {
    minMs: MIN_CATCH_UP_WINDOW_MS,
    maxMs: MAX_CATCH_UP_WINDOW_MS,
  });
}

/**
 * Whether an occurrence promised for `promisedAt` may still fire at `now` under the
 * window (a stored, valid `catchUpWindow`, or null for none). Late by exactly the window
 * still fires.
 */
export function decideCatchUp(
  promisedAt: Date,
  now: Date,
  window: string | null,
): CatchUpDecision {
  if (window === null) return 'fire';
  const lateMs = now.getTime() - promisedAt.getTime();
  return lateMs > parseIsoDuration(window, 'catchUpWindow') ? 'skip' : 'fire';
}

/** The last instant an occurrence promised for `promisedAt` may fire; null without a window. */
export function catchUpDeadline(
  promisedAt: Date,
  window: string | null,
): Date | null {
  if (window === null) return null;
  return new Date(
    promisedAt.getTime() + parseIsoDuration(window, 'catchUpWindow'),
  );
}
