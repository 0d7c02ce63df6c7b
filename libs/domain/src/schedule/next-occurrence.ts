import { ValidationError } from '../errors';
import {
  type CronSkipReason,
  nextCronEvent,
  nextCronOccurrence,
  previousCronOccurrence,
} from './cron-occurrences';
import type { DstPolicies } from './dst-policy';
import { isOneShot, type ScheduleSpec } from './schedule-spec';

/** Most occurrences `upcomingOccurrences` returns at once. */
export const MAX_UPCOMING_COUNT = 100;

/**
 * An occurrence as the ledger sees it: one that fires, or one the schedule's DST policy
 * skipped (`skipped: 'dst_policy'`, at the instant it would have fired under `shift`).
 */
export interface OccurrenceEvent {
  at: Date;
  skipped?: CronSkipReason;
}

/**
 * First occurrence that fires strictly after `after`; for one-shots their `at` if it is
 * after `after`, else null. Null when a cron can never fire again. `policies` are the
 * schedule's DST policies (defaults when omitted).
 */
export function nextOccurrence(
  spec: ScheduleSpec,
  after: Date,
  policies?: DstPolicies,
): Date | null {
  if (isOneShot(spec)) {
    const at = new Date(spec.at);
    return at.getTime() > after.getTime() ? at : null;
  }
  return nextCronOccurrence(spec.expression, spec.timezone, after, policies);
}

/** Like nextOccurrence, but an occurrence skipped by the DST policy is returned too, marked. */
export function nextOccurrenceEvent(
  spec: ScheduleSpec,
  after: Date,
  policies?: DstPolicies,
): OccurrenceEvent | null {
  if (isOneShot(spec)) {
    const at = new Date(spec.at);
    return at.getTime() > after.getTime() ? { at } : null;
  }
  return nextCronEvent(spec.expression, spec.timezone, after, policies);
}

/**
 * Every occurrence strictly after `after`, ascending, fired and DST-skipped ones alike
 * (see OccurrenceEvent); ends when the schedule can never fire again. Stop it yourself:
 * a cron's is endless.
 */
export function* iterateOccurrences(
  spec: ScheduleSpec,
  after: Date,
  policies?: DstPolicies,
): Generator<OccurrenceEvent, void, undefined> {
  let cursor = after;
  for (;;) {
    const event = nextOccurrenceEvent(spec, cursor, policies);
    if (event === null) return;
    yield event;
    cursor = event.at;
  }
}

/** Last occurrence strictly before `before`; for one-shots their `at` if it is before `before`, else null. */
export function previousOccurrence(
  spec: ScheduleSpec,
  before: Date,
  policies?: DstPolicies,
): Date | null {
  if (isOneShot(spec)) {
    const at = new Date(spec.at);
    return at.getTime() < before.getTime() ? at : null;
  }
  return previousCronOccurrence(
    spec.expression,
    spec.timezone,
    before,
    policies,
  );
}

/**
 * The next_run_at a newly created / resumed / edited schedule gets: one-shot → its at
 * (even if slightly past, within tolerance: the planner then fires it at once, or treats
 * it as a misfire when it is older than the misfire threshold); cron → nextOccurrence(spec, now).
 */
export function firstRunAt(
  spec: ScheduleSpec,
  now: Date,
  policies?: DstPolicies,
): Date | null {
  if (isOneShot(spec)) return new Date(spec.at);
  return nextOccurrence(spec, now, policies);
}

/** Up to `count` occurrences strictly after `after` (fewer for one-shots / exhausted crons). count is 1..100. */
export function upcomingOccurrences(
  spec: ScheduleSpec,
  after: Date,
  count: number,
  policies?: DstPolicies,
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
    cursor = nextOccurrence(spec, cursor, policies);
    if (cursor === null) break;
    occurrences.push(cursor);
  }
  return occurrences;
}
