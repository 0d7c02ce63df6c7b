import { toString as cronToWords } from 'cronstrue';
import type { ScheduleSpec } from './schedule-spec';
import { parseIsoDuration } from './iso-time';

const UNITS: [name: string, ms: number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
  ['millisecond', 1],
];

/**
 * A schedule spec in words, for people: what every client shows beside the raw spec
 * (the UI's list, detail and form). It names the zone the wall times are read in, because
 * "At 02:30" alone is a different instant in every zone:
 *
 * - cron: `At 02:30, every day (Europe/Berlin)`, `Every 5 seconds (UTC)`, by cronstrue in
 *   24-hour time (6 fields are read with seconds first, as the scheduler reads them);
 * - at: `Once at 2027-01-01T09:00:00.000Z (UTC)`;
 * - delay: `Once at 2027-01-01T09:05:00.000Z (UTC), 5 minutes after it was set`.
 *
 * Words only: the instants come from the spec, never from here. An expression cronstrue
 * cannot put into words (none that the parser accepts, as far as the tests know) falls
 * back to `cron <expression> (<zone>)` rather than failing the answer it is part of.
 */
export function describeSchedule(spec: ScheduleSpec): string {
  switch (spec.type) {
    case 'cron':
      return `${describeCron(spec.expression)} (${spec.timezone})`;
    case 'at':
      return `Once at ${spec.at} (UTC)`;
    case 'delay':
      return `Once at ${spec.at} (UTC), ${describeDelay(spec.delay)} after it was set`;
  }
}

function describeCron(expression: string): string {
  let text: string;
  try {
    text = cronToWords(expression, {
      use24HourTimeFormat: true,
      throwExceptionOnParseError: true,
      verbose: false,
    });
  } catch {
    return `cron ${expression}`;
  }
  // cronstrue says nothing about the days when every day matches ("At 02:30"); say it
  // when the hours are fixed, so a daily job reads as one. Fields from the right: the
  // day-of-week, month and day-of-month are the last three; the hour is the fourth.
  const fields = expression.trim().split(/\s+/);
  const [hour, dayOfMonth, month, dayOfWeek] = fields.slice(-4);
  const wildcard = (field: string) => field === '*' || field === '?';
  if (
    fields.length >= 5 &&
    wildcard(dayOfMonth) &&
    wildcard(month) &&
    wildcard(dayOfWeek) &&
    !hour.startsWith('*')
  )
    text += ', every day';
  return text;
}

/** `PT5M` → `5 minutes`, `P1DT2H30S` → `1 day 2 hours 30 seconds`. */
export function describeDelay(delay: string): string {
  let rest: number;
  try {
    rest = parseIsoDuration(delay, 'delay');
  } catch {
    return delay;
  }
  const parts: string[] = [];
  for (const [name, ms] of UNITS) {
    const count = Math.floor(rest / ms);
    if (count === 0) continue;
    rest -= count * ms;
    parts.push(`${String(count)} ${name}${count === 1 ? '' : 's'}`);
  }
  return parts.length > 0 ? parts.join(' ') : delay;
}
