import { ValidationError } from '../errors';
import { parseIsoInstant } from './iso-time';
import { firstRunAt, nextOccurrence } from './next-occurrence';
import type { ScheduleSpec } from './schedule-spec';
import type { ScheduleStatus } from './schedule-status';

/**
 * `pausedUntil`: a pause that ends by itself. A schedule paused until T is `paused` (no
 * occurrence before T fires, and none is recorded: a pause is one entry in the
 * schedule's history, not one skipped row per occurrence) and becomes active again at T,
 * resuming as `POST /schedules/:id/resume` would at that instant: its next occurrence is
 * the first at or after T. null is an ordinary pause, until resumed.
 *
 * **Skip next**: `POST /schedules/:id/skip-next` marks the schedule's next occurrence
 * (`skipNextAt`, its scheduled time); when it is due it is recorded as `skipped` with
 * reason `skip_next` instead of firing, and the schedule carries on.
 */

/** Furthest a pause may be set to end: 366 days, as for one-shots. */
export const MAX_PAUSE_MS = 366 * 86_400_000;

/** Validates a `pausedUntil` (null: no end): an ISO instant after `now`, at most 366 days ahead. */
export function parsePausedUntil(
  input: unknown,
  now: Date,
  field = 'pausedUntil',
): Date | null {
  if (input === null) return null;
  const until = parseIsoInstant(input, field);
  if (until.getTime() <= now.getTime())
    throw new ValidationError(
      field,
      `${until.toISOString()} is not in the future; a pause must end after now`,
    );
  if (until.getTime() - now.getTime() > MAX_PAUSE_MS)
    throw new ValidationError(
      field,
      `${until.toISOString()} is more than 366 days ahead`,
    );
  return until;
}

/** True when an occurrence at `at` falls inside a pause that ends at `pausedUntil` (null: no end). */
export function pausedAt(at: Date, pausedUntil: Date | null): boolean {
  return pausedUntil === null || at.getTime() < pausedUntil.getTime();
}

/** True when a pause with an end is over at `now`: the schedule is due to resume. */
export function pauseHasEnded(pausedUntil: Date | null, now: Date): boolean {
  return pausedUntil !== null && pausedUntil.getTime() <= now.getTime();
}

/**
 * next_run_at of a schedule whose pause ends at `pausedUntil`: the first occurrence at
 * or after it (a one-shot keeps its `at`, as on resume, so the misfire policy decides).
 */
export function firstRunAfterPause(
  spec: ScheduleSpec,
  pausedUntil: Date,
): Date | null {
  if (spec.type !== 'cron') return firstRunAt(spec, pausedUntil);
  return nextOccurrence(spec, new Date(pausedUntil.getTime() - 1));
}

/**
 * The occurrence `skip-next` marks: an active schedule's next_run_at (the next one not yet
 * handed to a scheduler); a paused one's first occurrence after its pause ends. Null
 * when there is none to mark (completed, paused without an end, or an exhausted cron).
 */
export function occurrenceToSkip(schedule: {
  spec: ScheduleSpec;
  status: ScheduleStatus;
  nextRunAt: Date | null;
  pausedUntil: Date | null;
}): Date | null {
  if (schedule.status === 'active') return schedule.nextRunAt;
  if (schedule.status === 'paused' && schedule.pausedUntil)
    return firstRunAfterPause(schedule.spec, schedule.pausedUntil);
  return null;
}
