/**
 * Why an occurrence that was due did not fire: the `reason` of a `skipped` execution
 * (null for every other status). One list, checked by the database too
 * (executions_reason_check, migration 1733800000000), so a reason no code knows cannot
 * be stored.
 *
 * - `misfire_policy`: missed (the system was down or behind) and not fired under the
 *   schedule's misfire policy (`skip`, or older than what `fire_once` / `fire_all` fire).
 * - `dst_policy`: a wall time in a DST gap or overlap not fired under the DST policy.
 * - `catch_up_window`: missed by more than the schedule's catch-up window.
 * - `overlap_policy`: the previous occurrence had not finished (overlap policy `skip`).
 * - `exclusion`: inside an excluded period or calendar.
 * - `skip_next`: the owner asked to skip the next occurrence.
 */
export const SKIP_REASONS = [
  'misfire_policy',
  'dst_policy',
  'catch_up_window',
  'overlap_policy',
  'exclusion',
  'skip_next',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
