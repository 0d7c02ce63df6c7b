import type { TriggerSpec } from '../trigger/trigger-spec';
import type { OverlapState } from '../schedule/plan-policies';
import type {
  CalendarTableRow,
  ExecutionTableRow,
  ScheduleTableRow,
  SigningSecretTableRow,
} from './rows';

/**
 * Every statement the scheduler runs on its hot path, in one place (the benchmark
 * measures the same text), each with the type of the rows it returns beside it.
 * Conventions:
 * - Due-ness is always decided against a `now` passed in as `$n::timestamptz` (the
 *   scheduler's OffsetClock, which follows the database clock), never against the SQL
 *   `now()`, so tests control both sides and every statement agrees on one instant.
 * - Every write that follows a claim is fenced on `lease_owner` + `lease_version` +
 *   `status = 'pending'`: the affected rows (returned) are the facts; a row missing from
 *   the result means the lease was lost (taken over, cancelled, deleted).
 * - Batches travel as parallel arrays through `unnest`, one round trip per batch.
 * - Durations are milliseconds (`$n::int * interval '1 millisecond'`).
 */

/**
 * Plan stage, step 1 (inside a transaction). Locks active schedules whose next_run_at
 * falls within the look-ahead, oldest first. SKIP LOCKED: a schedule another scheduler
 * is planning, or the API is editing, is simply left for the next round, so no two
 * schedulers ever plan the same occurrence, and nobody waits. Uses schedules_due_idx.
 * With each schedule come its time policies (plain columns); what they need from other
 * rows is PLAN_POLICY_STATE's, run only for a batch with schedules that use it.
 * $1 now, $2 look-ahead ms, $3 batch size.
 */
export const PLAN_DUE_SCHEDULES = `
select id, name, owner, metadata, schedule, trigger, misfire_policy, max_attempts, next_run_at,
dst_gap_policy, dst_overlap_policy, catch_up_window, exclusions, calendar_ids, flexible_window, overlap_policy, skip_next_at
from schedules
where status = 'active'
and next_run_at <= $1::timestamptz + $2::int * interval '1 millisecond'
order by next_run_at
limit $3::int
for update skip locked
`;

/**
 * Plan stage, step 0 (no transaction): whether PLAN_DUE_SCHEDULES would find anything,
 * on the same index (schedules_due_idx). An idle scheduler runs this instead of a plan
 * transaction of three statements (ClaimsRepository.planDue). $1 now, $2 look-ahead ms.
 */
export const ANY_SCHEDULE_DUE = `
select exists (
select 1
from schedules
where status = 'active'
and next_run_at <= $1::timestamptz + $2::int * interval '1 millisecond'
) as due
`;

/** A row of PLAN_DUE_SCHEDULES: next_run_at is set, the schedule is due. */
export type PlanDueScheduleRow = Pick<
  ScheduleTableRow,
  | 'id'
  | 'name'
  | 'owner'
  | 'metadata'
  | 'schedule'
  | 'trigger'
  | 'misfire_policy'
  | 'max_attempts'
  | 'dst_gap_policy'
  | 'dst_overlap_policy'
  | 'catch_up_window'
  | 'exclusions'
  | 'calendar_ids'
  | 'flexible_window'
  | 'overlap_policy'
  | 'skip_next_at'
> & { next_run_at: Date };

/**
 * Plan stage, step 1b, same transaction, only when the batch has schedules that name
 * calendars or whose overlap policy is not `allow` (so a batch without them costs what
 * it did before the policies existed). For those schedules ($1; locked by step 1), in
 * one statement:
 * - `calendars`: the calendars calendar_ids names, with their exclusions, in that order
 *   (primary-key lookups), or null when it names none;
 * - `overlap_state` (plan-policies.ts OverlapState), or null when the policy is `allow`
 *   or there is no previous execution: the most recent execution that was not skipped,
 *   read backwards on the (schedule_id, scheduled_at) unique index, past the skipped
 *   rows since it. `buffered`: pending at due_at infinity (held by buffer_one);
 *   `running`: pending (not delivered yet, or retrying), or delivered (`succeeded`)
 *   without a result report while it still waits for one (a result deadline is set) or
 *   waits without end (the schedule has no resultTimeout); `finished` otherwise.
 * $1 schedule ids.
 */
export const PLAN_POLICY_STATE = `
select s.id,
case when s.calendar_ids <> '{}' then (
select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'exclusions', c.exclusions)
order by array_position(s.calendar_ids, c.id)), '[]'::jsonb)
from calendars c
where c.id = any(s.calendar_ids)
) end as calendars,
case when s.overlap_policy <> 'allow' then (
select case
when p.status = 'pending' and p.due_at = 'infinity' then 'buffered'
when p.status = 'pending' then 'running'
when p.status = 'succeeded' and p.result_status is null
and (p.result_deadline_at is not null or s.result_timeout_ms is null) then 'running'
else 'finished'
end
from executions p
where p.schedule_id = s.id
and p.status <> 'skipped'
order by p.scheduled_at desc
limit 1
) end as overlap_state
from schedules s
where s.id = any($1::uuid[])
`;

/** A row of PLAN_POLICY_STATE. */
export interface PlanPolicyStateRow {
  id: string;
  /** Null unless the schedule names calendars. */
  calendars: Pick<CalendarTableRow, 'id' | 'name' | 'exclusions'>[] | null;
  /** Null when overlap_policy is `allow`, or when there is no previous execution. */
  overlap_state: OverlapState | null;
}

/**
 * Plan stage, step 2. One row per planned occurrence: 'pending' rows due within the
 * plan horizon ($13 true) are born leased to the planner (lease_version 1) so they go
 * straight into its timer queue; 'pending' rows due later (a flexible window put their
 * due_at past the horizon, or buffer_one holds them at due_at infinity) are born
 * unleased, for CLAIM_DUE's unleased branch when they are due (infinity never is);
 * 'skipped' rows (occurrences not fired, with their reason; a range row stands for $10
 * occurrences up to $11) are born final, in the same statement, so the ledger and
 * next_run_at move together. due_at is $12 (null: the scheduled time). The id is
 * deterministic (executionIdFor), and an occurrence that already exists (e.g. a
 * concurrent run-now at the same instant) is left alone: the planner holds exactly the
 * rows returned, and counts exactly the skipped rows returned.
 * $1 ids, $2 schedule ids, $3 scheduled times, $4 statuses, $5 max attempts, $9 skip
 * reasons (null unless skipped), $10 occurrence counts, $11 last scheduled times (null
 * unless a range), $12 due times, $13 leased (arrays of one length), $6 owner, $7 now,
 * $8 lease ms.
 */
export const INSERT_PLANNED_EXECUTIONS = `
insert into executions (
id, schedule_id, scheduled_at, due_at, status, max_attempts,
lease_owner, lease_expires_at, lease_version, scheduler_id, finished_at,
reason, occurrence_count, last_scheduled_at
)
select o.id, o.schedule_id, o.scheduled_at, coalesce(o.due_at, o.scheduled_at), o.status, o.max_attempts,
case when o.status = 'pending' and o.leased then $6::text end,
case when o.status = 'pending' and o.leased then $7::timestamptz + $8::int * interval '1 millisecond' end,
case when o.status = 'pending' and o.leased then 1 else 0 end,
case when o.status = 'skipped' then $6::text end,
case when o.status = 'skipped' then $7::timestamptz end,
o.reason, o.occurrence_count, o.last_scheduled_at
from unnest(
$1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::int[],
$9::text[], $10::int[], $11::timestamptz[], $12::timestamptz[], $13::boolean[]
) as o (id, schedule_id, scheduled_at, status, max_attempts, reason, occurrence_count, last_scheduled_at, due_at, leased)
on conflict (schedule_id, scheduled_at) do nothing
returning id, schedule_id, scheduled_at, due_at, status, attempts, max_attempts, lease_version, lease_expires_at,
reason, occurrence_count
`;

/** A row of INSERT_PLANNED_EXECUTIONS (lease_expires_at is null for a 'skipped' one). */
export type PlannedExecutionRow = Pick<
  ExecutionTableRow,
  | 'id'
  | 'schedule_id'
  | 'scheduled_at'
  | 'due_at'
  | 'status'
  | 'attempts'
  | 'max_attempts'
  | 'lease_version'
  | 'lease_expires_at'
  | 'reason'
  | 'occurrence_count'
>;

/**
 * Plan stage, step 3, same transaction as step 1 (so the rows are still locked by us
 * and no fence is needed). Moves each planned schedule past what was just planned; a
 * schedule with no further occurrence becomes 'completed'; a skip-next mark the plan
 * passed ($4 true) is cleared. `version` is left alone: it is the API's
 * optimistic-concurrency token for user edits, not for planning.
 * $1 ids, $2 next run times (null when none), $3 statuses, $4 clear skip_next_at.
 */
export const ADVANCE_SCHEDULES = `
update schedules s
set next_run_at = a.next_run_at,
status = a.status,
skip_next_at = case when a.clear_skip_next then null else s.skip_next_at end,
updated_at = case when s.status = a.status then s.updated_at else now() end
from unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::boolean[]) as a (id, next_run_at, status, clear_skip_next)
where s.id = a.id
`;

/**
 * Fire stage: claims pending executions that nobody holds and that are due within the
 * look-ahead (retries, run-now, released on shutdown; executions_unleased_due_idx), and
 * pending executions whose holder let the lease expire (a dead or frozen scheduler;
 * executions_lease_expiry_idx), expired first because they are already late. At most
 * $3 rows in total. An occurrence buffered by buffer_one (due_at infinity) is never
 * within the look-ahead, so it is never claimed until something sets its due_at.
 * Both locking selects carry the full condition, so when SKIP LOCKED meets a row that
 * another scheduler claimed and committed a moment ago, PostgreSQL re-checks it against
 * the new version and drops it: a row is never claimed twice. Each claim bumps
 * lease_version, which fences every later write by the previous holder.
 * Always returns at least one row: all-null columns except db_now when nothing was
 * claimed, so every round trip re-measures the database clock.
 * $1 now, $2 look-ahead ms, $3 batch size, $4 owner, $5 lease ms.
 */
export const CLAIM_DUE = `
with expired as (
select id, lease_owner as previous_owner
from executions
where status = 'pending'
and lease_owner is not null
and lease_expires_at < $1::timestamptz
order by lease_expires_at
limit $3::int
for update skip locked
), unleased as (
select id, null::text as previous_owner
from executions
where status = 'pending'
and lease_owner is null
and due_at <= $1::timestamptz + $2::int * interval '1 millisecond'
order by due_at
limit $3::int
for update skip locked
), picked as (
select id, previous_owner from expired
union all
select id, previous_owner from unleased
limit $3::int
), claimed as (
update executions e
set lease_owner = $4::text,
lease_expires_at = $1::timestamptz + $5::int * interval '1 millisecond',
lease_version = e.lease_version + 1
from picked p
where e.id = p.id
and e.status = 'pending'
returning e.id, e.schedule_id, e.scheduled_at, e.due_at, e.attempts, e.max_attempts,
e.lease_version, e.lease_expires_at, e.fired_at, p.previous_owner
)
select c.id, c.schedule_id, c.scheduled_at, c.due_at, c.attempts, c.max_attempts,
c.lease_version, c.lease_expires_at, c.fired_at, c.previous_owner,
s.name as schedule_name, s.owner as schedule_owner, s.metadata as schedule_metadata,
s.trigger, clock_timestamp() as db_now
from (select 1) as one
left join (claimed c join schedules s on s.id = c.schedule_id) on true
`;

/**
 * A row of CLAIM_DUE. When nothing was claimed there is exactly one row, whose id (and
 * every column but db_now) is null.
 */
export type ClaimDueRow = Pick<
  ExecutionTableRow,
  | 'schedule_id'
  | 'scheduled_at'
  | 'due_at'
  | 'attempts'
  | 'max_attempts'
  | 'lease_version'
  | 'fired_at'
> & {
  id: string | null;
  lease_expires_at: Date;
  /** The owner of the expired lease this claim took over; null for unleased work. */
  previous_owner: string | null;
  schedule_name: string | null;
  schedule_owner: string | null;
  /** For {{metadata.<field>}} placeholders (trigger/template.ts). */
  schedule_metadata: Record<string, unknown> | null;
  trigger: TriggerSpec;
  db_now: Date;
};

/**
 * The held batch of a fenced write ($1 ids, $2 lease versions, parallel arrays) as rows
 * `h (id, lease_version, owner, status)`, each carrying the fence's owner ($owner) and
 * status ('pending'). The fence is compared through these columns, never as constants
 * on `executions`, on purpose: a constant condition (`e.lease_owner = $3 and e.status =
 * 'pending'`) lets the planner estimate the held rows from statistics taken when
 * almost nothing was leased (the executions_lease_expiry_idx subset is near empty
 * between bursts), guess one row, and drive a nested loop from executions that rescans
 * the whole batch for each held row: O(held × batch), 375–800 ms for a batch of 500–
 * 1,000 in a burst once the prepared statement went generic (docs/performance.md, "The
 * fence that made PostgreSQL scan"). With no condition of its own on executions, the
 * only cheap way in is the primary key, one lookup per batch row, whatever the
 * statistics say.
 */
function heldBatch(owner: string): string {
  return `unnest(
$1::uuid[], $2::int[],
${fenceArrays(owner)}
) as h (id, lease_version, owner, status)`;
}

/** The fence's owner and status as two arrays as long as the batch's ids ($1). */
function fenceArrays(owner: string): string {
  return `array_fill(${owner}::text, array[cardinality($1::uuid[])]),
array_fill('pending'::text, array[cardinality($1::uuid[])])`;
}

/** The fence of a write by the holder of `h` (heldBatch) on execution `e`. */
const HELD_FENCE = `e.id = h.id
and e.lease_owner = h.owner
and e.lease_version = h.lease_version
and e.status = h.status`;

/**
 * Extends the leases this scheduler still holds, fenced: a row another scheduler has
 * claimed since (version bumped), or that the API cancelled or deleted, is not returned,
 * and the caller stops holding it (drops it before firing, ignores its outcome).
 * $1 ids, $2 lease versions (parallel arrays), $3 owner, $4 now, $5 lease ms.
 */
export const RENEW_LEASES = `
update executions e
set lease_expires_at = $4::timestamptz + $5::int * interval '1 millisecond'
from ${heldBatch('$3')}
where ${HELD_FENCE}
returning e.id, e.lease_expires_at
`;

/**
 * Records attempt outcomes in one batch, fenced on the lease, and one execution_attempts
 * row per outcome written, in the same statement (one round trip per batch, as before
 * attempts existed). Each execution becomes 'succeeded' or 'failed' (finished_at set),
 * or stays 'pending' with a new due_at for a retry; the lease is released in every case,
 * so any scheduler claims the retry when it is due. fired_at keeps the first attempt's
 * start. A row that is not returned was taken over or removed, and its outcome is dropped
 * on purpose (its attempt row too): the new holder owns it now, and its own attempt with
 * the same number is the one recorded.
 * A delivery of a schedule with a result_timeout_ms starts the wait for the target's
 * report (result_deadline_at), unless the report already arrived (a quick target can
 * report before this batch is written).
 * $1 ids, $2 lease versions, $3 statuses, $4 attempts, $5 retry due_at (null unless
 * pending), $6 attempt start times, $7 finished_at (null when pending), $8 response
 * statuses, $9 errors, $11 attempt end times, $12 attempt outcomes, $13 the broker's
 * answers, $14 initiation latencies ms, $15 error classes (all parallel arrays),
 * $10 owner. The fence goes through r's held_by and held_status (fenceArrays), as heldBatch's does.
 */
export const COMPLETE_FIRES = `
with r as (
select *
from unnest(
$1::uuid[], $2::int[], $3::text[], $4::int[], $5::timestamptz[],
$6::timestamptz[], $7::timestamptz[], $8::int[], $9::text[],
$11::timestamptz[], $12::text[], $13::text[], $14::int[], $15::text[],
${fenceArrays('$10')}
) as r (
id, lease_version, status, attempts, retry_at, fired_at, finished_at, response_status, error,
attempt_finished_at, outcome, response, initiation_latency_ms, error_class, held_by, held_status
)
), done as (
update executions e
set status = r.status,
attempts = r.attempts,
due_at = coalesce(r.retry_at, e.due_at),
fired_at = coalesce(e.fired_at, r.fired_at),
finished_at = r.finished_at,
scheduler_id = $10::text,
response_status = r.response_status,
error = r.error,
lease_owner = null,
lease_expires_at = null,
result_deadline_at = case
when r.status = 'succeeded' and e.result_status is null and s.result_timeout_ms is not null
then r.finished_at + s.result_timeout_ms * interval '1 millisecond'
end
from r, schedules s
where e.id = r.id
and s.id = e.schedule_id
and e.lease_owner = r.held_by
and e.lease_version = r.lease_version
and e.status = r.held_status
returning e.id
), attempts as (
insert into execution_attempts (
execution_id, number, started_at, finished_at, outcome, response_status, response,
initiation_latency_ms, error_class, error_message, scheduler_id
)
select r.id, r.attempts, r.fired_at, r.attempt_finished_at, r.outcome, r.response_status, r.response,
r.initiation_latency_ms, r.error_class, r.error, $10::text
from r
join done on done.id = r.id
on conflict (execution_id, number) do nothing
)
select id from done
`;

/**
 * Result timeouts (housekeeping): delivered executions whose target did not report
 * within the schedule's resultTimeout become 'result_timeout', at most $2 per statement,
 * oldest deadline first (executions_result_deadline_idx). SKIP LOCKED: schedulers sweeping
 * at once, or a report being written, are not waited for (the report wins if it commits
 * first: it clears the deadline, and the re-check below sees that). Every picked row
 * leaves the index (deadline cleared); only rows still awaiting a report change status.
 * Returns the rows that timed out. $1 now, $2 batch size.
 */
export const EXPIRE_RESULT_DEADLINES = `
with due as (
select id
from executions
where result_deadline_at is not null
and result_deadline_at <= $1::timestamptz
order by result_deadline_at
limit $2::int
for update skip locked
)
update executions e
set status = case when e.status = 'succeeded' and e.result_status is null then 'result_timeout' else e.status end,
result_deadline_at = null
from due
where e.id = due.id
and e.result_deadline_at is not null
returning e.id, e.status
`;

/**
 * Graceful shutdown: gives back held executions that were not fired, fenced like every
 * other write, so any scheduler claims them at its next round instead of waiting for the
 * lease to run out.
 * $1 ids, $2 lease versions (parallel arrays), $3 owner.
 */
export const RELEASE_CLAIMS = `
update executions e
set lease_owner = null,
lease_expires_at = null
from ${heldBatch('$3')}
where ${HELD_FENCE}
returning e.id
`;

/**
 * Deletes at most $3 finished executions older than the retention, oldest first
 * (executions_finished_idx). Bounded so that one run never holds many locks or a long
 * transaction; SKIP LOCKED so that two schedulers pruning at once do not queue up.
 * $1 now, $2 retention ms, $3 batch size.
 */
export const PRUNE_EXECUTIONS = `
with doomed as (
select id
from executions
where finished_at is not null
and finished_at < $1::timestamptz - $2::bigint * interval '1 millisecond'
and status <> 'pending'
order by finished_at
limit $3::int
for update skip locked
)
delete from executions e
using doomed d
where e.id = d.id
`;

/**
 * The due backlog, for autoscaling metrics: work that should have started by $1 and has
 * not. Counts overdue unleased executions, executions whose lease expired, and active
 * schedules not yet planned, each capped at $2 so the cost stays bounded whatever the
 * backlog (every branch reads one partial index); the oldest due time comes from the
 * first entry of each index. An occurrence buffered by buffer_one (due_at infinity) is
 * never overdue: it waits for its previous one, not for a scheduler.
 * $1 now, $2 cap per kind.
 */
export const COUNT_DUE_BACKLOG = `
select
(select count(*) from (
select 1 from executions
where status = 'pending' and lease_owner is null and due_at <= $1::timestamptz
limit $2::int
) u)::int as overdue_unleased,
(select count(*) from (
select 1 from executions
where status = 'pending' and lease_owner is not null and lease_expires_at < $1::timestamptz
limit $2::int
) x)::int as expired_leases,
(select count(*) from (
select 1 from schedules
where status = 'active' and next_run_at <= $1::timestamptz
limit $2::int
) s)::int as overdue_schedules,
least(
(select min(due_at) from executions where status = 'pending' and lease_owner is null and due_at < 'infinity'),
(select min(next_run_at) from schedules where status = 'active'),
(select min(x.due_at) from (
select due_at from executions
where status = 'pending' and lease_owner is not null and lease_expires_at < $1::timestamptz
order by lease_expires_at
limit $2::int
) x)
) as oldest_due_at
`;

/** The single row of COUNT_DUE_BACKLOG. */
export interface DueBacklogRow {
  overdue_unleased: number;
  expired_leases: number;
  overdue_schedules: number;
  oldest_due_at: Date | null;
}

/**
 * The active signing secrets of one owner, oldest first (signing_secrets_active_idx).
 * The webhook provider caches the answer per owner for a few seconds, so this runs once
 * per owner and cache time, never once per fire. At most $2 rows: the API's cap, so a
 * row written past it by other means cannot make every delivery slower.
 * $1 owner, $2 limit.
 */
export const SELECT_ACTIVE_SIGNING_SECRETS = `
select id, secret
from signing_secrets
where owner = $1::text
and retired_at is null
order by created_at, id
limit $2::int
`;

/** A row of SELECT_ACTIVE_SIGNING_SECRETS: `secret` is sealed, or plain without SECRETS_KEY. */
export type ActiveSigningSecretRow = Pick<
  SigningSecretTableRow,
  'id' | 'secret'
>;

/**
 * One connection, as a broker provider opens it: read once per connection and cache
 * time (ConnectionSource), never once per fire. No row: the connection was deleted.
 * $1 id.
 */
export const SELECT_CONNECTION_FOR_FIRING = `
select id, owner, name, type, url_sealed
from connections
where id = $1::uuid
`;

/** A row of SELECT_CONNECTION_FOR_FIRING: `url_sealed` is sealed, or plain without SECRETS_KEY. */
export interface ConnectionForFiringRow {
  id: string;
  owner: string | null;
  name: string;
  type: string;
  url_sealed: string;
}

/** The database clock, read at the end of a round trip (OffsetClock calibration). */
export const READ_DATABASE_CLOCK = `
select clock_timestamp() as db_now
`;
