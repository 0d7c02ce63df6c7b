import type { ExecutionStatus } from '../execution/execution-status';
import type { SkipReason } from '../execution/skip-reason';
import type { Page } from './schedule.contract';

/** One occurrence of a schedule and what became of it (`GET /schedules/:id/executions`). */
export interface ExecutionResponse {
  /** Deterministic per occurrence; the Idempotency-Key of every delivery attempt. */
  id: string;
  scheduleId: string;
  scheduledAt: string;
  /**
   * When the next attempt is due: the scheduled time, its instant in a flexible window,
   * or a retry time; null while held by overlap policy buffer_one (until the previous
   * execution finishes).
   */
  dueAt: string | null;
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
  /** What the target reported (POST /executions/:executionId/result); null until then. */
  result: ExecutionResultResponse | null;
}

export type ExecutionListResponse = Page<ExecutionResponse>;

/** A target's report of how the work it accepted ended. */
export interface ExecutionResultResponse {
  status: 'succeeded' | 'failed';
  /** Any JSON the target sent (at most 64 KiB as JSON); null when none. */
  output: unknown;
  error: string | null;
  reportedAt: string;
}

/** One delivery attempt of an execution. */
export interface AttemptResponse {
  /** 1 for the first attempt. */
  number: number;
  startedAt: string;
  finishedAt: string;
  outcome: 'succeeded' | 'retryable_failure' | 'permanent_failure';
  /** HTTP status of a webhook attempt, else null. */
  responseStatus: number | null;
  /** The broker's answer (a stream entry id, `duplicate`, …), else null. */
  response: string | null;
  /** Start of the attempt minus the time it was due, ms. */
  initiationLatencyMs: number | null;
  /** timeout, http_4xx, http_5xx, connection, destination_not_allowed, … ; null when delivered. */
  errorClass: string | null;
  errorMessage: string | null;
  schedulerId: string;
}

export type AttemptListResponse = Page<AttemptResponse>;

/**
 * `GET /schedules/:id/executions/:executionId`: the execution with its first page of
 * attempts under `attempts` (oldest first), and the count of attempts made, which the
 * list calls `attempts`, as `attemptCount`.
 */
export interface ExecutionDetailResponse
  extends Omit<ExecutionResponse, 'attempts'> {
  attemptCount: number;
  attempts: AttemptListResponse;
}
