import { createHash } from 'node:crypto';
import { parseIsoDuration } from './iso-time';
import { parsePolicyDuration } from './policy-duration';

/**
 * `flexibleWindow`: an occurrence scheduled for `t` may fire anywhere in [t, t + window],
 * to spread load (many schedules at 00:00 fire over a few minutes instead of at once).
 * null (the default) fires at `t`.
 *
 * The instant is not random: the offset is a hash of the schedule id and `t`, so every
 * scheduler computes the same instant, a reclaimed or replayed occurrence fires when the
 * first attempt would have, and the preview can show it. The occurrence keeps its
 * identity: `scheduledAt` and the execution id are those of `t`; only the instant it is
 * due moves. The ±10 s promise then holds around `t + offset`: lateness (and the
 * catch-up window) is measured from that promised instant, not from `t`.
 */
export const MIN_FLEXIBLE_WINDOW_MS = 1000;
/** One hour: a wider spread is a different schedule, not the same one a little late. */
export const MAX_FLEXIBLE_WINDOW_MS = 3_600_000;

/** Validates a `flexibleWindow` (null clears it); ValidationError naming `field`. */
export function parseFlexibleWindow(
  input: unknown,
  field = 'flexibleWindow',
): string | null {
  if (input === null) return null;
  return parsePolicyDuration(input, field, {
    minMs: MIN_FLEXIBLE_WINDOW_MS,
    maxMs: MAX_FLEXIBLE_WINDOW_MS,
  });
}

/**
 * The offset of the occurrence at `scheduledAt` in ms, in [0, window], whole seconds
 * below one (so notes and logs read cleanly): the first 6 bytes of
 * SHA-256("<scheduleId>@<scheduledAt ISO ms>") modulo the window's seconds + 1.
 */
export function flexibleOffsetMs(
  scheduleId: string,
  scheduledAt: Date,
  window: string | null,
): number {
  if (window === null) return 0;
  const windowSeconds = Math.floor(
    parseIsoDuration(window, 'flexibleWindow') / 1000,
  );
  const digest = createHash('sha256')
    .update(`${scheduleId.toLowerCase()}@${scheduledAt.toISOString()}`, 'utf8')
    .digest();
  return (digest.readUIntBE(0, 6) % (windowSeconds + 1)) * 1000;
}

/** The instant the occurrence at `scheduledAt` is due: `scheduledAt + flexibleOffsetMs`. */
export function flexibleFireAt(
  scheduleId: string,
  scheduledAt: Date,
  window: string | null,
): Date {
  return new Date(
    scheduledAt.getTime() + flexibleOffsetMs(scheduleId, scheduledAt, window),
  );
}
