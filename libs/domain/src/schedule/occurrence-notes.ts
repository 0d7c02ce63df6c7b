import { CronExpressionParser } from 'cron-parser';
import { nextMatch } from './cron-matcher';
import {
  instantsOfWall,
  isIntervalExpression,
  matcherFor,
} from './cron-occurrences';
import {
  type DstPolicies,
  resolveDstPolicies,
  type ResolvedDstPolicies,
} from './dst-policy';
import {
  nextOccurrenceEvent,
  previousOccurrence,
  upcomingOccurrences,
} from './next-occurrence';
import {
  type CronScheduleSpec,
  isOneShot,
  type ScheduleSpec,
} from './schedule-spec';
import { zoneOffsetMs } from './time-zone';

/**
 * Why an occurrence is where it is, in words, for `POST /schedules/preview`. The
 * occurrences themselves come from `upcomingOccurrences` (the code the scheduler fires
 * with); this module only explains them afterwards, so the preview cannot disagree with
 * what fires. The rules explained are those of cron-occurrences.ts and docs/time.md.
 */
export interface PreviewItem {
  /** ISO instant, UTC with milliseconds. */
  at: string;
  /** Empty unless something about this occurrence needs explaining. */
  notes: string[];
}

/** Wall times listed by name in a gap note before "and N more". */
const MAX_LISTED_WALLS = 4;
/** Skipped occurrences looked for between two items (gaps come at most a few times a year). */
const MAX_SKIPPED_NOTES = 16;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * Up to `count` occurrences at or after `from`, each with its notes. A one-shot has its
 * single `at` (when it is not before `from`). count is 1..100 (ValidationError `count`).
 * `policies` are the schedule's DST policies (defaults when omitted); an occurrence the
 * gap policy `skip` drops is not an item, and the next item says so.
 */
export function previewOccurrences(
  spec: ScheduleSpec,
  from: Date,
  count: number,
  policies?: DstPolicies,
): PreviewItem[] {
  const occurrences = upcomingOccurrences(
    spec,
    new Date(from.getTime() - 1),
    count,
    policies,
  );
  if (isOneShot(spec))
    return occurrences.map((at) => ({ at: at.toISOString(), notes: [] }));
  let previous = occurrences[0]
    ? previousOccurrence(spec, occurrences[0], policies)
    : null;
  return occurrences.map((at) => {
    const notes = [
      ...skippedGapNotes(
        spec,
        new Date(
          Math.max(
            previous?.getTime() ?? Number.NEGATIVE_INFINITY,
            from.getTime() - 1,
          ),
        ),
        at,
        policies,
      ),
      ...cronOccurrenceNotes(spec, at, previous, policies),
    ];
    previous = at;
    return { at: at.toISOString(), notes };
  });
}

/** Notes on one cron occurrence; `previous` is the occurrence before it (null if none). */
export function cronOccurrenceNotes(
  spec: CronScheduleSpec,
  at: Date,
  previous: Date | null,
  policies?: DstPolicies,
): string[] {
  const notes: string[] = [];
  if (spec.timezone !== 'UTC') {
    const dst = isIntervalExpression(spec.expression)
      ? intervalDstNote(spec, at.getTime())
      : fixedDstNote(spec, at.getTime(), resolveDstPolicies(policies));
    if (dst) notes.push(dst);
  }
  if (previous) notes.push(...missingDayNotes(spec, previous, at));
  return notes;
}

/** Occurrences strictly between `after` and `at` that the gap policy `skip` dropped. */
function skippedGapNotes(
  spec: CronScheduleSpec,
  after: Date,
  at: Date,
  policies: DstPolicies | undefined,
): string[] {
  if (resolveDstPolicies(policies).dstGapPolicy !== 'skip') return [];
  if (spec.timezone === 'UTC' || isIntervalExpression(spec.expression))
    return [];
  const notes: string[] = [];
  let cursor = after;
  for (let step = 0; step < MAX_SKIPPED_NOTES; step++) {
    const event = nextOccurrenceEvent(spec, cursor, policies);
    if (event === null || event.at.getTime() >= at.getTime()) break;
    if (event.skipped) {
      const gap = describeGap(spec, event.at.getTime());
      if (gap)
        notes.push(
          `${gap.text}; skipped (dstGapPolicy skip): nothing fires for ${gap.count === 1 ? 'it' : 'them'} (${iso(event.at.getTime())})`,
        );
    }
    cursor = event.at;
  }
  return notes;
}

/** The expression's wall times inside the gap that ends at `endMs`, as the start of a note. */
function describeGap(
  spec: CronScheduleSpec,
  endMs: number,
): { text: string; count: number } | null {
  const zone = spec.timezone;
  const before = zoneOffsetMs(zone, endMs - 1);
  const offset = zoneOffsetMs(zone, endMs);
  if (offset <= before) return null;
  const wall = endMs + offset;
  const matcher = matcherFor(spec.expression);
  const skipped: number[] = [];
  for (
    let w = nextMatch(matcher, endMs + before - 1000);
    w !== null && w < wall;
    w = nextMatch(matcher, w)
  )
    skipped.push(w);
  if (skipped.length === 0) return null;
  const names = skipped.slice(0, MAX_LISTED_WALLS).map(clock);
  const more = skipped.length - names.length;
  const list = names.join(', ') + (more > 0 ? ` and ${more} more` : '');
  const verb = skipped.length === 1 ? 'does' : 'do';
  return {
    text: `${list} ${verb} not exist on ${day(wall)} in ${zone} (clocks jump from ${clock(endMs + before)} to ${clock(wall)})`,
    count: skipped.length,
  };
}

/**
 * Fixed-time mode, by policy: a gap's wall times fire at its end (`shift`), or are
 * skipped (`skip`: said on the next occurrence, or here when the end of the gap fires for
 * a wall time of its own); a repeated wall time fires at its first, its second or both
 * instants.
 */
function fixedDstNote(
  spec: CronScheduleSpec,
  atMs: number,
  policies: ResolvedDstPolicies,
): string | null {
  const zone = spec.timezone;
  const offset = zoneOffsetMs(zone, atMs);
  const wall = atMs + offset;
  const gap = describeGap(spec, atMs);
  if (gap) {
    if (policies.dstGapPolicy === 'skip')
      return `${gap.text}; skipped (dstGapPolicy skip); ${clock(wall)} fires as usual (${iso(atMs)})`;
    return `${gap.text}; fires once at ${clock(wall)} ${offsetName(offset)} (${iso(atMs)})`;
  }
  const instants = instantsOfWall(zone, wall);
  const first = instants.at(0);
  const second = instants.at(1);
  if (first === undefined || second === undefined) return null;
  const firstName = `${offsetName(zoneOffsetMs(zone, first))}, ${iso(first)}`;
  const secondName = `${offsetName(zoneOffsetMs(zone, second))}, ${iso(second)}`;
  const twice = `${clock(wall)} happens twice on ${day(wall)} in ${zone}`;
  switch (policies.dstOverlapPolicy) {
    case 'first':
      return atMs === first
        ? `${twice}; fires once, at the first (${firstName}), not at the second (${secondName})`
        : null;
    case 'second':
      return atMs === second
        ? `${twice}; fires once, at the second (${secondName}), not at the first (${firstName}) (dstOverlapPolicy second)`
        : null;
    case 'twice':
      return atMs === first
        ? `${twice}; fires twice (dstOverlapPolicy twice): this is the first (${firstName}), the other is the second (${secondName})`
        : `${twice}; fires twice (dstOverlapPolicy twice): this is the second (${secondName}), the other is the first (${firstName})`;
  }
}

/** Interval mode: a repeated wall time fires at both of its instants. */
function intervalDstNote(spec: CronScheduleSpec, atMs: number): string | null {
  const zone = spec.timezone;
  const wall = atMs + zoneOffsetMs(zone, atMs);
  const instants = instantsOfWall(zone, wall);
  const first = instants.at(0);
  const second = instants.at(1);
  if (first === undefined || second === undefined) return null;
  const which = atMs === first ? 'first' : 'second';
  const other = atMs === first ? second : first;
  return `${clock(wall)} happens twice on ${day(wall)} in ${zone}; this is the ${which} (${offsetName(zoneOffsetMs(zone, atMs))}); an interval expression fires at both, the other is ${iso(other)}`;
}

/** Days of the month the expression names that some months between the two occurrences lack. */
function missingDayNotes(
  spec: CronScheduleSpec,
  previous: Date,
  at: Date,
): string[] {
  const dom = CronExpressionParser.parse(spec.expression, { tz: 'UTC' }).fields
    .dayOfMonth;
  if (dom.isWildcard) return [];
  const long: number[] = [];
  for (const value of dom.values)
    if (typeof value === 'number' && value > 28) long.push(value);
  long.sort((a, b) => a - b);
  if (long.length === 0) return [];
  const months = matcherFor(spec.expression).months;
  const zone = spec.timezone;
  const from = new Date(
    previous.getTime() + zoneOffsetMs(zone, previous.getTime()),
  );
  const to = new Date(at.getTime() + zoneOffsetMs(zone, at.getTime()));
  const fromKey = dateKey(
    from.getUTCFullYear(),
    from.getUTCMonth() + 1,
    from.getUTCDate(),
  );
  const toKey = dateKey(
    to.getUTCFullYear(),
    to.getUTCMonth() + 1,
    to.getUTCDate(),
  );
  const notes: string[] = [];
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth() + 1;
  while (dateKey(year, month, 1) <= toKey) {
    const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const missing = months[month]
      ? long.filter((d) => {
          const key = dateKey(year, month, d);
          return d > length && key > fromKey && key < toKey;
        })
      : [];
    if (missing.length > 0)
      notes.push(
        `${MONTHS[month - 1] ?? ''} ${year} has no day ${missing.join(' or ')}; nothing fires for it`,
      );
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return notes;
}

function dateKey(year: number, month: number, dayOfMonth: number): number {
  return year * 10_000 + month * 100 + dayOfMonth;
}

/** A wall time (UTC instant with the wall's digits) as HH:MM, or HH:MM:SS when it has seconds. */
function clock(wallMs: number): string {
  const text = new Date(wallMs).toISOString();
  return text.slice(17, 19) === '00' ? text.slice(11, 16) : text.slice(11, 19);
}

function day(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 10);
}

function iso(instantMs: number): string {
  return new Date(instantMs).toISOString();
}

function offsetName(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMs) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${sign}${hh}:${mm}`;
}
