import { ValidationError } from '../errors';

/**
 * `overlapPolicy`: what an occurrence does while the schedule's previous execution has
 * not finished (no result reported yet, and not ended otherwise: failed, result_timeout).
 *
 * - `allow` (default, today's behaviour): fire; executions may overlap.
 * - `skip`: do not fire; record it `skipped` with reason `overlap_policy`.
 * - `buffer_one`: hold it until the previous one finishes, then fire it; while one is
 *   already held, a further occurrence is skipped (`overlap_policy`). At most one waits,
 *   so a slow target never builds an unbounded backlog.
 *
 * Only fired occurrences count as "previous": a skipped one never blocks.
 */
export const OVERLAP_POLICIES = ['allow', 'skip', 'buffer_one'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];
export const DEFAULT_OVERLAP_POLICY: OverlapPolicy = 'allow';

export type OverlapDecision = 'fire' | 'skip' | 'buffer';

export function parseOverlapPolicy(
  input: unknown,
  field = 'overlapPolicy',
): OverlapPolicy {
  if (!(OVERLAP_POLICIES as readonly unknown[]).includes(input))
    throw new ValidationError(
      field,
      `must be one of ${OVERLAP_POLICIES.join(', ')}`,
    );
  return input as OverlapPolicy;
}

/**
 * The decision for an occurrence that is due now. `previousHasResult`: the previous
 * fired execution has finished (true when there is none); `buffered`: an occurrence is
 * already held under `buffer_one`.
 */
export function decideOverlap(
  policy: OverlapPolicy,
  state: { previousHasResult: boolean; buffered: boolean },
): OverlapDecision {
  if (policy === 'allow' || state.previousHasResult) return 'fire';
  if (policy === 'skip') return 'skip';
  return state.buffered ? 'skip' : 'buffer';
}
