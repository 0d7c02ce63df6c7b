import type {
  ClaimDueRow,
  DueBacklogRow,
  PlanDueScheduleRow,
  PlannedExecutionRow,
} from '@scheduleman/domain/persistence';
import type { Claim, DueBacklog } from './claim';

// The mapping of the snake_case rows of claims.sql.ts (typed beside each statement in
// libs/domain/src/persistence) to domain objects. Columns are renamed here and nowhere else.

/** A planned row born leased to the planner: a 'pending' one ('skipped' rows have no lease). */
export type LeasedPlannedRow = PlannedExecutionRow & { lease_expires_at: Date };

/** Whether the planner holds `row` (and so fires it), i.e. it is pending and leased. */
export function isLeasedPlannedRow(
  row: PlannedExecutionRow,
): row is LeasedPlannedRow {
  return row.status === 'pending' && row.lease_expires_at !== null;
}

/** A row of CLAIM_DUE that claimed something (not the lone all-null "nothing" row). */
export type ClaimedRow = ClaimDueRow & { id: string };

export function isClaimedRow(row: ClaimDueRow): row is ClaimedRow {
  return row.id !== null;
}

/** The execution columns both claim statements return, leased. */
type LeasedExecution = Omit<
  LeasedPlannedRow,
  'status' | 'reason' | 'occurrence_count'
>;

function claimOf(
  row: LeasedExecution,
  of: Pick<
    Claim,
    | 'scheduleName'
    | 'scheduleOwner'
    | 'scheduleMetadata'
    | 'trigger'
    | 'recoveredFrom'
  >,
): Claim {
  return {
    executionId: row.id,
    scheduleId: row.schedule_id,
    scheduledAt: row.scheduled_at,
    dueAt: row.due_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    leaseVersion: row.lease_version,
    leaseExpiresAt: row.lease_expires_at,
    ...of,
  };
}

/** A row INSERT_PLANNED_EXECUTIONS returned, with the schedule it was planned from. */
export function claimFromPlannedRow(
  row: LeasedPlannedRow,
  schedule: Pick<PlanDueScheduleRow, 'name' | 'owner' | 'metadata' | 'trigger'>,
): Claim {
  return claimOf(row, {
    scheduleName: schedule.name,
    scheduleOwner: schedule.owner,
    scheduleMetadata: schedule.metadata,
    trigger: schedule.trigger,
    recoveredFrom: null,
  });
}

export function claimFromClaimRow(row: ClaimedRow): Claim {
  return claimOf(row, {
    scheduleName: row.schedule_name,
    scheduleOwner: row.schedule_owner,
    scheduleMetadata: row.schedule_metadata,
    trigger: row.trigger,
    recoveredFrom: row.previous_owner,
  });
}

export function backlogFromRow(row: DueBacklogRow): DueBacklog {
  return {
    overdueExecutions: row.overdue_unleased,
    expiredLeases: row.expired_leases,
    overdueSchedules: row.overdue_schedules,
    oldestDueAt: row.oldest_due_at,
  };
}
