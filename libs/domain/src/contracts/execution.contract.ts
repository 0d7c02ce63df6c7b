import type { ExecutionStatus } from '../execution/execution-status';
import type { SkipReason } from '../execution/skip-reason';
import type { Page } from './schedule.contract';

/** One occurrence of a schedule and what became of it (`GET /schedules/:id/executions`). */
export interface ExecutionResponse {
  /** Deterministic per occurrence; the Idempotency-Key of every delivery attempt. */
  id: string;
  scheduleId: string;
  scheduledAt: string;
  /** When the next attempt is due: the scheduled time, or a retry time. */
  dueAt: string;
  /** When the first attempt was made; null until then. */
  firedAt: string | null;
  finishedAt: string | null;
  status: ExecutionStatus;
  attempts: number;
  maxAttempts: number;
  /** The scheduler that made the last attempt. */
  schedulerId: string | null;
  /** HTTP status of the last delivery attempt, if any. */
  responseStatus: number | null;
  error: string | null;
  /** Why a skipped occurrence did not fire; null unless status is 'skipped'. */
  reason: SkipReason | null;
  /**
   * Occurrences this row stands for: 1, or more for a skipped range (a long outage),
   * which covers every occurrence from scheduledAt to lastScheduledAt.
   */
  occurrences: number;
  /** The last occurrence the row stands for: scheduledAt, except for a skipped range. */
  lastScheduledAt: string;
}

export type ExecutionListResponse = Page<ExecutionResponse>;
