import type { SkipReason } from '../execution/skip-reason';
import { decideCatchUp } from './catch-up-window';
import { type Calendar, type Exclusion, findExclusion } from './exclusions';
import { flexibleFireAt } from './flexible-window';
import { decideOverlap, type OverlapPolicy } from './overlap-policy';

/**
 * The plan stage's second pure step: what the run-time policies do to each occurrence
 * planOccurrences would fire (docs/time.md "What the scheduler does"). In order, the
 * first that applies decides:
 *
 * 1. `skipNextAt`: the marked occurrence is skipped, reason `skip_next`.
 * 2. exclusions (the schedule's own, then its calendars'): skipped, reason `exclusion`.
 * 3. `catchUpWindow`: later than the window after its promised instant (its flexible
 *    fire time): skipped, reason `catch_up_window`.
 * 4. `overlapPolicy`, against the schedule's previous execution (OverlapState):
 *    `skip` skips it (reason `overlap_policy`); `buffer_one` buffers it (held until the
 *    previous one finishes), or skips it when one is buffered already.
 * 5. Otherwise it fires, due at its flexible fire time (`scheduledAt` stays the
 *    occurrence's time: the id and headers do not move).
 *
 * An occurrence that fires or is buffered here is the "previous" of the next one in
 * the same plan, so at most one of a plan's occurrences fires under `skip` or
 * `buffer_one` while the previous one is unfinished.
 */

/**
 * The schedule's most recent execution that was not skipped, as the plan statement
 * reads it (PLAN_DUE_SCHEDULES):
 * - `finished`: it ended (failed, cancelled, result_timeout, or succeeded with its
 *   result reported, or delivered with a resultTimeout whose deadline has been settled);
 *   also when there is none;
 * - `running`: pending (not delivered yet, retries included) or delivered and still
 *   awaiting its result report;
 * - `buffered`: an occurrence held by `buffer_one` (pending, due at infinity).
 */
export type OverlapState = 'finished' | 'running' | 'buffered';

export interface PlanPolicyContext {
  scheduleId: string;
  /** The schedule's zone: the cron's timezone, UTC for one-shots. */
  zone: string;
  /** The plan's now (database clock) and horizon (now + look-ahead). */
  now: Date;
  horizon: Date;
  catchUpWindow: string | null;
  flexibleWindow: string | null;
  exclusions: readonly Exclusion[];
  /** The calendars of `calendarIds`, in that order (a deleted one is simply absent). */
  calendars: readonly Pick<Calendar, 'id' | 'name' | 'exclusions'>[];
  overlapPolicy: OverlapPolicy;
  overlap: OverlapState;
  skipNextAt: Date | null;
}

export type OccurrenceDecision =
  | { kind: 'skip'; at: Date; reason: SkipReason }
  /** `leased`: due within the horizon, so the planner holds it; else CLAIM_DUE takes it when due. */
  | { kind: 'fire'; at: Date; dueAt: Date; leased: boolean }
  /** Held under buffer_one: pending, unleased, due at infinity until released. */
  | { kind: 'buffer'; at: Date };

/** True when the context changes nothing: every occurrence fires at its time. */
export function hasNoPlanPolicy(
  context: Omit<PlanPolicyContext, 'scheduleId' | 'zone' | 'now' | 'horizon'>,
): boolean {
  return (
    context.skipNextAt === null &&
    context.exclusions.length === 0 &&
    context.calendars.length === 0 &&
    context.catchUpWindow === null &&
    context.flexibleWindow === null &&
    context.overlapPolicy === 'allow'
  );
}

/** The decision for each of `fire` (ascending), in order. */
export function decideOccurrences(
  fire: readonly Date[],
  context: PlanPolicyContext,
): OccurrenceDecision[] {
  let overlap = context.overlap;
  const sources = {
    exclusions: context.exclusions,
    calendars: context.calendars,
  };
  const checkExclusions =
    context.exclusions.length > 0 || context.calendars.length > 0;
  return fire.map((at): OccurrenceDecision => {
    if (context.skipNextAt?.getTime() === at.getTime())
      return { kind: 'skip', at, reason: 'skip_next' };
    if (checkExclusions && findExclusion(at, sources, context.zone))
      return { kind: 'skip', at, reason: 'exclusion' };
    const dueAt = flexibleFireAt(
      context.scheduleId,
      at,
      context.flexibleWindow,
    );
    if (decideCatchUp(dueAt, context.now, context.catchUpWindow) === 'skip')
      return { kind: 'skip', at, reason: 'catch_up_window' };
    const decision = decideOverlap(context.overlapPolicy, {
      previousHasResult: overlap === 'finished',
      buffered: overlap === 'buffered',
    });
    if (decision === 'skip')
      return { kind: 'skip', at, reason: 'overlap_policy' };
    if (decision === 'buffer') {
      overlap = 'buffered';
      return { kind: 'buffer', at };
    }
    overlap = 'running';
    return {
      kind: 'fire',
      at,
      dueAt,
      leased: dueAt.getTime() <= context.horizon.getTime(),
    };
  });
}

/**
 * Whether the plan that moves next_run_at to `nextRunAt` (null: none left) has passed
 * the occurrence skip-next marked, so that the mark is cleared.
 */
export function passedSkipNext(
  skipNextAt: Date | null,
  nextRunAt: Date | null,
): boolean {
  return (
    skipNextAt !== null &&
    (nextRunAt === null || skipNextAt.getTime() < nextRunAt.getTime())
  );
}
