/**
 * An execution is one occurrence of a schedule.
 *
 *   pending ──fire: delivered──────────────▶ succeeded
 *      │  ╰──fire: retryable, attempts left─▶ pending (due_at = retry time, lease released)
 *      │  ╰──fire: permanent, or no attempts left ─▶ failed
 *      ╰──schedule paused, deleted or edited before it was due ─▶ cancelled
 *   (an occurrence that was due and not fired is born skipped, with a reason: skip-reason.ts)
 *   succeeded ──schedule has a resultTimeout, no result reported in time ─▶ result_timeout
 *
 * Only `pending` executions are ever claimed; every other state is final.
 */
export const EXECUTION_STATUSES = [
  'pending',
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
  'result_timeout',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const FINAL_EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
  'result_timeout',
];
