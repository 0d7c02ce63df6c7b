import { Cron } from 'croner';
import fc from 'fast-check';
import { parseCronExpression } from './cron-expression';
import type { DstGapPolicy, DstOverlapPolicy } from './dst-policy';
import {
  nextOccurrence,
  nextOccurrenceEvent,
  previousOccurrence,
} from './next-occurrence';
import type { CronScheduleSpec } from './schedule-spec';

/**
 * The occurrence maths against an independent engine: croner 11, used here only, as an
 * oracle. Random 5- and 6-field expressions (lists, ranges, steps, names, L, #, ?) × the
 * zones below × instants from 1970 to 2100: our next occurrence after the instant must be
 * croner's, except where our DST rules differ from croner's by design (docs/time.md,
 * "The property test"). Those cases are classified (gap / overlap), and both answers are
 * checked against a reference computed from first principles: wall times matched by
 * croner in UTC, mapped to instants with offsets read from Intl (`longOffset`, not the
 * code under test). Each DST policy then gets a property of its own near real offset
 * changes. Seeded: a failure prints the counterexample and the seed to replay it.
 */

const SEED = 20261202;

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'Europe/London',
  'Europe/Lisbon',
  'Europe/Moscow',
  'Europe/Chisinau',
  'America/New_York',
  'America/Los_Angeles',
  'America/St_Johns',
  'America/Sao_Paulo',
  'America/Santiago',
  'America/Havana',
  'America/Asuncion',
  'America/Caracas',
  'America/Nuuk',
  'Australia/Lord_Howe',
  'Australia/Sydney',
  'Australia/Adelaide',
  'Australia/Eucla',
  'Asia/Kathmandu',
  'Asia/Kolkata',
  'Asia/Tehran',
  'Asia/Beirut',
  'Asia/Pyongyang',
  'Asia/Colombo',
  'Asia/Tokyo',
  'Pacific/Chatham',
  'Pacific/Auckland',
  'Pacific/Apia',
  'Pacific/Kiritimati',
  'Pacific/Marquesas',
  'Africa/Casablanca',
  'Africa/Cairo',
  'Antarctica/Troll',
] as const;

const FROM_MS = Date.UTC(1970, 0, 1);
const TO_MS = Date.UTC(2100, 0, 1);
const SECOND = 1000;
const HOUR = 3_600_000;
/** Offsets are within -12 h..+14 h, so the instants of a wall time are within this of it. */
const SPAN = 15 * HOUR;

// --- Offsets and transitions, read from Intl independently of time-zone.ts ---

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function offsetMs(zone: string, instantMs: number): number {
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      timeZoneName: 'longOffset',
    });
    offsetFormats.set(zone, format);
  }
  const name =
    format
      .formatToParts(new Date(instantMs))
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}

interface Transition {
  zone: string;
  atMs: number;
  before: number;
  after: number;
}

const transitionCache = new Map<string, Transition[]>();

/** Every offset change of `zone` from 1970 to 2100 (sampled weekly, then bisected to the second). */
function transitionsOf(zone: string): Transition[] {
  const cached = transitionCache.get(zone);
  if (cached) return cached;
  const found: Transition[] = [];
  const week = 7 * 24 * HOUR;
  let previous = offsetMs(zone, FROM_MS);
  for (let probe = FROM_MS + week; probe <= TO_MS; probe += week) {
    const offset = offsetMs(zone, probe);
    if (offset === previous) continue;
    let low = probe - week;
    let high = probe;
    while (high - low > SECOND) {
      const middle = low + Math.floor((high - low) / 2 / SECOND) * SECOND;
      if (offsetMs(zone, middle) === previous) low = middle;
      else high = middle;
    }
    found.push({ zone, atMs: high, before: previous, after: offset });
    previous = offset;
  }
  transitionCache.set(zone, found);
  return found;
}

// --- The reference: matching wall times (croner in UTC) mapped to instants ---

type WallKind = 'normal' | 'gap' | 'overlap';

interface Semantics {
  /** interval: every instant of a matching wall time fires; fixed: the policies apply. */
  mode: 'interval' | 'fixed';
  gap: DstGapPolicy;
  overlap: DstOverlapPolicy;
  /** croner's fixed-time rule: a gap's wall time fires after the gap only on the same day. */
  sameDayOnly?: boolean;
}

interface ReferenceEvent {
  at: number;
  kind: WallKind;
  skipped?: true;
}

const wallMatchers = new Map<string, Cron>();

function wallMatcher(expression: string): Cron {
  let cron = wallMatchers.get(expression);
  if (!cron) {
    cron = new Cron(expression, {
      utcOffset: 0,
      paused: true,
      sloppyRanges: true,
    });
    if (wallMatchers.size > 5000) wallMatchers.clear();
    wallMatchers.set(expression, cron);
  }
  return cron;
}

function instantsOf(zone: string, wallMs: number): number[] {
  const offsets = new Set([
    offsetMs(zone, wallMs - SPAN),
    offsetMs(zone, wallMs + SPAN),
  ]);
  return [...offsets]
    .map((offset) => wallMs - offset)
    .filter((instant) => instant + offsetMs(zone, instant) === wallMs)
    .sort((a, b) => a - b);
}

/** The first instant whose wall time is past `wallMs` (a wall time inside a gap). */
function firstInstantAfter(zone: string, wallMs: number): number {
  let low = wallMs - SPAN;
  let high = wallMs + SPAN;
  while (high - low > SECOND) {
    const middle = low + Math.floor((high - low) / 2 / SECOND) * SECOND;
    if (middle + offsetMs(zone, middle) > wallMs) high = middle;
    else low = middle;
  }
  return high;
}

function eventsOf(
  expression: string,
  zone: string,
  wallMs: number,
  semantics: Semantics,
): ReferenceEvent[] {
  const instants = instantsOf(zone, wallMs);
  if (instants.length === 2) {
    const [first = 0, second = 0] = instants;
    if (semantics.mode === 'interval' || semantics.overlap === 'twice')
      return [
        { at: first, kind: 'overlap' },
        { at: second, kind: 'overlap' },
      ];
    return [
      { at: semantics.overlap === 'first' ? first : second, kind: 'overlap' },
    ];
  }
  if (instants.length === 1) return [{ at: instants[0] ?? 0, kind: 'normal' }];
  if (semantics.mode === 'interval') return [];
  const end = firstInstantAfter(zone, wallMs);
  const endWall = end + offsetMs(zone, end);
  if (
    semantics.sameDayOnly &&
    Math.floor(endWall / 86_400_000) !== Math.floor(wallMs / 86_400_000)
  )
    return [];
  if (semantics.gap === 'shift') return [{ at: end, kind: 'gap' }];
  return wallMatcher(expression).match(new Date(endWall))
    ? [{ at: end, kind: 'gap' }]
    : [{ at: end, kind: 'gap', skipped: true }];
}

/** The first event strictly after `afterMs` under `semantics`, by enumerating wall times. */
function referenceNext(
  expression: string,
  zone: string,
  afterMs: number,
  semantics: Semantics,
): ReferenceEvent | null {
  const matcher = wallMatcher(expression);
  let wall =
    afterMs +
    Math.min(offsetMs(zone, afterMs), offsetMs(zone, afterMs + 3 * HOUR)) -
    SECOND;
  let best: ReferenceEvent | null = null;
  for (;;) {
    const next = matcher.nextRun(new Date(wall));
    if (next === null) return best;
    wall = next.getTime();
    const highest = Math.max(
      offsetMs(zone, wall - SPAN),
      offsetMs(zone, wall + SPAN),
    );
    // No later wall time has an instant before this one's lowest possible instant.
    if (best !== null && wall - highest > best.at) return best;
    for (const event of eventsOf(expression, zone, wall, semantics)) {
      if (event.at <= afterMs) continue;
      if (
        best === null ||
        event.at < best.at ||
        (event.at === best.at && best.skipped && !event.skipped)
      )
        best = event;
    }
  }
}

/** Our documented rule: the hour field decides (docs/time.md). */
function ourSemantics(
  expression: string,
  gap: DstGapPolicy = 'shift',
  overlap: DstOverlapPolicy = 'first',
): Semantics {
  const fields = expression.split(' ');
  const hour = fields[fields.length === 6 ? 2 : 1] ?? '';
  return { mode: hour.startsWith('*') ? 'interval' : 'fixed', gap, overlap };
}

/** croner's documented rule: fixed-time only with one value in each of second, minute, hour. */
function cronerSemantics(expression: string): Semantics {
  const fields = expression.split(' ');
  const timeFields =
    fields.length === 6 ? fields.slice(0, 3) : fields.slice(0, 2);
  const fixed = timeFields.every((field) => /^\d+$/.test(field));
  return {
    mode: fixed ? 'fixed' : 'interval',
    gap: 'shift',
    overlap: 'first',
    sameDayOnly: true,
  };
}

// --- Generators ---

const MONTH_NAMES = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * `prefixSteps`: `a/n` means `a-max/n`; not in day-of-week, where max is 7 (Sunday) for
 * us and cron-parser but 6 for croner (documented in docs/time.md).
 */
function numericField(
  min: number,
  max: number,
  prefixSteps = true,
  steps = true,
): fc.Arbitrary<string> {
  const value = fc.integer({ min, max });
  const pair = fc
    .tuple(value, value)
    .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
  const step = fc.integer({
    min: 1,
    max: Math.max(1, Math.ceil((max - min) / 2)),
  });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('*') },
    { weight: 3, arbitrary: value.map(String) },
    {
      weight: 2,
      arbitrary: fc
        .uniqueArray(value, { minLength: 2, maxLength: 4 })
        .map((values) => values.join(',')),
    },
    { weight: 2, arbitrary: pair.map(([a, b]) => `${a}-${b}`) },
    { weight: steps ? 2 : 0, arbitrary: step.map((n) => `*/${n}`) },
    {
      weight: steps ? 1 : 0,
      arbitrary: fc.tuple(pair, step).map(([[a, b], n]) => `${a}-${b}/${n}`),
    },
    {
      weight: prefixSteps && steps ? 1 : 0,
      arbitrary: fc.tuple(value, step).map(([a, n]) => `${a}/${n}`),
    },
  );
}

const secondField = numericField(0, 59);
const minuteField = numericField(0, 59);
const hourField = numericField(0, 23);
const dayOfMonthField = fc.oneof(
  { weight: 6, arbitrary: numericField(1, 31) },
  { weight: 1, arbitrary: fc.constant('L') },
  { weight: 1, arbitrary: fc.constant('?') },
);
const monthField = fc.oneof(
  { weight: 6, arbitrary: numericField(1, 12) },
  { weight: 1, arbitrary: fc.constantFrom(...MONTH_NAMES) },
  {
    weight: 1,
    arbitrary: fc
      .uniqueArray(fc.integer({ min: 0, max: 11 }), {
        minLength: 2,
        maxLength: 3,
      })
      .map((months) => months.map((m) => MONTH_NAMES[m]).join(',')),
  },
);
const dayOfWeekField = fc.oneof(
  { weight: 6, arbitrary: numericField(0, 6, false) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...DAY_NAMES, 'MON-FRI', 'SAT,SUN', '7'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }).map((d) => `${d}L`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 4 }))
      .map(([d, n]) => `${d}#${n}`),
  },
  { weight: 1, arbitrary: fc.constant('?') },
);

const fiveFields = fc
  .tuple(minuteField, hourField, dayOfMonthField, monthField, dayOfWeekField)
  .map((fields) => fields.join(' '));
const sixFields = fc
  .tuple(
    secondField,
    minuteField,
    hourField,
    dayOfMonthField,
    monthField,
    dayOfWeekField,
  )
  .map((fields) => fields.join(' '));

const zone = fc.constantFrom(...ZONES);
const instant = fc.integer({ min: FROM_MS, max: TO_MS });

/** An instant within a few hours of one of the zone's offset changes (or any, for UTC). */
function nearTransition(zoneName: string): fc.Arbitrary<number> {
  const transitions = transitionsOf(zoneName);
  if (transitions.length === 0) return instant;
  return fc
    .tuple(
      fc.integer({ min: 0, max: transitions.length - 1 }),
      fc.integer({ min: -26 * HOUR, max: 3 * HOUR }),
    )
    .map(([index, delta]) => (transitions[index]?.atMs ?? FROM_MS) + delta);
}

/** Expressions our validation accepts (it refuses ones that cannot fire within 8 years). */
function isAccepted(expression: string, afterMs: number): boolean {
  try {
    parseCronExpression(expression, new Date(afterMs), 'expression');
    return true;
  } catch {
    return false;
  }
}

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

// --- The comparison with croner ---

/**
 * Instants per fast-check run. Compiling an expression (cron-parser) and building a croner
 * job cost far more than one comparison, so each run checks one expression in one zone at
 * this many instants; a "case" below is one (expression, zone, instant) comparison.
 */
const INSTANTS_PER_RUN = 10;
/** 40,000 + 40,000 at random instants, 20,000 close to offset changes (slower: DST walks). */
const RANDOM_RUNS = 40_000 / INSTANTS_PER_RUN;
const NEAR_CHANGE_RUNS = 20_000 / INSTANTS_PER_RUN;
/** Generous: the measured time is in docs/time.md; a busy machine is several times slower. */
const PROPERTY_TIMEOUT_MS = 600_000;

const disagreements = { gap: 0, overlap: 0, cronerMarchFirst: 0 };

/**
 * croner 11 bug: after February its search skips the 1st of March for some expressions
 * (a stepped day-of-month, `0 0 *\/15 * *` after 28 Feb gives 16 Mar; or day-of-month
 * OR a restricted day-of-week, `0 0 1 * 0`). Recognised only when our answer is a 1 March
 * wall time that croner's own matcher accepts, and croner's answer is later.
 */
function isCronerMarchFirstMiss(
  expression: string,
  zoneName: string,
  ours: number | null,
  theirs: number | null,
): boolean {
  if (ours === null || (theirs !== null && theirs < ours)) return false;
  const wall = new Date(ours + offsetMs(zoneName, ours));
  return (
    wall.getUTCMonth() === 2 &&
    wall.getUTCDate() === 1 &&
    wallMatcher(expression).match(wall)
  );
}
let compared = 0;

function compareWithCroner(
  expression: string,
  zoneName: string,
  instants: readonly number[],
): void {
  fc.pre(isAccepted(expression, instants[0] ?? FROM_MS));
  const spec: CronScheduleSpec = {
    type: 'cron',
    expression,
    timezone: zoneName,
  };
  const croner = new Cron(expression, {
    timezone: zoneName,
    paused: true,
    sloppyRanges: true,
  });
  for (const afterMs of instants) {
    compared++;
    const ours = nextOccurrence(spec, new Date(afterMs))?.getTime() ?? null;
    const theirs = croner.nextRun(new Date(afterMs))?.getTime() ?? null;
    if (ours === theirs) continue;
    if (isCronerMarchFirstMiss(expression, zoneName, ours, theirs)) {
      disagreements.cronerMarchFirst++;
      continue;
    }
    // A disagreement must be a documented DST case: each answer is its engine's DST rule.
    const expectedOurs = referenceNext(
      expression,
      zoneName,
      afterMs,
      ourSemantics(expression),
    );
    const expectedTheirs = referenceNext(
      expression,
      zoneName,
      afterMs,
      cronerSemantics(expression),
    );
    const kinds = [expectedOurs?.kind, expectedTheirs?.kind].filter(
      (kind): kind is 'gap' | 'overlap' => kind === 'gap' || kind === 'overlap',
    );
    expect({
      after: iso(afterMs),
      ours: iso(ours),
      theirs: iso(theirs),
      dst: kinds.length > 0,
    }).toEqual({
      after: iso(afterMs),
      ours: iso(expectedOurs?.at),
      theirs: iso(expectedTheirs?.at),
      dst: true,
    });
    for (const kind of new Set(kinds)) disagreements[kind]++;
  }
}

const instants = fc.array(instant, {
  minLength: INSTANTS_PER_RUN,
  maxLength: INSTANTS_PER_RUN,
});

describe('next occurrence, property-based against croner', () => {
  afterAll(() => {
    // Shown in the test output, and quoted in docs/time.md.
    process.stdout.write(
      `property test: ${compared} cases compared with croner; DST disagreements by design: gap ${disagreements.gap}, overlap ${disagreements.overlap}; croner's 1 March bug: ${disagreements.cronerMarchFirst}\n`,
    );
  });

  it(
    'agrees with croner on 5-field expressions at random instants, outside DST cases',
    () => {
      fc.assert(fc.property(fiveFields, zone, instants, compareWithCroner), {
        seed: SEED,
        numRuns: RANDOM_RUNS,
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'agrees with croner on 6-field expressions at random instants, outside DST cases',
    () => {
      fc.assert(fc.property(sixFields, zone, instants, compareWithCroner), {
        seed: SEED + 1,
        numRuns: RANDOM_RUNS,
      });
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'agrees with croner close to offset changes, outside DST cases',
    () => {
      const nearChange = zone.chain((zoneName) =>
        fc.tuple(
          fc.oneof(fiveFields, sixFields),
          fc.constant(zoneName),
          fc.array(nearTransition(zoneName), {
            minLength: INSTANTS_PER_RUN,
            maxLength: INSTANTS_PER_RUN,
          }),
        ),
      );
      fc.assert(
        fc.property(nearChange, ([expression, zoneName, afterMs]) =>
          compareWithCroner(expression, zoneName, afterMs),
        ),
        { seed: SEED + 2, numRuns: NEAR_CHANGE_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// --- One property per DST policy, near real gaps and overlaps ---

/** Runs per policy property; each checks three events in a row and the previous occurrences. */
const POLICY_RUNS = 300;

const GAP_ZONES = ZONES.filter((z) =>
  transitionsOf(z).some((t) => t.after > t.before),
);

/** A fixed-time expression whose hour field names the wall hours around `transition`. */
function fixedExpressionAround(transition: Transition): fc.Arbitrary<string> {
  const wall = transition.atMs + Math.min(transition.before, transition.after);
  const hour = new Date(wall).getUTCHours();
  const hours = [hour, (hour + 1) % 24];
  const hourField = fc.oneof(
    fc.constant(String(hour)),
    fc.constant(hours.join(',')),
    fc.constant(hour < 23 ? `${hour}-${hour + 1}` : '23'),
    fc.constant(`${hour},${(hour + 5) % 24}`),
  );
  const minute = fc.constantFrom(
    '0',
    '30',
    '15',
    '0,30',
    '*/15',
    '*/20',
    '5-55/10',
    '*',
    '45',
  );
  const second = fc.constantFrom('0', '30', '0,30', '*/20');
  const days = fc.constantFrom(
    '* * *',
    '* * *',
    `* ${new Date(wall).getUTCMonth() + 1} *`,
    `* * ${new Date(wall).getUTCDay()}`,
    '1 * *',
  );
  return fc.oneof(
    fc.tuple(minute, hourField, days).map(([m, h, d]) => `${m} ${h} ${d}`),
    fc
      .tuple(second, minute, hourField, days)
      .map(([s, m, h, d]) => `${s} ${m} ${h} ${d}`),
  );
}

interface PolicyCase {
  expression: string;
  zone: string;
  afterMs: number;
}

function policyCases(kind: 'gap' | 'overlap'): fc.Arbitrary<PolicyCase> {
  const zones = ZONES.filter((z) =>
    transitionsOf(z).some((t) =>
      kind === 'gap' ? t.after > t.before : t.after < t.before,
    ),
  );
  return fc.constantFrom(...zones).chain((zoneName) => {
    const transitions = transitionsOf(zoneName).filter((t) =>
      kind === 'gap' ? t.after > t.before : t.after < t.before,
    );
    return fc
      .integer({ min: 0, max: transitions.length - 1 })
      .chain((index) => {
        const transition = transitions[index];
        return fc.record({
          expression: fixedExpressionAround(transition),
          zone: fc.constant(zoneName),
          afterMs: fc.integer({
            min: transition.atMs - 4 * HOUR,
            max: transition.atMs + 2 * HOUR,
          }),
        });
      });
  });
}

/** Three events in a row, our fires and skips, the previous occurrences, all as the reference says. */
function checkPolicy(
  { expression, zone: zoneName, afterMs }: PolicyCase,
  gap: DstGapPolicy,
  overlap: DstOverlapPolicy,
): void {
  fc.pre(isAccepted(expression, afterMs));
  const spec: CronScheduleSpec = {
    type: 'cron',
    expression,
    timezone: zoneName,
  };
  const policies = { dstGapPolicy: gap, dstOverlapPolicy: overlap };
  const semantics = ourSemantics(expression, gap, overlap);
  let cursor = afterMs;
  const fires: number[] = [];
  for (let step = 0; step < 3; step++) {
    const expected = referenceNext(expression, zoneName, cursor, semantics);
    const event = nextOccurrenceEvent(spec, new Date(cursor), policies);
    expect({
      at: iso(event?.at.getTime()),
      skipped: event?.skipped ?? null,
    }).toEqual({
      at: iso(expected?.at),
      skipped: expected?.skipped ? 'dst_policy' : null,
    });
    if (!expected) return;
    if (!expected.skipped) {
      expect(
        iso(nextOccurrence(spec, new Date(cursor), policies)?.getTime()),
      ).toBe(iso(expected.at));
      fires.push(expected.at);
    }
    cursor = expected.at;
  }
  for (let i = 1; i < fires.length; i++) {
    const later = fires[i] ?? 0;
    expect(
      iso(previousOccurrence(spec, new Date(later), policies)?.getTime()),
    ).toBe(iso(fires[i - 1]));
  }
}

describe('DST policies, each against its own expected result near real offset changes', () => {
  it('has gaps and overlaps to test in the chosen zones', () => {
    expect(GAP_ZONES.length).toBeGreaterThan(15);
  });

  const overlapPolicy = fc.constantFrom<DstOverlapPolicy>(
    'first',
    'second',
    'twice',
  );
  const gapPolicy = fc.constantFrom<DstGapPolicy>('shift', 'skip');

  it.each(['shift', 'skip'] as const)(
    'dstGapPolicy %s',
    (gap) => {
      fc.assert(
        fc.property(policyCases('gap'), overlapPolicy, (testCase, overlap) =>
          checkPolicy(testCase, gap, overlap),
        ),
        { seed: SEED + 3, numRuns: POLICY_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it.each(['first', 'second', 'twice'] as const)(
    'dstOverlapPolicy %s',
    (overlap) => {
      fc.assert(
        fc.property(policyCases('overlap'), gapPolicy, (testCase, gap) =>
          checkPolicy(testCase, gap, overlap),
        ),
        { seed: SEED + 4, numRuns: POLICY_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
