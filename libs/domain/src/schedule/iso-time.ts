import { ValidationError } from '../errors';

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * Parses an ISO-8601 / RFC 3339 date-time that carries a UTC offset or `Z`. A local
 * time without an offset is rejected: the server cannot know which zone the client
 * meant. Fractions below a millisecond are truncated (JS dates have millisecond
 * precision, and so do our comparisons).
 */
export function parseIsoInstant(input: unknown, field: string): Date {
  if (typeof input !== 'string') {
    throw new ValidationError(
      field,
      'must be an ISO-8601 date-time string with an offset, e.g. "2030-01-01T09:00:00+01:00"',
    );
  }
  const match = DATE_TIME.exec(input.trim());
  if (!match) {
    throw new ValidationError(
      field,
      `"${input}" is not an ISO-8601 date-time; expected e.g. "2030-01-01T09:00:00+01:00" or "2030-01-01T08:00:00Z"`,
    );
  }
  const [, y, mo, d, h, mi, s = '0', fraction = '0', zulu, sign, offH, offM] =
    match;
  if (!zulu && !sign) {
    throw new ValidationError(
      field,
      `"${input}" has no UTC offset; add "Z" or an offset such as "+01:00" (local times are ambiguous)`,
    );
  }
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(
    Number,
  ) as [number, number, number, number, number, number];
  if (month < 1 || month > 12)
    throw new ValidationError(
      field,
      `"${input}" has month ${month}; expected 01-12`,
    );
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) {
    throw new ValidationError(
      field,
      `"${input}" has day ${day}, but ${year}-${mo} has ${daysInMonth} days`,
    );
  }
  if (hour > 23)
    throw new ValidationError(
      field,
      `"${input}" has hour ${hour}; expected 00-23`,
    );
  if (minute > 59)
    throw new ValidationError(
      field,
      `"${input}" has minute ${minute}; expected 00-59`,
    );
  if (second > 59)
    throw new ValidationError(
      field,
      `"${input}" has second ${second}; expected 00-59 (leap seconds are not supported)`,
    );
  let offsetMinutes = 0;
  if (sign) {
    const oh = Number(offH);
    const om = Number(offM);
    if (oh > 23 || om > 59)
      throw new ValidationError(
        field,
        `"${input}" has an invalid UTC offset ${sign}${offH}:${offM}`,
      );
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc =
    Date.UTC(year, month - 1, day, hour, minute, second, millis) -
    offsetMinutes * 60_000;
  // Date.UTC maps years 0-99 to 1900-1999; such dates are far in the past anyway.
  return new Date(utc);
}

const DURATION =
  /^P(?!$)(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?!$)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i;

const UNIT_MS = {
  W: 604_800_000,
  D: 86_400_000,
  H: 3_600_000,
  M: 60_000,
  S: 1000,
} as const;

/**
 * Parses an ISO-8601 duration into milliseconds. Weeks, days, hours, minutes and seconds
 * are supported, with a decimal fraction on any of them (`PT1.5S`, `PT0.5H`). Years and
 * months are rejected because their length varies; a day is always 24 hours (a delay is
 * elapsed time, not wall-clock arithmetic).
 */
export function parseIsoDuration(input: unknown, field: string): number {
  if (typeof input !== 'string') {
    throw new ValidationError(
      field,
      'must be an ISO-8601 duration string, e.g. "PT90S" or "P1DT2H"',
    );
  }
  const text = input.trim();
  if (/^-/.test(text))
    throw new ValidationError(
      field,
      `"${input}" is negative; a delay must be positive`,
    );
  const match = DURATION.exec(text);
  if (!match) {
    throw new ValidationError(
      field,
      `"${input}" is not an ISO-8601 duration; expected e.g. "PT90S", "PT1.5S" or "P1DT2H"`,
    );
  }
  // Groups that did not take part in the match are undefined (the array type hides it).
  const groups: (string | undefined)[] = match;
  const [, years, months, weeks, days, hours, minutes, seconds] = groups;
  if (years !== undefined || months !== undefined) {
    throw new ValidationError(
      field,
      `"${input}" uses years or months, whose length varies; use days instead (e.g. "P30D")`,
    );
  }
  const parts: [string | undefined, number][] = [
    [weeks, UNIT_MS.W],
    [days, UNIT_MS.D],
    [hours, UNIT_MS.H],
    [minutes, UNIT_MS.M],
    [seconds, UNIT_MS.S],
  ];
  let total = 0;
  for (const [value, unitMs] of parts) {
    if (value !== undefined) total += Number(value.replace(',', '.')) * unitMs;
  }
  return Math.round(total);
}
