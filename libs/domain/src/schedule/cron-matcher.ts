import { CronExpressionParser } from 'cron-parser';

/**
 * Calendar matching of a cron expression on "wall-clock" times, fast.
 *
 * A wall time is represented as the UTC instant with the same digits, so all arithmetic
 * is plain UTC. cron-parser parses the expression (and stays the authority on syntax),
 * but its next()/prev() step through luxon dates at ~50-130 µs per call, which the plan
 * stage cannot afford for thousands of schedules; walking the parsed field values
 * directly takes a few µs. The day rules (day-of-month OR day-of-week when both are
 * restricted, L, 5L, 1#2) copy cron-parser's, and a test compares both on many
 * expressions.
 */
export interface CronMatcher {
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: readonly boolean[];
  matchesDay(year: number, month: number, day: number): boolean;
}

const DAY_MS = 86_400_000;
/** Days and month skips examined per search: far more than the 8 years a Feb 29 cron needs. */
const MAX_SEARCH_STEPS = 20_000;

export function compileCron(expression: string): CronMatcher {
  const fields = CronExpressionParser.parse(expression, { tz: 'UTC' }).fields;
  const numbers = (values: readonly (number | string)[]) =>
    [...new Set(values.filter((v): v is number => typeof v === 'number'))].sort(
      (a, b) => a - b,
    );
  const months: boolean[] = Array.from({ length: 13 }, () => false);
  for (const month of numbers(fields.month.values)) months[month] = true;

  const dom = fields.dayOfMonth;
  const dow = fields.dayOfWeek;
  const domDays = new Set(numbers(dom.values));
  const dowDays = new Set(numbers(dow.values).map((d) => d % 7));
  const lastWeekdays = new Set(
    dow.values.map((v) => Number.parseInt(String(v).charAt(0), 10) % 7),
  );
  const nthDay = dow.nthDay;

  function matchesDay(year: number, month: number, day: number): boolean {
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    const matchedDom =
      domDays.has(day) || (dom.hasLastChar && day === daysInMonth);
    const matchedDow =
      (dowDays.has(weekday) &&
        (nthDay <= 0 || Math.ceil(day / 7) === nthDay)) ||
      (dow.hasLastChar && day + 7 > daysInMonth && lastWeekdays.has(weekday));
    if (!dom.isWildcard && !dow.isWildcard) return matchedDom || matchedDow;
    if (dow.isWildcard) return matchedDom;
    return matchedDow;
  }

  return {
    seconds: numbers(fields.second.values),
    minutes: numbers(fields.minute.values),
    hours: numbers(fields.hour.values),
    months,
    matchesDay,
  };
}

/** First matching wall time strictly after `afterMs` (whole seconds), or null. */
export function nextMatch(cron: CronMatcher, afterMs: number): number | null {
  const start = Math.floor(afterMs / 1000) * 1000 + 1000;
  let dayStart = start - mod(start, DAY_MS);
  let fromSecond = (start - dayStart) / 1000;
  for (let step = 0; step < MAX_SEARCH_STEPS; step++) {
    const date = new Date(dayStart);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    if (!cron.months[month]) {
      dayStart = Date.UTC(year, month, 1);
      fromSecond = 0;
      continue;
    }
    if (cron.matchesDay(year, month, date.getUTCDate())) {
      const second = firstSecondFrom(cron, fromSecond);
      if (second !== null) return dayStart + second * 1000;
    }
    dayStart += DAY_MS;
    fromSecond = 0;
  }
  return null;
}

/** Last matching wall time strictly before `beforeMs` (whole seconds), or null. */
export function previousMatch(
  cron: CronMatcher,
  beforeMs: number,
): number | null {
  const end = Math.ceil(beforeMs / 1000) * 1000 - 1000;
  let dayStart = end - mod(end, DAY_MS);
  let toSecond = (end - dayStart) / 1000;
  for (let step = 0; step < MAX_SEARCH_STEPS; step++) {
    const date = new Date(dayStart);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    if (!cron.months[month]) {
      dayStart = Date.UTC(year, month - 1, 0);
      toSecond = 86_399;
      continue;
    }
    if (cron.matchesDay(year, month, date.getUTCDate())) {
      const second = lastSecondUpTo(cron, toSecond);
      if (second !== null) return dayStart + second * 1000;
    }
    dayStart -= DAY_MS;
    toSecond = 86_399;
  }
  return null;
}

/** First matching second of the day at or after `from` (seconds since midnight). */
function firstSecondFrom(cron: CronMatcher, from: number): number | null {
  const h0 = Math.floor(from / 3600);
  const m0 = Math.floor((from % 3600) / 60);
  const s0 = from % 60;
  for (const h of cron.hours) {
    if (h < h0) continue;
    for (const m of cron.minutes) {
      if (h === h0 && m < m0) continue;
      for (const s of cron.seconds) {
        if (h === h0 && m === m0 && s < s0) continue;
        return h * 3600 + m * 60 + s;
      }
    }
  }
  return null;
}

/** Last matching second of the day at or before `to` (seconds since midnight). */
function lastSecondUpTo(cron: CronMatcher, to: number): number | null {
  const h0 = Math.floor(to / 3600);
  const m0 = Math.floor((to % 3600) / 60);
  const s0 = to % 60;
  for (let hi = cron.hours.length - 1; hi >= 0; hi--) {
    const h = cron.hours[hi];
    if (h > h0) continue;
    for (let mi = cron.minutes.length - 1; mi >= 0; mi--) {
      const m = cron.minutes[mi];
      if (h === h0 && m > m0) continue;
      for (let si = cron.seconds.length - 1; si >= 0; si--) {
        const s = cron.seconds[si];
        if (h === h0 && m === m0 && s > s0) continue;
        return h * 3600 + m * 60 + s;
      }
    }
  }
  return null;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
