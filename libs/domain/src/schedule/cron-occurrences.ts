import {
  compileCron,
  type CronMatcher,
  nextMatch,
  previousMatch,
} from './cron-matcher';
import { zoneOffsetMs } from './time-zone';

/**
 * Occurrences of a cron expression in a time zone, with daylight saving time handled
 * here rather than by cron-parser (whose gap handling shifts `30 2 * * *` to 03:30).
 *
 * Calendar matching happens on "wall clock" times in cron-matcher.ts (a wall time is
 * represented as the UTC instant with the same digits); this module maps wall times to
 * real instants. Two modes, as in Vixie cron:
 *
 * - Fixed-time expressions (the hour field does not start with `*`), e.g. `30 2 * * *`:
 *   an occurrence is a wall time. A wall time inside a spring-forward gap fires once, at
 *   the first instant after the gap; an ambiguous wall time in a fall-back overlap fires
 *   once, at its first (daylight-time) instant.
 * - Interval expressions (the hour field starts with `*`), e.g. `*\/5 * * * *`: an
 *   occurrence is an instant whose wall time matches. Skipped wall times are skipped and
 *   repeated ones fire again, so the interval in real time is kept.
 *
 * See docs/time.md for examples.
 */

const DAY_MS = 86_400_000;
/** Offsets are between -12 h and +14 h, so a wall time's instant is within this of it. */
const MAX_OFFSET_MS = 15 * 3_600_000;
/** Each step crosses at least one offset change; zones have a few per year. */
const MAX_STEPS = 64;

const compiled = new Map<string, CronMatcher>();
const MAX_CACHED = 10_000;

/** Compiling parses with cron-parser (~0.3 ms), so compiled expressions are cached. */
export function matcherFor(expression: string): CronMatcher {
  let cron = compiled.get(expression);
  if (!cron) {
    cron = compileCron(expression);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(expression, cron);
  }
  return cron;
}

function nextWall(expression: string, afterWallMs: number): number | null {
  return nextMatch(matcherFor(expression), afterWallMs);
}

function previousWall(expression: string, beforeWallMs: number): number | null {
  return previousMatch(matcherFor(expression), beforeWallMs);
}

/** True when the hour field starts with `*`: the expression describes an interval. */
export function isIntervalExpression(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  const hour = fields.at(fields.length === 6 ? 2 : 1);
  return hour?.startsWith('*') ?? false;
}

/** First occurrence strictly after `after`, or null if there is none. */
export function nextCronOccurrence(
  expression: string,
  timeZone: string,
  after: Date,
): Date | null {
  const afterMs = after.getTime();
  const result =
    timeZone === 'UTC'
      ? nextWall(expression, afterMs)
      : isIntervalExpression(expression)
        ? nextInterval(expression, timeZone, afterMs)
        : nextFixed(expression, timeZone, afterMs);
  return result === null ? null : new Date(result);
}

/** Last occurrence strictly before `before`, or null if there is none. */
export function previousCronOccurrence(
  expression: string,
  timeZone: string,
  before: Date,
): Date | null {
  const beforeMs = before.getTime();
  const result =
    timeZone === 'UTC'
      ? previousWall(expression, beforeMs)
      : isIntervalExpression(expression)
        ? previousInterval(expression, timeZone, beforeMs)
        : previousFixed(expression, timeZone, beforeMs);
  return result === null ? null : new Date(result);
}

// Interval mode: inside a stretch of constant offset, instants and wall times differ by
// that offset, so cron-parser's UTC answer shifted by the offset is right until the next
// offset change; past a change, start over with the new offset.

function nextInterval(
  expression: string,
  zone: string,
  afterMs: number,
): number | null {
  let cursor = afterMs;
  let offset = zoneOffsetMs(zone, cursor);
  for (let step = 0; step < MAX_STEPS; step++) {
    const wall = nextWall(expression, cursor + offset);
    if (wall === null) return null;
    const candidate = wall - offset;
    const change = firstOffsetChange(zone, cursor, candidate, offset);
    if (change === null) return candidate;
    cursor = change - 1;
    offset = zoneOffsetMs(zone, change);
  }
  return null;
}

function previousInterval(
  expression: string,
  zone: string,
  beforeMs: number,
): number | null {
  let cursor = beforeMs;
  let offset = zoneOffsetMs(zone, cursor - 1);
  for (let step = 0; step < MAX_STEPS; step++) {
    const wall = previousWall(expression, cursor + offset);
    if (wall === null) return null;
    const candidate = wall - offset;
    const change = lastOffsetChange(zone, candidate, cursor, offset);
    if (change === null) return candidate;
    cursor = change;
    offset = zoneOffsetMs(zone, change - 1);
  }
  return null;
}

// Fixed-time mode: each matching wall time maps to one instant (its first one, or the
// end of the gap it falls in), and that mapping never goes backwards as wall time goes
// forwards, so the first wall time that maps after `after` is the answer.

function nextFixed(
  expression: string,
  zone: string,
  afterMs: number,
): number | null {
  let wall = afterMs + zoneOffsetMs(zone, afterMs);
  for (let step = 0; step < MAX_STEPS; step++) {
    const next = nextWall(expression, wall);
    if (next === null) return null;
    const instant = instantOfWall(zone, next);
    if (instant > afterMs) return instant;
    // `next` is a repeated wall time whose first instant has passed: `after` lies in the
    // second pass of a fall-back overlap. Every wall time up to the end of the overlap
    // maps into the first pass, so continue from there.
    const change = firstOffsetChange(
      zone,
      instant,
      afterMs,
      zoneOffsetMs(zone, instant),
    );
    wall = change === null ? next : change + zoneOffsetMs(zone, instant) - 1;
  }
  return null;
}

function previousFixed(
  expression: string,
  zone: string,
  beforeMs: number,
): number | null {
  let wall = beforeMs + zoneOffsetMs(zone, beforeMs);
  const first = instantsOfWall(zone, wall).at(0);
  if (first !== undefined && first < beforeMs) {
    // `before` is in the second pass of an overlap: wall times up to the end of the
    // overlap map to first-pass instants, which are all earlier than `before`.
    const change = firstOffsetChange(
      zone,
      first,
      beforeMs,
      zoneOffsetMs(zone, first),
    );
    if (change !== null) wall = change + zoneOffsetMs(zone, first);
  }
  for (let step = 0; step < MAX_STEPS; step++) {
    const previous = previousWall(expression, wall);
    if (previous === null) return null;
    const instant = instantOfWall(zone, previous);
    if (instant < beforeMs) return instant;
    // `previous` is in the gap that ends at `before`: continue from the gap's start.
    wall = instant + zoneOffsetMs(zone, instant - 1);
  }
  return null;
}

/** Every instant whose wall time in `zone` is `wallMs`: none (gap), one, or two (overlap), ascending. */
export function instantsOfWall(zone: string, wallMs: number): number[] {
  const offsets = new Set([
    zoneOffsetMs(zone, wallMs - MAX_OFFSET_MS),
    zoneOffsetMs(zone, wallMs + MAX_OFFSET_MS),
  ]);
  const instants: number[] = [];
  for (const offset of offsets) {
    const candidate = wallMs - offset;
    if (zoneOffsetMs(zone, candidate) === offset) instants.push(candidate);
  }
  return instants.sort((a, b) => a - b);
}

/** The instant a fixed wall time fires at: its first instant, or the end of the gap it falls in. */
function instantOfWall(zone: string, wallMs: number): number {
  const first = instantsOfWall(zone, wallMs).at(0);
  if (first !== undefined) return first;
  const before = zoneOffsetMs(zone, wallMs - MAX_OFFSET_MS);
  const after = zoneOffsetMs(zone, wallMs + MAX_OFFSET_MS);
  // In a gap the offset grew: read with the new offset the wall time lies before the
  // change, read with the old one after it. The change itself is the first instant after the gap.
  return (
    firstOffsetChange(zone, wallMs - after, wallMs - before, before) ??
    wallMs - before
  );
}

/**
 * First instant in (fromMs, toMs] whose offset differs from `offset` (the offset at
 * fromMs), or null. Offsets are sampled daily, which finds every change because no zone
 * changes its offset twice within a day.
 */
function firstOffsetChange(
  zone: string,
  fromMs: number,
  toMs: number,
  offset: number,
): number | null {
  let low = fromMs;
  let high: number | null = null;
  for (
    let probe = Math.min(fromMs + DAY_MS, toMs);
    ;
    probe = Math.min(probe + DAY_MS, toMs)
  ) {
    if (zoneOffsetMs(zone, probe) !== offset) {
      high = probe;
      break;
    }
    low = probe;
    if (probe >= toMs) return null;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zoneOffsetMs(zone, middle) === offset) low = middle;
    else high = middle;
  }
  return high;
}

/**
 * The start of the stretch ending at toMs in which the offset is `offset` (the offset
 * just before toMs), if that stretch starts after fromMs; otherwise null.
 */
function lastOffsetChange(
  zone: string,
  fromMs: number,
  toMs: number,
  offset: number,
): number | null {
  let high = toMs - 1;
  let low: number | null = null;
  for (
    let probe = Math.max(high - DAY_MS, fromMs);
    ;
    probe = Math.max(probe - DAY_MS, fromMs)
  ) {
    if (zoneOffsetMs(zone, probe) !== offset) {
      low = probe;
      break;
    }
    high = probe;
    if (probe <= fromMs) return null;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zoneOffsetMs(zone, middle) === offset) high = middle;
    else low = middle;
  }
  return high;
}
