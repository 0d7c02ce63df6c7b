import { ValidationError } from '../errors';

/**
 * What a fixed-time cron expression (the hour field does not start with `*`, see
 * cron-occurrences.ts) does with wall times that daylight saving time removes or repeats.
 * Interval expressions (`*\/5 * * * *`, `0 * * * *`) follow real time and are not affected:
 * a gap has nothing to fire and a repeated hour fires again, whatever the policy.
 *
 * Gap (spring forward, e.g. 02:00 → 03:00 in Europe/Berlin), `dstGapPolicy`:
 * - `shift` (default): the wall times inside the gap fire once, together, at the first
 *   instant after it (03:00 CEST).
 * - `skip`: they do not fire; the occurrence is accounted for as skipped with reason
 *   `dst_policy` at that same instant (the one `shift` would have fired at). When the
 *   expression also names the wall time at the end of the gap (03:00), that one fires as
 *   usual and nothing is recorded as skipped.
 *
 * Overlap (fall back, 02:00-03:00 happens twice), `dstOverlapPolicy`:
 * - `first` (default): a repeated wall time fires once, at its first instant (summer time).
 * - `second`: once, at its second instant (winter time).
 * - `twice`: at both instants.
 *
 * The defaults are the behaviour scheduleman had before the policies existed. See
 * docs/time.md for examples.
 */
export const DST_GAP_POLICIES = ['shift', 'skip'] as const;
export type DstGapPolicy = (typeof DST_GAP_POLICIES)[number];

export const DST_OVERLAP_POLICIES = ['first', 'second', 'twice'] as const;
export type DstOverlapPolicy = (typeof DST_OVERLAP_POLICIES)[number];

export const DEFAULT_DST_GAP_POLICY: DstGapPolicy = 'shift';
export const DEFAULT_DST_OVERLAP_POLICY: DstOverlapPolicy = 'first';

/** The DST policies of a schedule; a missing field means its default. */
export interface DstPolicies {
  dstGapPolicy?: DstGapPolicy;
  dstOverlapPolicy?: DstOverlapPolicy;
}

/** Both policies, defaults filled in. */
export interface ResolvedDstPolicies {
  dstGapPolicy: DstGapPolicy;
  dstOverlapPolicy: DstOverlapPolicy;
}

export function resolveDstPolicies(
  policies: DstPolicies | undefined,
): ResolvedDstPolicies {
  return {
    dstGapPolicy: policies?.dstGapPolicy ?? DEFAULT_DST_GAP_POLICY,
    dstOverlapPolicy: policies?.dstOverlapPolicy ?? DEFAULT_DST_OVERLAP_POLICY,
  };
}

/** Validates a `dstGapPolicy` value; undefined (not sent) gives the default. */
export function parseDstGapPolicy(input: unknown, field: string): DstGapPolicy {
  if (input === undefined) return DEFAULT_DST_GAP_POLICY;
  if (DST_GAP_POLICIES.some((policy) => policy === input))
    return input as DstGapPolicy;
  throw new ValidationError(
    field,
    `must be one of ${DST_GAP_POLICIES.map((p) => `"${p}"`).join(', ')}`,
  );
}

/** Validates a `dstOverlapPolicy` value; undefined (not sent) gives the default. */
export function parseDstOverlapPolicy(
  input: unknown,
  field: string,
): DstOverlapPolicy {
  if (input === undefined) return DEFAULT_DST_OVERLAP_POLICY;
  if (DST_OVERLAP_POLICIES.some((policy) => policy === input))
    return input as DstOverlapPolicy;
  throw new ValidationError(
    field,
    `must be one of ${DST_OVERLAP_POLICIES.map((p) => `"${p}"`).join(', ')}`,
  );
}
