/**
 * active → paused (pause) → active (resume); active → completed (a one-shot fired, or a
 * cron that can never fire again). Completed is final except for run-now.
 */
export const SCHEDULE_STATUSES = ['active', 'paused', 'completed'] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];
