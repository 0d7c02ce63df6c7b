import type {
  ExecutionStatus,
  SkipReason,
  TriggerSpec,
} from '@scheduleman/domain';

/**
 * A pending execution this scheduler holds a lease on, as the claims repository returns
 * it (from the plan stage or from CLAIM_DUE). Times are database times.
 */
export interface Claim {
  executionId: string;
  scheduleId: string;
  scheduleName: string | null;
  /** The schedule's owner, whose signing secrets sign its webhooks; null when none. */
  scheduleOwner: string | null;
  /** The schedule's metadata, for {{metadata.<field>}} placeholders; null when none. */
  scheduleMetadata: Record<string, unknown> | null;
  scheduledAt: Date;
  /** When to fire: the scheduled time, a retry time, or the run-now time. */
  dueAt: Date;
  /** Attempts already made; this fire is attempt `attempts + 1`. */
  attempts: number;
  maxAttempts: number;
  /** The fencing token every later write must present. */
  leaseVersion: number;
  leaseExpiresAt: Date;
  trigger: TriggerSpec;
  /** The previous holder when this claim took over an expired lease, else null. */
  recoveredFrom: string | null;
}

/** What one attempt changed, written by COMPLETE_FIRES under the lease it was fired with. */
export interface FireRecord {
  executionId: string;
  leaseVersion: number;
  /** 'succeeded' and 'failed' are final; 'pending' means retry at `retryAt`. */
  status: Extract<ExecutionStatus, 'succeeded' | 'failed' | 'pending'>;
  /** Attempts made including this one. */
  attempts: number;
  retryAt: Date | null;
  /** When this attempt started (fired_at keeps the first attempt's). */
  firedAt: Date;
  /** Null while a retry is pending. */
  finishedAt: Date | null;
  responseStatus: number | null;
  error: string | null;
  /** This attempt's row in execution_attempts (written by the same statement). */
  attempt: AttemptRecord;
}

/** One attempt as execution_attempts stores it (its number is FireRecord.attempts). */
export interface AttemptRecord {
  finishedAt: Date;
  outcome: AttemptOutcome;
  /** The broker's answer (FireOutcome.ref, or `duplicate`), as text. */
  response: string | null;
  /** Start of the attempt minus its due time (scheduled, retry or run-now time), ms. */
  initiationLatencyMs: number;
  errorClass: string | null;
}

/** The classification of one attempt (FireOutcome.kind, as stored). */
export type AttemptOutcome =
  | 'succeeded'
  | 'retryable_failure'
  | 'permanent_failure';

/** The outcome of one plan batch. */
export interface PlanResult {
  /** Schedules locked and advanced; equal to the batch size means "there may be more". */
  schedules: number;
  /** Executions inserted and leased to this scheduler. */
  claims: Claim[];
  /** 'skipped' executions inserted (a range row counts once). */
  skippedExecutions: number;
  /** Occurrences those rows stand for (a range row counts its occurrence_count). */
  skippedOccurrences: number;
  /** skippedOccurrences by reason. */
  skippedByReason: Map<SkipReason, number>;
  /**
   * Schedules whose missed occurrences were not all recorded yet (more than one plan
   * walks, see MAX_SKIPPED_WALK): they are due again at once, so plan again.
   */
  unfinished: number;
}

/** The outcome of one CLAIM_DUE round trip. */
export interface ClaimResult {
  claims: Claim[];
  /** The database clock at the end of the statement. */
  databaseNow: Date;
}

/** The due backlog (see COUNT_DUE_BACKLOG). */
export interface DueBacklog {
  overdueExecutions: number;
  expiredLeases: number;
  overdueSchedules: number;
  oldestDueAt: Date | null;
}
