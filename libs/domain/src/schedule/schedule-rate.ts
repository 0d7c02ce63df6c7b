import { matcherFor } from './cron-occurrences';
import type { ScheduleSpec } from './schedule-spec';

/**
 * How often a schedule fires, as the quotas see it (docs/security.md, "Rate limits and
 * quotas"). Computed from the cron's field values alone, never by walking occurrences,
 * so it costs microseconds even for a cron that fires every second (86 400 a day).
 */
export interface ScheduleRate {
  /**
   * Occurrences in one hour in which the schedule fires (minutes × seconds of the cron):
   * its rate at its busiest, 3 600 at most. 0 for a one-shot, which fires once and is
   * bounded by the schedule count instead.
   */
  firesPerHour: number;
  /**
   * Shortest wall-clock time between two consecutive occurrences, in ms; null for a
   * one-shot. Across midnight it assumes the next day may fire too (true unless the
   * day fields exclude consecutive days, which only makes the answer conservative).
   * A daylight-saving change can shorten one gap once a year; that is not counted.
   */
  minIntervalMs: number | null;
}

const ONE_SHOT_RATE: ScheduleRate = { firesPerHour: 0, minIntervalMs: null };

export function scheduleRate(spec: ScheduleSpec): ScheduleRate {
  if (spec.type !== 'cron') return ONE_SHOT_RATE;
  const { hours, minutes, seconds } = matcherFor(spec.expression);
  return {
    firesPerHour: minutes.length * seconds.length,
    minIntervalMs: shortestGapSeconds(hours, minutes, seconds) * 1000,
  };
}

/**
 * Consecutive occurrences are either two seconds of one minute, the last second of a
 * minute and the first of the next matching minute, the same across an hour, or the
 * last time of a day and the first of the next: the smallest of those gaps is the
 * answer, in O(|hours| + |minutes| + |seconds|). Each list is sorted and non-empty.
 */
function shortestGapSeconds(
  hours: readonly number[],
  minutes: readonly number[],
  seconds: readonly number[],
): number {
  const firstSecond = seconds[0];
  const lastSecond = seconds[seconds.length - 1];
  const firstInHour = minutes[0] * 60 + firstSecond;
  const lastInHour = minutes[minutes.length - 1] * 60 + lastSecond;
  let shortest =
    86_400 +
    hours[0] * 3600 +
    firstInHour -
    (hours[hours.length - 1] * 3600 + lastInHour);
  for (let i = 1; i < seconds.length; i++)
    shortest = Math.min(shortest, seconds[i] - seconds[i - 1]);
  for (let i = 1; i < minutes.length; i++)
    shortest = Math.min(
      shortest,
      (minutes[i] - minutes[i - 1]) * 60 + firstSecond - lastSecond,
    );
  for (let i = 1; i < hours.length; i++)
    shortest = Math.min(
      shortest,
      (hours[i] - hours[i - 1]) * 3600 + firstInHour - lastInHour,
    );
  return shortest;
}
