import {
  MAX_CATCH_UP_OCCURRENCES,
  MISFIRE_THRESHOLD_MS,
  type MisfirePolicy,
} from './misfire-policy';
import { nextOccurrence, previousOccurrence } from './next-occurrence';
import { isOneShot, type ScheduleSpec } from './schedule-spec';

/**
 * Most on-time occurrences (not misfires) planned in one call. With the default 1.5 s
 * look-ahead a per-second cron has about a dozen; the cap only matters when `horizon` is
 * far ahead, and then `nextRunAt` points at the first occurrence not yet planned, so the
 * next plan round continues where this one stopped.
 */
export const MAX_PLANNED_OCCURRENCES = 100;

export interface OccurrencePlan {
  /** Occurrences to create executions for, ascending. */
  fire: Date[];
  /**
   * Missed occurrences deliberately not fired, ascending (only reported, e.g. for
   * metrics; a one-shot skipped under `skip` is recorded as a 'skipped' execution by the
   * caller). At most MAX_CATCH_UP_OCCURRENCES are listed: a per-second cron after a
   * week's outage misses 604 800.
   */
  skipped: Date[];
  /**
   * The schedule's next next_run_at: the first occurrence after `horizon` (or, when more
   * than MAX_PLANNED_OCCURRENCES fell inside the horizon, the first one not planned yet),
   * or null when nothing follows (then the schedule becomes 'completed').
   */
  nextRunAt: Date | null;
}

export interface PlanOccurrencesArgs {
  spec: ScheduleSpec;
  /** The stored next_run_at (<= horizon). */
  nextRunAt: Date;
  now: Date;
  /** now + look-ahead: occurrences up to here are planned now. */
  horizon: Date;
  misfirePolicy: MisfirePolicy;
}

/**
 * The plan stage's pure core. Emits every occurrence in [nextRunAt, horizon]; those
 * earlier than now - MISFIRE_THRESHOLD_MS are misfires and handled per policy
 * (misfire-policy.ts). Bounded: the work done is proportional to the number of
 * occurrences emitted or listed, never to the number missed, because the most recent
 * misfires are found by walking backwards from the cut-off.
 *
 * Fired misfires keep their scheduled time (it is part of the execution id); the caller
 * makes them due at once.
 */
export function planOccurrences(args: PlanOccurrencesArgs): OccurrencePlan {
  const { spec, nextRunAt, now, horizon, misfirePolicy } = args;
  if (nextRunAt.getTime() > horizon.getTime())
    return { fire: [], skipped: [], nextRunAt };
  const cutoffMs = now.getTime() - MISFIRE_THRESHOLD_MS;

  if (isOneShot(spec)) {
    // The stored next_run_at is the one-shot's time (see firstRunAt).
    const missed = nextRunAt.getTime() < cutoffMs;
    if (missed && misfirePolicy === 'skip')
      return { fire: [], skipped: [nextRunAt], nextRunAt: null };
    return { fire: [nextRunAt], skipped: [], nextRunAt: null };
  }

  // The first occurrence at or after the stored next_run_at (which normally is one).
  let cursor = nextOccurrence(spec, new Date(nextRunAt.getTime() - 1));
  const fire: Date[] = [];
  let skipped: Date[] = [];

  if (cursor !== null && cursor.getTime() < cutoffMs) {
    const cutoff = new Date(cutoffMs);
    const firstMissed = cursor;
    const refired =
      misfirePolicy === 'skip'
        ? []
        : mostRecentBefore(
            spec,
            cutoff,
            firstMissed,
            misfirePolicy === 'fire_once' ? 1 : MAX_CATCH_UP_OCCURRENCES,
          );
    fire.push(...refired);
    skipped = occurrencesFrom(
      spec,
      firstMissed,
      refired[0] ?? cutoff,
      MAX_CATCH_UP_OCCURRENCES,
    );
    cursor = nextOccurrence(spec, new Date(cutoffMs - 1));
  }

  let planned = 0;
  while (
    cursor !== null &&
    cursor.getTime() <= horizon.getTime() &&
    planned < MAX_PLANNED_OCCURRENCES
  ) {
    fire.push(cursor);
    planned++;
    cursor = nextOccurrence(spec, cursor);
  }
  return { fire, skipped, nextRunAt: cursor };
}

/** Up to `limit` occurrences before `before` and not before `earliest`, ascending. */
function mostRecentBefore(
  spec: ScheduleSpec,
  before: Date,
  earliest: Date,
  limit: number,
): Date[] {
  const found: Date[] = [];
  let cursor: Date | null = before;
  while (found.length < limit) {
    cursor = previousOccurrence(spec, cursor);
    if (cursor === null || cursor.getTime() < earliest.getTime()) break;
    found.push(cursor);
  }
  return found.reverse();
}

/** Up to `limit` occurrences from `first` (an occurrence, included) to before `before`, ascending. */
function occurrencesFrom(
  spec: ScheduleSpec,
  first: Date,
  before: Date,
  limit: number,
): Date[] {
  const found: Date[] = [];
  let cursor: Date | null = first;
  while (
    cursor !== null &&
    cursor.getTime() < before.getTime() &&
    found.length < limit
  ) {
    found.push(cursor);
    cursor = nextOccurrence(spec, cursor);
  }
  return found;
}
