import {
  MAX_CATCH_UP_OCCURRENCES,
  MISFIRE_THRESHOLD_MS,
  type MisfirePolicy,
} from './misfire-policy';
import type { DstPolicies } from './dst-policy';
import {
  nextOccurrence,
  nextOccurrenceEvent,
  previousOccurrence,
} from './next-occurrence';
import { isOneShot, type ScheduleSpec } from './schedule-spec';
import type { SkipReason } from '../execution/skip-reason';

/**
 * Most on-time occurrences (not misfires) planned in one call. With the default 1.5 s
 * look-ahead a per-second cron has about a dozen; the cap only matters when `horizon` is
 * far ahead, and then `nextRunAt` points at the first occurrence not yet planned, so the
 * next plan round continues where this one stopped.
 */
export const MAX_PLANNED_OCCURRENCES = 100;

/**
 * Most skipped occurrences of one plan recorded one row each: the most recent ones.
 * Older skipped occurrences are recorded as range rows (see SkippedOccurrence).
 */
export const MAX_SKIPPED_ROWS = 100;

/**
 * Most older skipped occurrences one plan walks into a range row (a per-second cron
 * after a week's outage misses 604 800). When more are left, the plan stops there and
 * the next one continues (OccurrencePlan.complete), so the work of one plan stays
 * bounded (about 15 ms of CPU for this many) and the ledger still ends up complete.
 */
export const MAX_SKIPPED_WALK = 5_000;

/**
 * Occurrences that were due and deliberately not fired, recorded as one `skipped`
 * execution: a single occurrence (`count` 1, `lastAt` = `at`), or a range of `count`
 * consecutive occurrences from `at` to `lastAt`, both included. The execution id derives
 * from `at` like any other, so planning the same range again inserts nothing.
 */
export interface SkippedOccurrence {
  at: Date;
  reason: SkipReason;
  count: number;
  lastAt: Date;
}

export interface OccurrencePlan {
  /** Occurrences to create executions for, ascending. */
  fire: Date[];
  /**
   * Missed occurrences deliberately not fired, ascending and without gaps between them:
   * every one from the first missed occurrence on is covered by exactly one entry (the
   * caller records each as a 'skipped' execution). Older than the MAX_SKIPPED_ROWS most
   * recent, they come as range entries.
   */
  skipped: SkippedOccurrence[];
  /**
   * The schedule's next next_run_at: the first occurrence after `horizon` (or, when more
   * than MAX_PLANNED_OCCURRENCES fell inside the horizon, the first one not planned yet),
   * or null when nothing follows (then the schedule becomes 'completed'). When
   * `complete` is false, the first missed occurrence not yet recorded.
   */
  nextRunAt: Date | null;
  /**
   * False when more skipped occurrences are left than one plan walks (MAX_SKIPPED_WALK):
   * nothing fires yet, `nextRunAt` is the first one left, and the caller plans the
   * schedule again at once.
   */
  complete: boolean;
}

export interface PlanOccurrencesArgs {
  spec: ScheduleSpec;
  /** The stored next_run_at (<= horizon). */
  nextRunAt: Date;
  now: Date;
  /** now + look-ahead: occurrences up to here are planned now. */
  horizon: Date;
  misfirePolicy: MisfirePolicy;
  /** Most older skipped occurrences walked in this plan (default MAX_SKIPPED_WALK, at least 1). */
  maxSkippedWalk?: number;
  /** The schedule's DST policies (defaults when omitted; dst-policy.ts). */
  dstPolicies?: DstPolicies;
}

/**
 * The plan stage's pure core. Emits every occurrence in [nextRunAt, horizon]; those
 * earlier than now - MISFIRE_THRESHOLD_MS are misfires and handled per policy
 * (misfire-policy.ts): fired, or accounted for in `skipped`. Bounded: the work done is
 * proportional to the occurrences emitted plus at most `maxSkippedWalk`, never to the
 * number missed: the misfires that fire and the most recent skipped ones are found by
 * walking backwards from the cut-off, and older skipped ones are walked in chunks.
 *
 * Fired misfires keep their scheduled time (it is part of the execution id); the caller
 * makes them due at once.
 *
 * DST policies (`dstPolicies`) decide which instants are occurrences (an overlap's
 * first, second or both); a gap wall time the `skip` gap policy drops comes back in
 * `skipped` with reason `dst_policy`, at the instant `shift` would have fired it: on
 * time, and in a missed stretch among the occurrences recorded one row each (the
 * MAX_SKIPPED_ROWS most recent and those re-fired). Inside an older range row it is
 * neither counted nor recorded: the range counts the occurrences that would have fired.
 */
export function planOccurrences(args: PlanOccurrencesArgs): OccurrencePlan {
  const { spec, nextRunAt, now, horizon, misfirePolicy } = args;
  if (nextRunAt.getTime() > horizon.getTime())
    return { fire: [], skipped: [], nextRunAt, complete: true };
  const cutoffMs = now.getTime() - MISFIRE_THRESHOLD_MS;

  if (isOneShot(spec)) {
    // The stored next_run_at is the one-shot's time (see firstRunAt).
    const missed = nextRunAt.getTime() < cutoffMs;
    if (missed && misfirePolicy === 'skip')
      return {
        fire: [],
        skipped: [single(nextRunAt, 'misfire_policy')],
        nextRunAt: null,
        complete: true,
      };
    return { fire: [nextRunAt], skipped: [], nextRunAt: null, complete: true };
  }

  const policies = args.dstPolicies;
  const fire: Date[] = [];
  const skipped: SkippedOccurrence[] = [];
  // The first occurrence at or after the stored next_run_at (which normally is one),
  // fired or skipped by the DST policy.
  const first = nextOccurrenceEvent(
    spec,
    new Date(nextRunAt.getTime() - 1),
    policies,
  );
  let cursor = first;

  if (first !== null && first.at.getTime() < cutoffMs) {
    const cutoff = new Date(cutoffMs);
    // The first missed occurrence that would have fired.
    const firstMissed = first.skipped
      ? (nextOccurrence(spec, first.at, policies) ?? cutoff)
      : first.at;
    const refired =
      misfirePolicy === 'skip'
        ? []
        : mostRecentBefore(
            spec,
            cutoff,
            firstMissed,
            misfirePolicy === 'fire_once' ? 1 : MAX_CATCH_UP_OCCURRENCES,
            policies,
          );
    // Skipped: [firstMissed, skipEnd). The most recent of them get a row each, the
    // older ones [firstMissed, olderEnd) range rows.
    const skipEnd = refired[0] ?? cutoff;
    const recent = mostRecentBefore(
      spec,
      skipEnd,
      firstMissed,
      MAX_SKIPPED_ROWS,
      policies,
    );
    const olderEnd = recent[0] ?? skipEnd;
    if (firstMissed.getTime() < olderEnd.getTime()) {
      const older = walkRange(
        spec,
        firstMissed,
        olderEnd,
        Math.max(1, args.maxSkippedWalk ?? MAX_SKIPPED_WALK),
        policies,
      );
      skipped.push({
        at: firstMissed,
        reason: 'misfire_policy',
        count: older.count,
        lastAt: older.last,
      });
      if (older.next !== null && older.next.getTime() < olderEnd.getTime())
        return { fire: [], skipped, nextRunAt: older.next, complete: false };
    }
    skipped.push(...recent.map((at) => single(at, 'misfire_policy')));
    fire.push(...refired);
    // DST-skipped occurrences among those recorded one by one (from the first of them,
    // or from the very first missed one when there is no range row).
    const from =
      firstMissed.getTime() < olderEnd.getTime() ? olderEnd : first.at;
    if (policies?.dstGapPolicy === 'skip') {
      skipped.push(...dstSkippedBetween(spec, from, cutoff, policies));
      skipped.sort((a, b) => a.at.getTime() - b.at.getTime());
    }
    cursor = nextOccurrenceEvent(spec, new Date(cutoffMs - 1), policies);
  }

  let planned = 0;
  while (
    cursor !== null &&
    cursor.at.getTime() <= horizon.getTime() &&
    planned < MAX_PLANNED_OCCURRENCES
  ) {
    if (cursor.skipped) skipped.push(single(cursor.at, cursor.skipped));
    else fire.push(cursor.at);
    planned++;
    cursor = nextOccurrenceEvent(spec, cursor.at, policies);
  }
  return { fire, skipped, nextRunAt: cursor?.at ?? null, complete: true };
}

function single(at: Date, reason: SkipReason): SkippedOccurrence {
  return { at, reason, count: 1, lastAt: at };
}

/** The occurrences in [from, before) the DST gap policy skipped, as single skipped rows. */
function dstSkippedBetween(
  spec: ScheduleSpec,
  from: Date,
  before: Date,
  policies: DstPolicies,
): SkippedOccurrence[] {
  const found: SkippedOccurrence[] = [];
  let event = nextOccurrenceEvent(spec, new Date(from.getTime() - 1), policies);
  while (event !== null && event.at.getTime() < before.getTime()) {
    if (event.skipped) found.push(single(event.at, event.skipped));
    event = nextOccurrenceEvent(spec, event.at, policies);
  }
  return found;
}

/**
 * Counts occurrences from `first` (an occurrence, included) to before `before`, at most
 * `limit`: how many, the last one counted, and the one after it (null when none).
 */
function walkRange(
  spec: ScheduleSpec,
  first: Date,
  before: Date,
  limit: number,
  policies: DstPolicies | undefined,
): { count: number; last: Date; next: Date | null } {
  let count = 0;
  let last = first;
  let cursor: Date | null = first;
  while (
    cursor !== null &&
    cursor.getTime() < before.getTime() &&
    count < limit
  ) {
    count++;
    last = cursor;
    cursor = nextOccurrence(spec, cursor, policies);
  }
  return { count, last, next: cursor };
}

/** Up to `limit` occurrences before `before` and not before `earliest`, ascending. */
function mostRecentBefore(
  spec: ScheduleSpec,
  before: Date,
  earliest: Date,
  limit: number,
  policies: DstPolicies | undefined,
): Date[] {
  const found: Date[] = [];
  let cursor: Date | null = before;
  while (found.length < limit) {
    cursor = previousOccurrence(spec, cursor, policies);
    if (cursor === null || cursor.getTime() < earliest.getTime()) break;
    found.push(cursor);
  }
  return found.reverse();
}
