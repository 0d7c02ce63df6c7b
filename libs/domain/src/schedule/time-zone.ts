import { ValidationError } from '../errors';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Validates an IANA time zone name and returns the spelling we store. Only IANA names
 * (and `UTC`) are accepted: a raw offset such as `+05:30` cannot follow daylight saving
 * time, which is the whole point of giving a cron expression a zone.
 */
export function parseTimeZone(input: unknown, field: string): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new ValidationError(
      field,
      'must be an IANA time zone name such as "Europe/Berlin" or "UTC"',
    );
  }
  const name = input.trim();
  if (/^[+\-\u2212]?\d/.test(name) || /^(UTC|GMT)[+-]/i.test(name)) {
    throw new ValidationError(
      field,
      `"${name}" is a raw UTC offset; only IANA time zone names are accepted (e.g. "Asia/Kolkata" instead of "+05:30")`,
    );
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions();
  } catch {
    throw new ValidationError(
      field,
      `unknown time zone "${name}"; expected an IANA name such as "Europe/Berlin" or "UTC"`,
    );
  }
  // Keep the user's spelling, fixing only its case when it matches a known name. (ICU's
  // canonical names are the deprecated ones, e.g. "Asia/Katmandu" for "Asia/Kathmandu".)
  return zoneNamesByLowerCase().get(name.toLowerCase()) ?? name;
}

let zoneNames: Map<string, string> | undefined;

function zoneNamesByLowerCase(): Map<string, string> {
  zoneNames ??= new Map(
    ['UTC', ...Intl.supportedValuesOf('timeZone')].map((zone) => [
      zone.toLowerCase(),
      zone,
    ]),
  );
  return zoneNames;
}

const HOUR_MS = 3_600_000;
const constantHours = new Map<string, number>();
const MAX_CACHED_HOURS = 50_000;

/**
 * The zone's UTC offset in milliseconds at `instantMs` (wall clock minus UTC).
 *
 * Intl takes a few µs per call and the occurrence maths calls this a lot, mostly for
 * instants close to each other; so an hour whose two ends have the same offset is
 * remembered as constant (no zone changes its offset twice within an hour).
 */
export function zoneOffsetMs(timeZone: string, instantMs: number): number {
  if (timeZone === 'UTC') return 0;
  const hourStart = Math.floor(instantMs / HOUR_MS) * HOUR_MS;
  const key = `${timeZone}@${hourStart}`;
  const cached = constantHours.get(key);
  if (cached !== undefined) return cached;
  const atStart = readOffsetMs(timeZone, hourStart);
  const atEnd = readOffsetMs(timeZone, hourStart + HOUR_MS - 1000);
  if (atStart !== atEnd) return readOffsetMs(timeZone, instantMs);
  if (constantHours.size >= MAX_CACHED_HOURS) constantHours.clear();
  constantHours.set(key, atStart);
  return atStart;
}

/**
 * The offset at one instant read straight from Intl, without the hour cache: cheaper (one
 * read instead of two) for a search that visits each instant once, such as the daily
 * probes looking for the next offset change.
 */
export function readZoneOffsetMs(timeZone: string, instantMs: number): number {
  return timeZone === 'UTC' ? 0 : readOffsetMs(timeZone, instantMs);
}

function readOffsetMs(timeZone: string, instantMs: number): number {
  const seconds = Math.floor(instantMs / 1000) * 1000;
  const parts = formatterFor(timeZone).formatToParts(new Date(seconds));
  const value = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((part) => part.type === type)?.value ?? 0);
  const wallMs = Date.UTC(
    value('year'),
    value('month') - 1,
    value('day'),
    value('hour'),
    value('minute'),
    value('second'),
  );
  return wallMs - seconds;
}
