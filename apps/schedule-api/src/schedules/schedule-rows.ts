import {
  describeSchedule,
  type ExecutionResponse,
  type HealthFacts,
  scheduleHealth,
  type RecentExecution,
  type ScheduleListItem,
  maskTriggerSecrets,
  type MisfirePolicy,
  type SchedulePolicies,
  type SchedulePoliciesResponse,
  type ScheduleResponse,
  type ScheduleSpec,
  type ScheduleStatus,
  type TriggerSpec,
} from '@scheduleman/domain';
import type {
  ExecutionTableRow,
  ScheduleTableRow,
} from '@scheduleman/domain/persistence';

/** A `schedules` row as schedules.sql.ts selects it (SCHEDULE_COLUMNS). */
export type ScheduleRow = Pick<
  ScheduleTableRow,
  | 'id'
  | 'name'
  | 'owner'
  | 'metadata'
  | 'schedule'
  | 'trigger'
  | 'status'
  | 'next_run_at'
  | 'misfire_policy'
  | 'max_attempts'
  | 'result_timeout'
  | 'result_timeout_ms'
  | 'fires_per_hour'
  | 'created_at'
  | 'updated_at'
  | 'catch_up_window'
  | 'exclusions'
  | 'calendar_ids'
  | 'flexible_window'
  | 'paused_until'
  | 'overlap_policy'
  | 'skip_next_at'
  | 'dst_gap_policy'
  | 'dst_overlap_policy'
  | 'silent_after'
  | 'silent_after_ms'
  | 'last_success_at'
  | 'last_outcome'
> & {
  /** The statement's time (database clock): the `now` of the row's health. */
  read_at: Date;
  /** created_at as UTC text with microseconds, the keyset of the list. */
  created_at_key: string;
  /** next_run_at as UTC text with microseconds (null when there is none): the nextRunAt cursor. */
  next_run_at_key: string | null;
};

/** What an answer holding a schedule is built from (toScheduleResponse): a row without its keysets. */
export type ScheduleAnswerRow = Omit<
  ScheduleRow,
  'created_at_key' | 'next_run_at_key'
>;

/** The database's times of an inserted row. */
export interface InsertedTimes {
  id: string;
  created_at: Date;
  updated_at: Date;
  read_at: Date;
}

/** What INSERT_SCHEDULES returns: one row for all it inserted, their times shared. */
export interface InsertedBatch extends Omit<InsertedTimes, 'id'> {
  inserted: number;
  /** Equal to created_at: every row of a transaction takes now(). */
  last_created_at: Date;
}

/** The columns of a schedule row that come from its state alone (what a creation writes). */
export type ScheduleStateColumns = Omit<
  ScheduleAnswerRow,
  | 'id'
  | 'created_at'
  | 'updated_at'
  | 'last_success_at'
  | 'last_outcome'
  | 'read_at'
>;

/** `state` as the columns of its row: INSERT_SCHEDULES writes them, insertedRow answers with them. */
export function stateColumns(state: ScheduleState): ScheduleStateColumns {
  const p = state.policies;
  return {
    name: state.name,
    owner: state.owner,
    metadata: state.metadata,
    schedule: state.schedule,
    trigger: state.trigger,
    status: state.status,
    next_run_at: state.nextRunAt,
    misfire_policy: state.misfirePolicy,
    max_attempts: state.maxAttempts,
    result_timeout: state.resultTimeout,
    result_timeout_ms: state.resultTimeoutMs,
    fires_per_hour: state.firesPerHour,
    catch_up_window: p.catchUpWindow,
    exclusions: p.exclusions,
    calendar_ids: p.calendarIds,
    flexible_window: p.flexibleWindow,
    paused_until: p.pausedUntil,
    overlap_policy: p.overlapPolicy,
    skip_next_at: state.skipNextAt,
    dst_gap_policy: p.dstGapPolicy,
    dst_overlap_policy: p.dstOverlapPolicy,
    silent_after: state.silentAfter,
    silent_after_ms: state.silentAfterMs,
  };
}

/**
 * The row INSERT_SCHEDULES wrote for `state`, from what the API sent and the times the
 * database gave it, as SELECT_SCHEDULE would read it back: a new row has no success or
 * outcome yet. (jsonb may order an object's keys differently when read back; JSON
 * objects are unordered.)
 */
export function insertedRow(
  state: ScheduleState,
  written: InsertedTimes,
): ScheduleAnswerRow {
  return {
    id: written.id,
    ...stateColumns(state),
    created_at: written.created_at,
    updated_at: written.updated_at,
    last_success_at: null,
    last_outcome: null,
    read_at: written.read_at,
  };
}

/** An `executions` row as schedules.sql.ts selects it (EXECUTION_COLUMNS). */
export type ExecutionRow = Pick<
  ExecutionTableRow,
  | 'id'
  | 'schedule_id'
  | 'scheduled_at'
  | 'due_at'
  | 'fired_at'
  | 'finished_at'
  | 'status'
  | 'attempts'
  | 'max_attempts'
  | 'scheduler_id'
  | 'response_status'
  | 'error'
  | 'reason'
  | 'occurrence_count'
  | 'last_scheduled_at'
  | 'result_status'
  | 'result_output'
  | 'result_error'
  | 'result_reported_at'
> & {
  /** scheduled_at as UTC text with microseconds, the keyset of the history. */
  scheduled_at_key?: string;
};

/** What the API writes to a schedule row (the columns it owns). */
export interface ScheduleState {
  name: string | null;
  owner: string | null;
  metadata: Record<string, unknown> | null;
  schedule: ScheduleSpec;
  trigger: TriggerSpec;
  misfirePolicy: MisfirePolicy;
  maxAttempts: number;
  /** As given (ISO-8601) and in ms; both null for none. */
  resultTimeout: string | null;
  resultTimeoutMs: number | null;
  /** silentAfter as given (ISO-8601) and in ms; both null for none. */
  silentAfter: string | null;
  silentAfterMs: number | null;
  status: ScheduleStatus;
  nextRunAt: Date | null;
  /** ScheduleRate.firesPerHour of `schedule`, computed when the schedule is set, never again. */
  firesPerHour: number;
  /** The time policies (schedule-policies.ts). */
  policies: SchedulePolicies;
  /** The occurrence skip-next marked (its scheduled time), or null. */
  skipNextAt: Date | null;
}

/** Every answer that holds a schedule is built here: secret header values are masked. */
export function toScheduleResponse(row: ScheduleAnswerRow): ScheduleResponse {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    metadata: row.metadata,
    schedule: row.schedule,
    description: describeSchedule(row.schedule),
    trigger: maskTriggerSecrets(row.trigger),
    status: row.status,
    nextRunAt: row.next_run_at?.toISOString() ?? null,
    misfirePolicy: row.misfire_policy,
    maxAttempts: row.max_attempts,
    resultTimeout: row.result_timeout,
    ...policiesResponseOf(row),
    silentAfter: row.silent_after,
    health: scheduleHealth(healthFactsOf(row), row.read_at).state,
    lastSuccessAt: row.last_success_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A recent execution as RECENT_EXECUTIONS_SQL aggregates it (json, times as ISO text). */
export interface RecentExecutionRow {
  id: string;
  scheduled_at: string;
  fired_at: string | null;
  status: RecentExecution['status'];
}

/** A row of the list with `include=recentExecutions`: the schedule and its latest executions. */
export type ScheduleWithRecentRow = ScheduleRow & {
  recent_executions?: RecentExecutionRow[];
};

export function toScheduleListItem(
  row: ScheduleWithRecentRow,
): ScheduleListItem {
  const item: ScheduleListItem = toScheduleResponse(row);
  if (row.recent_executions !== undefined)
    item.recentExecutions = row.recent_executions.map((e) => ({
      id: e.id,
      scheduledAt: e.scheduled_at,
      firedAt: e.fired_at,
      status: e.status,
      latenessMs:
        e.fired_at === null
          ? null
          : Date.parse(e.fired_at) - Date.parse(e.scheduled_at),
    }));
  return item;
}

export function toExecutionResponse(row: ExecutionRow): ExecutionResponse {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    scheduledAt: row.scheduled_at.toISOString(),
    // due_at infinity (held by buffer_one) arrives from node-postgres as the number Infinity.
    dueAt: row.due_at instanceof Date ? row.due_at.toISOString() : null,
    firedAt: row.fired_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    schedulerId: row.scheduler_id,
    responseStatus: row.response_status,
    error: row.error,
    reason: row.reason,
    occurrences: row.occurrence_count,
    lastScheduledAt: (row.last_scheduled_at ?? row.scheduled_at).toISOString(),
    result:
      row.result_status === null || row.result_reported_at === null
        ? null
        : {
            status: row.result_status,
            output: row.result_output ?? null,
            error: row.result_error,
            reportedAt: row.result_reported_at.toISOString(),
          },
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
    resultTimeout: row.result_timeout,
    resultTimeoutMs: row.result_timeout_ms,
    silentAfter: row.silent_after,
    silentAfterMs: row.silent_after_ms,
    status: row.status,
    nextRunAt: row.next_run_at,
    firesPerHour: row.fires_per_hour,
    policies: policiesOf(row),
    skipNextAt: row.skip_next_at,
  };
}

/**
 * The facts of scheduleHealth, from the row alone (no execution is read): the latest
 * outcome and success the schedulers keep, and the unplanned next run as what may be
 * overdue.
 */
export function healthFactsOf(row: ScheduleAnswerRow): HealthFacts {
  return {
    status: row.status,
    createdAt: row.created_at,
    silentAfterMs: row.silent_after_ms,
    lastSuccessAt: row.last_success_at,
    lastFinishedStatus: row.last_outcome,
    overdueSince: row.status === 'active' ? row.next_run_at : null,
  };
}

export function policiesOf(row: ScheduleRow): SchedulePolicies {
  return {
    catchUpWindow: row.catch_up_window,
    exclusions: row.exclusions,
    calendarIds: row.calendar_ids,
    flexibleWindow: row.flexible_window,
    pausedUntil: row.paused_until,
    overlapPolicy: row.overlap_policy,
    dstGapPolicy: row.dst_gap_policy,
    dstOverlapPolicy: row.dst_overlap_policy,
  };
}

function policiesResponseOf(row: ScheduleAnswerRow): SchedulePoliciesResponse {
  return {
    catchUpWindow: row.catch_up_window,
    exclusions: row.exclusions,
    calendarIds: row.calendar_ids,
    flexibleWindow: row.flexible_window,
    pausedUntil: row.paused_until?.toISOString() ?? null,
    overlapPolicy: row.overlap_policy,
    skipNextAt: row.skip_next_at?.toISOString() ?? null,
    dstGapPolicy: row.dst_gap_policy,
    dstOverlapPolicy: row.dst_overlap_policy,
  };
}
