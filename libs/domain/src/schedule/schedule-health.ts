import { ValidationError } from '../errors';
import { parseIsoDuration } from './iso-time';
import { MISFIRE_THRESHOLD_MS } from './misfire-policy';
import type { ScheduleStatus } from './schedule-status';

/**
 * Alerting on silence (issue 13). A schedule's health, worst first:
 *
 * - `silent`: it sets `silentAfter` and no occurrence succeeded for that long while it was
 *   active (counted from its creation until the first success);
 * - `failing`: its latest finished execution failed (or got no result in time);
 * - `late`: an occurrence is overdue by more than the ±10 s promise and has not fired;
 * - `healthy`: none of these.
 *
 * Paused and completed schedules are never `late` or `silent` (nothing is expected of
 * them), but a failure stays visible until a later execution succeeds.
 */
export const SCHEDULE_HEALTH_STATES = [
  'healthy',
  'late',
  'failing',
  'silent',
] as const;
export type ScheduleHealthState = (typeof SCHEDULE_HEALTH_STATES)[number];

/** Final execution statuses that make a schedule `failing` while they are its latest. */
export const FAILING_EXECUTION_STATUSES: readonly string[] = [
  'failed',
  'result_timeout',
];

/** How late an unfired occurrence may be before the schedule is `late`: the promise. */
export const LATE_AFTER_MS = MISFIRE_THRESHOLD_MS;

/** Shortest and longest `silentAfter`: above the ±10 s promise, and a year and a day. */
export const MIN_SILENT_AFTER_MS = 10_000;
export const MAX_SILENT_AFTER_MS = 366 * 86_400_000;

/**
 * A schedule's `silentAfter`: an ISO-8601 duration from PT10S to P366D (no years or
 * months), or null for none. Returns it in ms (null for none).
 */
export function parseSilentAfter(
  input: unknown,
  field = 'silentAfter',
): number | null {
  if (input === null) return null;
  const ms = parseIsoDuration(input, field);
  if (ms < MIN_SILENT_AFTER_MS || ms > MAX_SILENT_AFTER_MS)
    throw new ValidationError(
      field,
      `must be from PT10S to P366D (got ${JSON.stringify(input)})`,
    );
  return ms;
}

export interface HealthFacts {
  status: ScheduleStatus;
  createdAt: Date;
  /** The schedule's `silentAfter` in ms; null when it asks for no silence alert. */
  silentAfterMs: number | null;
  /** When its latest succeeded execution finished; null when none has. */
  lastSuccessAt: Date | null;
  /** The status of its latest finished execution (not cancelled or skipped); null when none. */
  lastFinishedStatus: string | null;
  /** The earliest due time of what should have fired and has not; null when nothing is due. */
  overdueSince: Date | null;
}

export interface ScheduleHealth {
  state: ScheduleHealthState;
  /** For people: why this state. */
  reason: string;
}

export function scheduleHealth(facts: HealthFacts, now: Date): ScheduleHealth {
  const expecting = facts.status === 'active';
  if (expecting && facts.silentAfterMs !== null) {
    const since = facts.lastSuccessAt ?? facts.createdAt;
    if (now.getTime() - since.getTime() > facts.silentAfterMs)
      return {
        state: 'silent',
        reason:
          facts.lastSuccessAt === null
            ? `no occurrence has succeeded since the schedule was created at ${since.toISOString()}`
            : `no occurrence has succeeded since ${since.toISOString()}`,
      };
  }
  if (
    facts.lastFinishedStatus !== null &&
    FAILING_EXECUTION_STATUSES.includes(facts.lastFinishedStatus)
  )
    return {
      state: 'failing',
      reason: `the latest finished execution is ${facts.lastFinishedStatus}`,
    };
  if (
    expecting &&
    facts.overdueSince !== null &&
    now.getTime() - facts.overdueSince.getTime() > LATE_AFTER_MS
  )
    return {
      state: 'late',
      reason: `an occurrence due at ${facts.overdueSince.toISOString()} has not fired`,
    };
  return { state: 'healthy', reason: 'nothing overdue, failing or silent' };
}
