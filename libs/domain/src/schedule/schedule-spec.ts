/**
 * How a schedule says when it fires, as users send it (`ScheduleSpecInput`) and as it is
 * stored once validated (`ScheduleSpec`). A delay is fixed to an absolute time when the
 * API accepts it, so a stored delay behaves exactly like an `at`.
 */

export type ScheduleType = 'cron' | 'at' | 'delay';

export interface CronScheduleSpec {
  type: 'cron';
  /** 5 fields, or 6 with seconds first. */
  expression: string;
  /** IANA time zone the expression is read in. */
  timezone: string;
}

export interface AtScheduleSpec {
  type: 'at';
  /** ISO-8601 instant, normalised to UTC with milliseconds. */
  at: string;
}

export interface DelayScheduleSpec {
  type: 'delay';
  /** The ISO-8601 duration the user sent. */
  delay: string;
  /** The instant the delay was fixed to when the schedule was accepted. */
  at: string;
}

export type ScheduleSpec =
  | CronScheduleSpec
  | AtScheduleSpec
  | DelayScheduleSpec;

/** What a client may send: the timezone is optional and a delay has no `at` yet. */
export type ScheduleSpecInput =
  | { type: 'cron'; expression: string; timezone?: string }
  | { type: 'at'; at: string }
  | { type: 'delay'; delay: string };

export const DEFAULT_TIMEZONE = 'UTC';

export function isOneShot(
  spec: ScheduleSpec,
): spec is AtScheduleSpec | DelayScheduleSpec {
  return spec.type !== 'cron';
}
