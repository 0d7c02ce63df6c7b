/**
 * The statements of the execution detail, its attempts and result reports. Conventions
 * as in schedules.sql.ts.
 */

/** The execution columns every answer needs (toExecutionResponse). */
export const EXECUTION_DETAIL_COLUMNS = `e.id, e.schedule_id, e.scheduled_at, e.due_at, e.fired_at, e.finished_at, e.status, e.attempts,
e.max_attempts, e.scheduler_id, e.response_status, e.error, e.result_status, e.result_output, e.result_error,
e.result_reported_at`;

/**
 * One execution with its schedule's owner (owner scoping happens in the service, so
 * another owner's execution reads exactly like a missing one). $1 execution id.
 */
export const SELECT_EXECUTION_WITH_OWNER = `
select ${EXECUTION_DETAIL_COLUMNS}, s.owner
from executions e
join schedules s on s.id = e.schedule_id
where e.id = $1::uuid
`;

/**
 * A result report: locks the execution (a second report waits for the first, so the
 * first one wins), and says whether a stored report equals this one (jsonb equality
 * ignores key order and whitespace). $1 id, $2 status, $3 output (JSON text or null),
 * $4 error.
 */
export const LOCK_EXECUTION_FOR_RESULT = `
select e.id, e.schedule_id, e.status, e.result_status, s.owner,
(e.result_status = $2::text
and e.result_output is not distinct from $3::jsonb
and e.result_error is not distinct from $4::text) as same_report
from executions e
join schedules s on s.id = e.schedule_id
where e.id = $1::uuid
for update of e
`;

/**
 * Stores the first report and stops the wait for it (result_deadline_at leaves the
 * sweep's index). The execution's status is left alone: `succeeded` or `failed` say how
 * the delivery went, and a `result_timeout` stays one (the report was late).
 * $1 id, $2 status, $3 output, $4 error.
 */
export const STORE_RESULT = `
update executions e
set result_status = $2::text,
result_output = $3::jsonb,
result_error = $4::text,
result_reported_at = now(),
result_deadline_at = null
where e.id = $1::uuid
and e.result_status is null
`;

/**
 * One page of an execution's attempts, oldest first, by keyset on the attempt number
 * (execution_attempts_pkey). $1 execution id, $2 limit + 1, $3 after this number (0: first page).
 */
export const LIST_ATTEMPTS = `
select number, started_at, finished_at, outcome, response_status, response,
initiation_latency_ms, error_class, error_message, scheduler_id
from execution_attempts
where execution_id = $1::uuid
and number > $3::int
order by number
limit $2::int
`;
