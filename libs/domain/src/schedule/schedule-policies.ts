import { parseCatchUpWindow } from './catch-up-window';
import {
  DEFAULT_DST_GAP_POLICY,
  DEFAULT_DST_OVERLAP_POLICY,
  type DstGapPolicy,
  type DstOverlapPolicy,
  parseDstGapPolicy,
  parseDstOverlapPolicy,
} from './dst-policy';
import {
  type Exclusion,
  parseCalendarIds,
  parseExclusions,
} from './exclusions';
import { parseFlexibleWindow } from './flexible-window';
import {
  DEFAULT_OVERLAP_POLICY,
  type OverlapPolicy,
  parseOverlapPolicy,
} from './overlap-policy';
import { parsePausedUntil } from './pause-until';

/**
 * A schedule's time policies (issue 13), flat fields beside `misfirePolicy`, each with
 * today's behaviour as its default. One file per policy; this one only gathers them.
 */
export interface SchedulePolicies {
  /** ISO duration or null (catch-up-window.ts). */
  catchUpWindow: string | null;
  /** exclusions.ts. */
  exclusions: Exclusion[];
  /** Calendars of the schedule's owner (exclusions.ts). */
  calendarIds: string[];
  /** ISO duration or null (flexible-window.ts). */
  flexibleWindow: string | null;
  /** The end of a pause, or null (pause-until.ts). */
  pausedUntil: Date | null;
  /** overlap-policy.ts. */
  overlapPolicy: OverlapPolicy;
  /** dst-policy.ts: wall times in a DST gap. */
  dstGapPolicy: DstGapPolicy;
  /** dst-policy.ts: wall times in a DST overlap. */
  dstOverlapPolicy: DstOverlapPolicy;
}

export const DEFAULT_SCHEDULE_POLICIES: Readonly<SchedulePolicies> = {
  catchUpWindow: null,
  exclusions: [],
  calendarIds: [],
  flexibleWindow: null,
  pausedUntil: null,
  overlapPolicy: DEFAULT_OVERLAP_POLICY,
  dstGapPolicy: DEFAULT_DST_GAP_POLICY,
  dstOverlapPolicy: DEFAULT_DST_OVERLAP_POLICY,
};

export const SCHEDULE_POLICY_FIELDS = [
  'catchUpWindow',
  'exclusions',
  'calendarIds',
  'flexibleWindow',
  'pausedUntil',
  'overlapPolicy',
  'dstGapPolicy',
  'dstOverlapPolicy',
] as const satisfies readonly (keyof SchedulePolicies)[];

export type SchedulePolicyInput = Partial<
  Record<(typeof SCHEDULE_POLICY_FIELDS)[number], unknown>
>;

/**
 * The policy fields present in `input` (undefined = absent, left out of the result),
 * validated. Each parse runs through `attempt`, which collects a ValidationError and
 * returns undefined, so that every bad field is reported, not only the first.
 * `null` clears the nullable ones; for `exclusions`, `calendarIds`, `overlapPolicy` and
 * the DST policies it is refused (send `[]`, `"allow"`, `"shift"`, `"first"`).
 */
export function parseSchedulePolicies(
  input: SchedulePolicyInput,
  now: Date,
  attempt: <T>(parse: () => T) => T | undefined,
): Partial<SchedulePolicies> {
  const result: Partial<SchedulePolicies> = {};
  const take = <K extends keyof SchedulePolicies>(
    key: K,
    parse: (value: unknown) => SchedulePolicies[K],
  ) => {
    const value = input[key];
    if (value === undefined) return;
    const parsed = attempt(() => parse(value));
    if (parsed !== undefined) result[key] = parsed;
  };
  take('catchUpWindow', (v) => parseCatchUpWindow(v));
  take('exclusions', (v) => parseExclusions(v));
  take('calendarIds', (v) => parseCalendarIds(v));
  take('flexibleWindow', (v) => parseFlexibleWindow(v));
  take('pausedUntil', (v) => parsePausedUntil(v, now));
  take('overlapPolicy', (v) => parseOverlapPolicy(v));
  take('dstGapPolicy', (v) => parseDstGapPolicy(v, 'dstGapPolicy'));
  take('dstOverlapPolicy', (v) => parseDstOverlapPolicy(v, 'dstOverlapPolicy'));
  return result;
}
