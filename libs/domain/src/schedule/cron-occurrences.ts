import {
  compileCron,
  type CronMatcher,
  nextMatch,
  previousMatch,
} from './cron-matcher';
import {
  type DstPolicies,
  resolveDstPolicies,
  type ResolvedDstPolicies,
} from './dst-policy';
import { readZoneOffsetMs, zoneOffsetMs } from './time-zone';

/**
 * Occurrences of a cron expression in a time zone, with daylight saving time handled
 * here rather than by cron-parser (whose gap handling shifts `30 2 * * *` to 03:30).
 *
 * Calendar matching happens on "wall clock" times in cron-matcher.ts (a wall time is
 * represented as the UTC instant with the same digits); this module maps wall times to
 * real instants. Two modes, as in Vixie cron:
 *
 * - Fixed-time expressions (the hour field does not start with `*`), e.g. `30 2 * * *`:
 *   an occurrence is a wall time, and the schedule's DST policies (dst-policy.ts) say what
 *   happens to one that does not exist or happens twice. By default a wall time inside a
 *   spring-forward gap fires once, at the first instant after the gap (`shift`); an
 *   ambiguous wall time in a fall-back overlap fires once, at its first (daylight-time)
 *   instant (`first`).
 * - Interval expressions (the hour field starts with `*`), e.g. `*\/5 * * * *`: an
 *   occurrence is an instant whose wall time matches. Skipped wall times are skipped and
 *   repeated ones fire again, so the interval in real time is kept. DST policies do
 *   not apply.
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

/** Why an occurrence did not fire, for the ledger (the skip reason of execution/skip-reason.ts). */
export type CronSkipReason = 'dst_policy';

/** An occurrence: one that fires, or one a DST policy skipped (`skipped` set). */
export interface CronEvent {
  at: Date;
  skipped?: CronSkipReason;
}

interface RawEvent {
  at: number;
  skipped?: CronSkipReason;
}

/** First occurrence that fires strictly after `after`, or null if there is none. */
export function nextCronOccurrence(
  expression: string,
  timeZone: string,
  after: Date,
  policies?: DstPolicies,
): Date | null {
  const resolved = resolveDstPolicies(policies);
  let afterMs = after.getTime();
  for (let step = 0; step < MAX_STEPS; step++) {
    const event = nextEventMs(expression, timeZone, afterMs, resolved);
    if (event === null) return null;
    if (!event.skipped) return new Date(event.at);
    afterMs = event.at;
  }
  return null;
}

/**
 * First occurrence strictly after `after`, including one the DST gap policy `skip`
 * skipped (then `skipped: 'dst_policy'`), or null if there is none.
 */
export function nextCronEvent(
  expression: string,
  timeZone: string,
  after: Date,
  policies?: DstPolicies,
): CronEvent | null {
  const event = nextEventMs(
    expression,
    timeZone,
    after.getTime(),
    resolveDstPolicies(policies),
  );
  if (event === null) return null;
  return event.skipped
    ? { at: new Date(event.at), skipped: event.skipped }
    : { at: new Date(event.at) };
}

/** Last occurrence that fires strictly before `before`, or null if there is none. */
export function previousCronOccurrence(
  expression: string,
  timeZone: string,
  before: Date,
  policies?: DstPolicies,
): Date | null {
  const resolved = resolveDstPolicies(policies);
  let beforeMs = before.getTime();
  for (let step = 0; step < MAX_STEPS; step++) {
    const event =
      timeZone === 'UTC'
        ? wallEvent(previousWall(expression, beforeMs))
        : isIntervalExpression(expression)
          ? wallEvent(previousInterval(expression, timeZone, beforeMs))
          : previousFixed(expression, timeZone, beforeMs, resolved);
    if (event === null) return null;
    if (!event.skipped) return new Date(event.at);
    beforeMs = event.at;
  }
  return null;
}

function nextEventMs(
  expression: string,
  timeZone: string,
  afterMs: number,
  policies: ResolvedDstPolicies,
): RawEvent | null {
  if (timeZone === 'UTC') return wallEvent(nextWall(expression, afterMs));
  if (isIntervalExpression(expression))
    return wallEvent(nextInterval(expression, timeZone, afterMs));
  return nextFixed(expression, timeZone, afterMs, policies);
}

function wallEvent(at: number | null): RawEvent | null {
  return at === null ? null : { at };
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

// Fixed-time mode: each matching wall time maps to its instants under the DST policies
// (eventsOfWall: one, or two for `twice`), and that mapping never goes backwards as wall
// time goes forwards within one pass of the clock. So the answer is the first matching
// wall time from the right starting point: normally the wall time of `after`; inside an
// overlap, depending on which pass `after` is in and on the overlap policy, the start or
// the end of the overlap (see docs/time.md).

function nextFixed(
  expression: string,
  zone: string,
  afterMs: number,
  policies: ResolvedDstPolicies,
): RawEvent | null {
  let wall = afterMs + zoneOffsetMs(zone, afterMs);
  const overlap = overlapAround(zone, afterMs);
  if (overlap) {
    const policy = policies.dstOverlapPolicy;
    if (overlap.inFirstPass && policy !== 'first') {
      // Wall times of the overlap before `after`'s still have their second instant ahead.
      if (policy === 'twice') {
        const next = nextWall(expression, wall);
        if (next === null) return null;
        const first = instantsOfWall(zone, next).at(0);
        if (next < overlap.endWall && first !== undefined) return { at: first };
      }
      wall = overlap.startWall - 1000;
    } else if (!overlap.inFirstPass && policy === 'first') {
      // Every wall time up to the end of the overlap fired in the first pass.
      wall = overlap.endWall - 1000;
    }
  }
  for (let step = 0; step < MAX_STEPS; step++) {
    const next = nextWall(expression, wall);
    if (next === null) return null;
    const event = eventsOfWall(expression, zone, next, policies).find(
      (candidate) => candidate.at > afterMs,
    );
    if (event) return event;
    wall = next;
  }
  return null;
}

function previousFixed(
  expression: string,
  zone: string,
  beforeMs: number,
  policies: ResolvedDstPolicies,
): RawEvent | null {
  const lastMs = beforeMs - 1;
  // previousWall looks strictly before its argument: wall times up to lastMs's.
  let wall = lastMs + zoneOffsetMs(zone, lastMs) + 1;
  const overlap = overlapAround(zone, lastMs);
  if (overlap) {
    const policy = policies.dstOverlapPolicy;
    if (overlap.inFirstPass && policy === 'second') {
      // The overlap's wall times fire in the second pass, after `before`.
      wall = overlap.startWall;
    } else if (!overlap.inFirstPass && policy === 'first') {
      // All of the overlap's wall times fired in the first pass, before `before`.
      wall = overlap.endWall;
    } else if (!overlap.inFirstPass && policy === 'twice') {
      const previous = previousWall(expression, wall);
      if (previous === null) return null;
      if (previous < overlap.startWall) {
        // None in the second pass so far: the latest first-pass instant comes next.
        const inOverlap = previousWall(expression, overlap.endWall);
        const first =
          inOverlap === null
            ? undefined
            : instantsOfWall(zone, inOverlap).at(0);
        if (
          inOverlap !== null &&
          inOverlap >= overlap.startWall &&
          first !== undefined
        )
          return { at: first };
      }
    }
  }
  for (let step = 0; step < MAX_STEPS; step++) {
    const previous = previousWall(expression, wall);
    if (previous === null) return null;
    const event = eventsOfWall(expression, zone, previous, policies)
      .filter((candidate) => candidate.at < beforeMs)
      .at(-1);
    if (event) return event;
    wall = previous;
  }
  return null;
}

interface Overlap {
  /** First and last-plus-one wall times that happen twice. */
  startWall: number;
  endWall: number;
  inFirstPass: boolean;
}

/** The fall-back overlap `instantMs` lies in (either pass), or null. */
function overlapAround(zone: string, instantMs: number): Overlap | null {
  const instants = instantsOfWall(
    zone,
    instantMs + zoneOffsetMs(zone, instantMs),
  );
  const first = instants.at(0);
  const second = instants.at(1);
  if (first === undefined || second === undefined) return null;
  const before = zoneOffsetMs(zone, first);
  const change = firstOffsetChange(zone, first, second, before) ?? second;
  return {
    startWall: change + zoneOffsetMs(zone, change),
    endWall: change + before,
    inFirstPass: instantMs < change,
  };
}

/**
 * The instants a matching wall time fires at, ascending: its one instant; in an overlap
 * the first, the second or both; in a gap the first instant after the gap, fired
 * (`shift`) or skipped (`skip`, unless the wall time at the end of the gap matches too
 * and fires there anyway).
 */
function eventsOfWall(
  expression: string,
  zone: string,
  wallMs: number,
  policies: ResolvedDstPolicies,
): RawEvent[] {
  const instants = instantsOfWall(zone, wallMs);
  const first = instants.at(0);
  const second = instants.at(1);
  if (first !== undefined && second !== undefined) {
    switch (policies.dstOverlapPolicy) {
      case 'first':
        return [{ at: first }];
      case 'second':
        return [{ at: second }];
      case 'twice':
        return [{ at: first }, { at: second }];
    }
  }
  if (first !== undefined) return [{ at: first }];
  const end = gapEnd(zone, wallMs);
  if (policies.dstGapPolicy === 'shift') return [{ at: end }];
  const endWall = end + zoneOffsetMs(zone, end);
  return nextWall(expression, endWall - 1000) === endWall
    ? [{ at: end }]
    : [{ at: end, skipped: 'dst_policy' }];
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

/** The first instant after the gap that `wallMs` (a wall time that does not exist) falls in. */
export function gapEnd(zone: string, wallMs: number): number {
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
    if (readZoneOffsetMs(zone, probe) !== offset) {
      high = probe;
      break;
    }
    low = probe;
    if (probe >= toMs) return null;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (readZoneOffsetMs(zone, middle) === offset) low = middle;
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
    if (readZoneOffsetMs(zone, probe) !== offset) {
      low = probe;
      break;
    }
    high = probe;
    if (probe <= fromMs) return null;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (readZoneOffsetMs(zone, middle) === offset) high = middle;
    else low = middle;
  }
  return high;
}
