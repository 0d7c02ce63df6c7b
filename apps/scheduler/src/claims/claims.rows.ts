import type {
  MisfirePolicy,
  ScheduleSpec,
  TriggerSpec,
} from '@scheduleman/domain';
import type { Claim, DueBacklog } from './claim';

// The snake_case rows of claims.sql.ts, and their mapping to domain objects. Columns are
// renamed here and nowhere else.

export interface ScheduleRow {
  id: string;
  name: string | null;
  schedule: ScheduleSpec;
  trigger: TriggerSpec;
  misfire_policy: MisfirePolicy;
  max_attempts: number;
  next_run_at: Date;
}

export interface ExecutionRow {
  id: string;
  schedule_id: string;
  scheduled_at: Date;
  due_at: Date;
  status: string;
  attempts: number;
  max_attempts: number;
  lease_version: number;
  lease_expires_at: Date;
}

export interface ClaimRow {
  id: string | null;
  schedule_id: string;
  scheduled_at: Date;
  due_at: Date;
  attempts: number;
  max_attempts: number;
  lease_version: number;
  lease_expires_at: Date;
  previous_owner: string | null;
  schedule_name: string | null;
  trigger: TriggerSpec;
  db_now: Date;
}

export interface BacklogRow {
  overdue_unleased: number;
  expired_leases: number;
  overdue_schedules: number;
  oldest_due_at: Date | null;
}

/** A row INSERT_PLANNED_EXECUTIONS returned, with the schedule it was planned from. */
export function claimFromPlannedRow(
  row: ExecutionRow,
  schedule: ScheduleRow,
): Claim {
  return {
    executionId: row.id,
    scheduleId: row.schedule_id,
    scheduleName: schedule.name,
    scheduledAt: row.scheduled_at,
    dueAt: row.due_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    leaseVersion: row.lease_version,
    leaseExpiresAt: row.lease_expires_at,
    trigger: schedule.trigger,
    recoveredFrom: null,
  };
}

export function claimFromClaimRow(row: ClaimRow & { id: string }): Claim {
  return {
    executionId: row.id,
    scheduleId: row.schedule_id,
    scheduleName: row.schedule_name,
    scheduledAt: row.scheduled_at,
    dueAt: row.due_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    leaseVersion: row.lease_version,
    leaseExpiresAt: row.lease_expires_at,
    trigger: row.trigger,
    recoveredFrom: row.previous_owner,
  };
}

export function backlogFromRow(row: BacklogRow): DueBacklog {
  return {
    overdueExecutions: row.overdue_unleased,
    expiredLeases: row.expired_leases,
    overdueSchedules: row.overdue_schedules,
    oldestDueAt: row.oldest_due_at,
  };
}
