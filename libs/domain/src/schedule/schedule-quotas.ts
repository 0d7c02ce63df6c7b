import { QuotaExceededError } from '../errors';
import type { ScheduleRate } from './schedule-rate';

/**
 * The limits on what an owner's schedules may add up to, and on how often one cron may
 * fire (docs/security.md, "Rate limits and quotas"). 0 means unlimited for each.
 */
export interface ScheduleQuotas {
  /** `QUOTA_MAX_SCHEDULES_PER_OWNER`: stored schedules of one owner, any status. */
  maxSchedulesPerOwner: number;
  /** `QUOTA_MIN_CRON_INTERVAL`: shortest allowed time between two occurrences of a cron, in ms. */
  minCronIntervalMs: number;
  /** `QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER`: the summed rate of one owner's schedules that are not paused. */
  maxFiresPerMinutePerOwner: number;
}

/**
 * Generous on purpose: they stop a runaway client or a tenant who forgot a filter, not
 * normal use. 100 000 schedules of one owner; every second is the finest a cron can
 * express anyway; a million fires a minute is roughly what one database plans.
 */
export const DEFAULT_SCHEDULE_QUOTAS: ScheduleQuotas = {
  maxSchedulesPerOwner: 100_000,
  minCronIntervalMs: 1_000,
  maxFiresPerMinutePerOwner: 1_000_000,
};

export const UNLIMITED_SCHEDULE_QUOTAS: ScheduleQuotas = {
  maxSchedulesPerOwner: 0,
  minCronIntervalMs: 0,
  maxFiresPerMinutePerOwner: 0,
};

/** What one owner's schedules add up to, as counted in `owner_usage`. */
export interface OwnerUsage {
  /** Stored schedules, any status. */
  schedules: number;
  /** Sum of `firesPerHour` (ScheduleRate) over the schedules that are not paused. */
  firesPerHour: number;
}

/** The owner totals as the database compares them: fires per hour, 0 = unlimited. */
export function usageLimits(quotas: ScheduleQuotas): OwnerUsage {
  return {
    schedules: quotas.maxSchedulesPerOwner,
    firesPerHour: quotas.maxFiresPerMinutePerOwner * 60,
  };
}

/** Refuses a cron that fires more often than QUOTA_MIN_CRON_INTERVAL allows. Applies to every schedule, owned or not. */
export function checkCronInterval(
  rate: ScheduleRate,
  quotas: ScheduleQuotas,
  field = 'schedule.expression',
): void {
  if (
    rate.minIntervalMs === null ||
    rate.minIntervalMs >= quotas.minCronIntervalMs
  )
    return;
  throw new QuotaExceededError(
    field,
    `fires as often as every ${formatSeconds(rate.minIntervalMs)}; the shortest interval allowed is ${formatSeconds(quotas.minCronIntervalMs)} (QUOTA_MIN_CRON_INTERVAL)`,
  );
}

/**
 * Refuses `usage` (an owner's totals after the change being made) when it is over a
 * limit. Totals that only shrink are never refused: pausing or deleting must always
 * work, even for an owner who is over a limit that was lowered since.
 */
export function checkOwnerUsage(
  owner: string,
  usage: OwnerUsage,
  added: OwnerUsage,
  quotas: ScheduleQuotas,
): void {
  const max = quotas.maxSchedulesPerOwner;
  if (added.schedules > 0 && max > 0 && usage.schedules > max)
    throw new QuotaExceededError(
      'owner',
      `owner "${owner}" already has ${usage.schedules - added.schedules} schedules; at most ${max} are allowed (QUOTA_MAX_SCHEDULES_PER_OWNER); delete some first`,
    );
  const maxPerMinute = quotas.maxFiresPerMinutePerOwner;
  if (
    added.firesPerHour > 0 &&
    maxPerMinute > 0 &&
    usage.firesPerHour > maxPerMinute * 60
  )
    throw new QuotaExceededError(
      'owner',
      `owner "${owner}" would fire ${formatPerMinute(usage.firesPerHour)} times a minute; at most ${maxPerMinute} are allowed (QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER); pause or slow down other schedules first`,
    );
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3)} s`;
}

function formatPerMinute(firesPerHour: number): string {
  const perMinute = firesPerHour / 60;
  return Number.isInteger(perMinute) ? String(perMinute) : perMinute.toFixed(2);
}
