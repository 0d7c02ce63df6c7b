import { ValidationError } from '../errors';
import { zoneOffsetMs } from './time-zone';

/**
 * Exclusions: periods in which a schedule does not fire. An occurrence inside one is
 * recorded as `skipped` with reason `exclusion` instead of firing. Every period is read
 * on the wall clock of the schedule's zone (the cron's `timezone`; UTC for one-shots),
 * so "2026-12-25" is Christmas Day where the schedule lives. Three shapes, each a small
 * JSON object (docs/time.md, "Exclusions"):
 *
 * - `{ "date": "2026-12-25" }`: that whole day.
 * - `{ "from": "2026-12-24", "to": "2026-12-26" }`: those days, both ends included.
 * - `{ "daysOfWeek": [0, 6] }`: every Saturday and Sunday (0 = Sunday … 6 = Saturday);
 *   with `"between": ["22:00", "06:00"]` only that window of the day, start included and
 *   end excluded, starting on each listed day; an end at or before the start runs into
 *   the next day (22:00 Friday to 06:00 Saturday for day 5).
 *
 * A schedule has its own `exclusions` and may name reusable calendars (`calendarIds`),
 * each a named list of exclusions of the same owner; an occurrence is excluded when any
 * of them excludes it.
 */
export type Exclusion = DateExclusion | DateRangeExclusion | WeeklyExclusion;

export interface DateExclusion {
  /** YYYY-MM-DD on the schedule's wall clock. */
  date: string;
}

export interface DateRangeExclusion {
  /** YYYY-MM-DD, included. */
  from: string;
  /** YYYY-MM-DD, included; not before `from`. */
  to: string;
}

export interface WeeklyExclusion {
  /** 0 (Sunday) … 6 (Saturday), ascending, no repeats. */
  daysOfWeek: number[];
  /** ["HH:MM", "HH:MM"], start included, end excluded; absent: the whole day. */
  between?: [string, string];
}

/** A named, reusable list of exclusions (`POST /calendars`), referenced by `calendarIds`. */
export interface Calendar {
  id: string;
  name: string;
  owner: string | null;
  exclusions: Exclusion[];
}

/** Most exclusions a schedule holds itself. */
export const MAX_SCHEDULE_EXCLUSIONS = 100;
/** Most exclusions of one calendar (a few years of public holidays fit). */
export const MAX_CALENDAR_EXCLUSIONS = 1000;
/** Most calendars a schedule names. */
export const MAX_CALENDAR_IDS = 20;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
];

/**
 * Validates a list of exclusions (at most `max`), every problem named by its path
 * (`exclusions[2].date`); throws the first. Returns them normalised (days sorted).
 */
export function parseExclusions(
  input: unknown,
  field = 'exclusions',
  max = MAX_SCHEDULE_EXCLUSIONS,
): Exclusion[] {
  if (!Array.isArray(input))
    throw new ValidationError(field, 'must be an array of exclusions');
  if (input.length > max)
    throw new ValidationError(
      field,
      `has ${input.length} exclusions; at most ${max} are allowed`,
    );
  return (input as unknown[]).map((item, index) =>
    parseExclusion(item, `${field}[${index}]`),
  );
}

function parseExclusion(input: unknown, field: string): Exclusion {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ValidationError(
      field,
      'must be an object: { "date" }, { "from", "to" } or { "daysOfWeek", "between"? }',
    );
  const item = input as Record<string, unknown>;
  const allow = (keys: string[]) => {
    for (const key of Object.keys(item))
      if (!keys.includes(key))
        throw new ValidationError(`${field}.${key}`, 'unknown field');
  };
  if ('date' in item) {
    allow(['date']);
    return { date: parseDate(item.date, `${field}.date`) };
  }
  if ('from' in item || 'to' in item) {
    allow(['from', 'to']);
    const from = parseDate(item.from, `${field}.from`);
    const to = parseDate(item.to, `${field}.to`);
    if (to < from)
      throw new ValidationError(
        `${field}.to`,
        `"${to}" is before from "${from}"`,
      );
    return { from, to };
  }
  if ('daysOfWeek' in item) {
    allow(['daysOfWeek', 'between']);
    const daysOfWeek = parseDays(item.daysOfWeek, `${field}.daysOfWeek`);
    if (item.between === undefined) return { daysOfWeek };
    return {
      daysOfWeek,
      between: parseBetween(item.between, `${field}.between`),
    };
  }
  throw new ValidationError(
    field,
    'must have "date", "from" and "to", or "daysOfWeek"',
  );
}

function parseDate(input: unknown, field: string): string {
  const match = typeof input === 'string' ? DATE.exec(input) : null;
  if (!match) throw new ValidationError(field, 'must be a date "YYYY-MM-DD"');
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [
    number,
    number,
    number,
  ];
  const days =
    month >= 1 && month <= 12
      ? new Date(Date.UTC(year, month, 0)).getUTCDate()
      : 0;
  if (day < 1 || day > days)
    throw new ValidationError(field, `"${String(input)}" is not a date`);
  return input as string;
}

function parseDays(input: unknown, field: string): number[] {
  if (!Array.isArray(input) || input.length === 0)
    throw new ValidationError(
      field,
      'must be a non-empty array of days, 0 (Sunday) to 6 (Saturday)',
    );
  const seen = new Set<number>();
  for (const [index, day] of (input as unknown[]).entries()) {
    if (typeof day !== 'number' || !Number.isInteger(day) || day < 0 || day > 6)
      throw new ValidationError(
        `${field}[${index}]`,
        'must be an integer from 0 (Sunday) to 6 (Saturday)',
      );
    if (seen.has(day))
      throw new ValidationError(`${field}[${index}]`, `repeats ${day}`);
    seen.add(day);
  }
  return [...seen].sort((a, b) => a - b);
}

function parseBetween(input: unknown, field: string): [string, string] {
  if (!Array.isArray(input) || input.length !== 2)
    throw new ValidationError(
      field,
      'must be two wall times ["HH:MM", "HH:MM"], e.g. ["22:00", "06:00"]',
    );
  const [start, end] = (input as unknown[]).map((time, index) => {
    if (typeof time !== 'string' || !TIME.test(time))
      throw new ValidationError(
        `${field}[${index}]`,
        'must be a wall time "HH:MM", 00:00 to 23:59',
      );
    return time;
  }) as [string, string];
  if (start === end)
    throw new ValidationError(
      `${field}[1]`,
      'must differ from the start (for the whole day, leave out "between")',
    );
  return [start, end];
}

/**
 * `calendarIds`: at most MAX_CALENDAR_IDS calendar ids (UUIDs, lower-cased), no
 * repeats. Whether each exists and belongs to the schedule's owner is the API's check.
 */
export function parseCalendarIds(
  input: unknown,
  field = 'calendarIds',
): string[] {
  if (!Array.isArray(input))
    throw new ValidationError(field, 'must be an array of calendar ids');
  if (input.length > MAX_CALENDAR_IDS)
    throw new ValidationError(
      field,
      `names ${input.length} calendars; at most ${MAX_CALENDAR_IDS} are allowed`,
    );
  const seen = new Set<string>();
  return (input as unknown[]).map((id, index) => {
    if (typeof id !== 'string' || !UUID.test(id))
      throw new ValidationError(
        `${field}[${index}]`,
        'must be the id of a calendar (a UUID, from POST /calendars)',
      );
    const lower = id.toLowerCase();
    if (seen.has(lower))
      throw new ValidationError(`${field}[${index}]`, `repeats ${lower}`);
    seen.add(lower);
    return lower;
  });
}

/** The first of `exclusions` that contains `at` on the wall clock of `zone`, or null. */
export function excludedBy(
  at: Date,
  exclusions: readonly Exclusion[],
  zone: string,
): Exclusion | null {
  const wall = new Date(at.getTime() + zoneOffsetMs(zone, at.getTime()));
  const date = wall.toISOString().slice(0, 10);
  const weekday = wall.getUTCDay();
  const minute = wall.getUTCHours() * 60 + wall.getUTCMinutes();
  for (const exclusion of exclusions)
    if (contains(exclusion, date, weekday, minute)) return exclusion;
  return null;
}

/** What excludes `at`: the schedule's own exclusions first, then each calendar in order. */
export function findExclusion(
  at: Date,
  sources: {
    exclusions: readonly Exclusion[];
    calendars: readonly Pick<Calendar, 'id' | 'name' | 'exclusions'>[];
  },
  zone: string,
): {
  exclusion: Exclusion;
  calendar: Pick<Calendar, 'id' | 'name'> | null;
} | null {
  const own = excludedBy(at, sources.exclusions, zone);
  if (own) return { exclusion: own, calendar: null };
  for (const calendar of sources.calendars) {
    const exclusion = excludedBy(at, calendar.exclusions, zone);
    if (exclusion)
      return { exclusion, calendar: { id: calendar.id, name: calendar.name } };
  }
  return null;
}

function contains(
  exclusion: Exclusion,
  date: string,
  weekday: number,
  minute: number,
): boolean {
  if ('date' in exclusion) return exclusion.date === date;
  if ('from' in exclusion)
    return exclusion.from <= date && date <= exclusion.to;
  const days = exclusion.daysOfWeek;
  if (!exclusion.between) return days.includes(weekday);
  const start = minutesOf(exclusion.between[0]);
  const end = minutesOf(exclusion.between[1]);
  if (start < end)
    return days.includes(weekday) && minute >= start && minute < end;
  // Runs past midnight: the evening of a listed day, or the morning after one.
  const previousDay = (weekday + 6) % 7;
  return (
    (days.includes(weekday) && minute >= start) ||
    (days.includes(previousDay) && minute < end)
  );
}

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** An exclusion in words, for preview notes: "2026-12-25", "Saturday and Sunday 22:00-06:00". */
export function describeExclusion(exclusion: Exclusion): string {
  if ('date' in exclusion) return exclusion.date;
  if ('from' in exclusion) return `${exclusion.from} to ${exclusion.to}`;
  const names = exclusion.daysOfWeek.map((day) => DAY_NAMES[day] ?? '');
  const days =
    names.length === 1
      ? names[0]
      : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
  return exclusion.between
    ? `${days} ${exclusion.between[0]}-${exclusion.between[1]}`
    : days;
}

/**
 * Every id of `calendarIds` must name a calendar the schedule may use (`usable`: of
 * the schedule's owner; for a preview, one the caller sees). `found`: the calendars
 * those ids name, of any owner; one not usable reads as missing. A 400 naming
 * `calendarIds[i]` otherwise. Returns the calendars in the order of the ids.
 */
export function checkScheduleCalendars<
  C extends Pick<Calendar, 'id' | 'owner'>,
>(
  calendarIds: readonly string[],
  found: readonly C[],
  usable: (calendar: C) => boolean,
  field = 'calendarIds',
): C[] {
  return calendarIds.map((id, index) => {
    const calendar = found.find((c) => c.id === id);
    if (!calendar || !usable(calendar))
      throw new ValidationError(
        `${field}[${index}]`,
        `no calendar ${id} of this owner; create it with POST /calendars`,
      );
    return calendar;
  });
}
