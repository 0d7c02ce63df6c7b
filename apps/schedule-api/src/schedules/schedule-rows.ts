import type {
  ExecutionResponse,
  ExecutionStatus,
  MisfirePolicy,
  ScheduleResponse,
  ScheduleSpec,
  ScheduleStatus,
  TriggerSpec,
} from '@scheduleman/domain';

/** A `schedules` row as schedules.sql.ts selects it. */
export interface ScheduleRow {
  id: string;
  name: string | null;
  owner: string | null;
  metadata: Record<string, unknown> | null;
  schedule: ScheduleSpec;
  trigger: TriggerSpec;
  status: ScheduleStatus;
  next_run_at: Date | null;
  misfire_policy: MisfirePolicy;
  max_attempts: number;
  created_at: Date;
  updated_at: Date;
  /** created_at as UTC text with microseconds, the keyset of the list. */
  created_at_key: string;
}

/** An `executions` row as schedules.sql.ts selects it. */
export interface ExecutionRow {
  id: string;
  schedule_id: string;
  scheduled_at: Date;
  due_at: Date;
  fired_at: Date | null;
  finished_at: Date | null;
  status: ExecutionStatus;
  attempts: number;
  max_attempts: number;
  scheduler_id: string | null;
  response_status: number | null;
  error: string | null;
  scheduled_at_key: string;
}

/** What the API writes to a schedule row (the columns it owns). */
export interface ScheduleState {
  name: string | null;
  owner: string | null;
  metadata: Record<string, unknown> | null;
  schedule: ScheduleSpec;
  trigger: TriggerSpec;
  misfirePolicy: MisfirePolicy;
  maxAttempts: number;
  status: ScheduleStatus;
  nextRunAt: Date | null;
}

export function toScheduleResponse(row: ScheduleRow): ScheduleResponse {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    metadata: row.metadata,
    schedule: row.schedule,
    trigger: row.trigger,
    status: row.status,
    nextRunAt: row.next_run_at?.toISOString() ?? null,
    misfirePolicy: row.misfire_policy,
    maxAttempts: row.max_attempts,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toExecutionResponse(row: ExecutionRow): ExecutionResponse {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    scheduledAt: row.scheduled_at.toISOString(),
    dueAt: row.due_at.toISOString(),
    firedAt: row.fired_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    schedulerId: row.scheduler_id,
    responseStatus: row.response_status,
    error: row.error,
  };
}

export function stateOf(row: ScheduleRow): ScheduleState {
  return {
    name: row.name,
    owner: row.owner,
    metadata: row.metadata,
    schedule: row.schedule,
    trigger: row.trigger,
    misfirePolicy: row.misfire_policy,
    maxAttempts: row.max_attempts,
    status: row.status,
    nextRunAt: row.next_run_at,
  };
}
