import { ValidationError } from '../errors';
import { nextCronOccurrence, previousCronOccurrence } from './cron-occurrences';
import { isOneShot, type ScheduleSpec } from './schedule-spec';

/** Most occurrences `upcomingOccurrences` returns at once. */
export const MAX_UPCOMING_COUNT = 100;

/** First occurrence strictly after `after`; for one-shots their `at` if it is after `after`, else null. Null when a cron can never fire again. */
export function nextOccurrence(spec: ScheduleSpec, after: Date): Date | null {
  if (isOneShot(spec)) {
    const at = new Date(spec.at);
    return at.getTime() > after.getTime() ? at : null;
  }
  return nextCronOccurrence(spec.expression, spec.timezone, after);
}

/** Last occurrence strictly before `before`; for one-shots their `at` if it is before `before`, else null. */
export function previousOccurrence(
  spec: ScheduleSpec,
  before: Date,
): Date | null {
  if (isOneShot(spec)) {
    const at = new Date(spec.at);
    return at.getTime() < before.getTime() ? at : null;
  }
  return previousCronOccurrence(spec.expression, spec.timezone, before);
}

/**
 * The next_run_at a newly created / resumed / edited schedule gets: one-shot → its at
 * (even if slightly past, within tolerance: the planner then fires it at once, or treats
 * it as a misfire when it is older than the misfire threshold); cron → nextOccurrence(spec, now).
 */
export function firstRunAt(spec: ScheduleSpec, now: Date): Date | null {
  if (isOneShot(spec)) return new Date(spec.at);
  return nextOccurrence(spec, now);
}

/** Up to `count` occurrences strictly after `after` (fewer for one-shots / exhausted crons). count is 1..100. */
export function upcomingOccurrences(
  spec: ScheduleSpec,
  after: Date,
  count: number,
): Date[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_UPCOMING_COUNT) {
    throw new ValidationError(
      'count',
      `must be an integer from 1 to ${MAX_UPCOMING_COUNT}`,
    );
  }
  const occurrences: Date[] = [];
  let cursor: Date | null = after;
  while (occurrences.length < count) {
    cursor = nextOccurrence(spec, cursor);
    if (cursor === null) break;
    occurrences.push(cursor);
  }
  return occurrences;
}
