import { auditEventCte } from '../audit/audit-events.sql';

/**
 * Every statement of the schedule API, in one place. Conventions as in
 * libs/domain/src/persistence/claims.sql.ts: lowercase, explicit casts, one comment per
 * statement stating what it relies on. Keyset pagination reads its sort keys as UTC
 * text with microseconds (`*_key` columns) so cursors are exact (see cursor.ts).
 */

/**
 * The time-policy columns (migration 1734000000000). Every insert and update writes them
 * from 9 parameters placed after those of its audit event (policyValues), so the
 * statements' other parameter numbers stay as they were.
 */
const POLICY_COLUMNS = `catch_up_window, exclusions, calendar_ids, flexible_window, paused_until, overlap_policy, skip_next_at, dst_gap_policy, dst_overlap_policy`;

/** The values of POLICY_COLUMNS from parameter `first` on (repository: policyParams). */
function policyValues(first: number): string {
  return [
    'text',
    'jsonb',
    'uuid[]',
    'text',
    'timestamptz',
    'text',
    'timestamptz',
    'text',
    'text',
  ]
    .map((cast, i) => `$${first + i}::${cast}`)
    .join(', ');
}

/**
 * Silence alerting and health (migration 1734200000000): silentAfter as given, the facts
 * the schedulers keep (last_success_at, last_outcome), and the statement's time, so the
 * health of every row of an answer is computed on the database clock (scheduleHealth).
 */
const HEALTH_COLUMNS = `silent_after, silent_after_ms::float8 as silent_after_ms, last_success_at, last_outcome,
statement_timestamp() as read_at`;

const SCHEDULE_COLUMNS = `id, name, owner, metadata, schedule, trigger, status, next_run_at, misfire_policy, max_attempts,
result_timeout, result_timeout_ms::float8 as result_timeout_ms, fires_per_hour, created_at, updated_at, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_at_key, to_char(next_run_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as next_run_at_key,
${POLICY_COLUMNS}, ${HEALTH_COLUMNS}`;

const EXECUTION_COLUMNS = `id, schedule_id, scheduled_at, due_at, fired_at, finished_at, status, attempts, max_attempts,
scheduler_id, response_status, error, reason, occurrence_count, last_scheduled_at,
result_status, result_output, result_error, result_reported_at,
to_char(scheduled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as scheduled_at_key`;

const INSERT_COLUMNS = `id, name, owner, metadata, schedule_type, schedule, trigger_type, trigger,
misfire_policy, max_attempts, status, next_run_at, fires_per_hour, result_timeout, result_timeout_ms, ${POLICY_COLUMNS},
silent_after, silent_after_ms`;

/**
 * The values of INSERT_COLUMNS; the result timeout (text, ms) comes last in the
 * statement's parameters, at `resultTimeoutAt` and the one after, so the numbering of
 * the parameters before it stays as it was.
 */
function insertValues(resultTimeoutAt: number): string {
  return `$1::uuid, $2::text, $3::text, $4::jsonb, $5::text, $6::jsonb, $7::text, $8::jsonb,
$9::text, $10::int, $11::text, $12::timestamptz, $13::int, $${resultTimeoutAt}::text, $${resultTimeoutAt + 1}::bigint`;
}

/** The event of a change to the schedule rows in `from` (audit-events.sql.ts). */
function scheduleEvent(from: string, first: number): string {
  return auditEventCte(from, first, {
    owner: `${from}.owner`,
    resourceId: `${from}.id`,
    scheduleId: `${from}.id`,
  });
}

/**
 * Creates a schedule without a quota check (an owner-less one, which no quota counts,
 * or the slow path of OwnerQuotas), with its `schedule.created` event.
 * jsonb values arrive as JSON text. $14..$18 the event (auditEventParams), $19..$20
 * the result timeout, $21..$29 the policies, $30..$31 silentAfter (text, ms).
 */
export const INSERT_SCHEDULE = `
with inserted as (
insert into schedules (${INSERT_COLUMNS})
values (${insertValues(19)}, ${policyValues(21)}, $30::text, $31::bigint)
returning ${SCHEDULE_COLUMNS}
), ${scheduleEvent('inserted', 14)}
select * from inserted
`;

/**
 * Creates an owner's schedule and counts it in the owner's totals, in one statement
 * (one round trip, atomic), unless that would take the owner over a quota: then
 * nothing is written and no row is returned. The upsert of owner_usage locks the
 * owner's row until commit, so concurrent creations of one owner are counted one
 * after the other and cannot overshoot; the check is made on the latest committed
 * totals (ON CONFLICT DO UPDATE re-reads them under the lock). A schedule that adds no
 * fires (a one-shot) skips the fires check, as in checkOwnerUsage.
 * $1..$13 as INSERT_SCHEDULE ($3 the owner, $13 its fires per hour; it is created
 * active), $14 max schedules, $15 max fires per hour; 0 = unlimited; $16..$20 the
 * `schedule.created` event, written only with the schedule; $21..$22 the result
 * timeout; $23..$31 the policies; $32..$33 silentAfter (text, ms).
 */
export const INSERT_SCHEDULE_WITHIN_QUOTA = `
with usage as (
insert into owner_usage as u (owner, schedules, fires_per_hour)
select $3::text, 1, $13::int
where $15::bigint = 0 or $13::int <= $15::bigint
on conflict (owner) do update
set schedules = u.schedules + 1,
fires_per_hour = u.fires_per_hour + excluded.fires_per_hour
where ($14::int = 0 or u.schedules < $14::int)
and ($15::bigint = 0 or excluded.fires_per_hour = 0 or u.fires_per_hour + excluded.fires_per_hour <= $15::bigint)
returning owner
), inserted as (
insert into schedules (${INSERT_COLUMNS})
select ${insertValues(21)}, ${policyValues(23)}, $32::text, $33::bigint
from usage
returning ${SCHEDULE_COLUMNS}
), ${scheduleEvent('inserted', 16)}
select * from inserted
`;

/**
 * The rows of INSERT_SCHEDULES: one JSON object per schedule, keys the column names
 * (repository: batchRow), plus `audit_id`, the id of its `schedule.created` event.
 * jsonb_to_recordset casts each to its column's type; a JSON null is SQL null.
 */
const BATCH_ROW_TYPES = `id uuid, name text, owner text, metadata jsonb, schedule_type text, schedule jsonb, trigger_type text, trigger jsonb,
misfire_policy text, max_attempts int, status text, next_run_at timestamptz, fires_per_hour int, result_timeout text, result_timeout_ms bigint,
catch_up_window text, exclusions jsonb, calendar_ids uuid[], flexible_window text, paused_until timestamptz, overlap_policy text, skip_next_at timestamptz,
dst_gap_policy text, dst_overlap_policy text, silent_after text, silent_after_ms bigint, audit_id uuid`;

/**
 * Creates many schedules in one statement (POST /schedules/batch): $1 a JSON array of
 * rows (BATCH_ROW_TYPES), each with its `schedule.created` event ($2..$6, whose details
 * get each row's schedule and trigger type, as a single creation's). No quota check:
 * the caller has added the batch to its owners' totals in the same transaction
 * (OwnerQuotas.addBatch). The events are written from the input rows, not from
 * `inserted`: the statement has no ON CONFLICT, so every row is inserted or the
 * statement fails. Only what the caller does not hold comes back, as one row: how many
 * were inserted, their times (every row takes the columns' default, now(), the
 * transaction's start, so one value holds for all) and the statement's, for their
 * health (insertedRow); not a row per schedule for node-postgres to parse. The ids are
 * time-ordered (newTimeOrderedId), so both primary keys are appended to, not written
 * at random pages (docs/performance.md "Bulk creation: … evening").
 */
export const INSERT_SCHEDULES = `
with r as materialized (
select * from jsonb_to_recordset($1::jsonb) as r(${BATCH_ROW_TYPES})
), inserted as (
insert into schedules (${INSERT_COLUMNS})
select ${INSERT_COLUMNS}
from r
returning created_at, updated_at
), ${auditEventCte('r', 2, {
  id: 'r.audit_id',
  owner: 'r.owner',
  resourceId: 'r.id',
  scheduleId: 'r.id',
  details: `$6::jsonb || jsonb_build_object('scheduleType', r.schedule_type, 'triggerType', r.trigger_type)`,
})}
select count(*)::int as inserted, min(created_at) as created_at, max(created_at) as last_created_at,
min(updated_at) as updated_at, statement_timestamp() as read_at
from inserted
`;

export const SELECT_SCHEDULE = `
select ${SCHEDULE_COLUMNS}
from schedules
where id = $1::uuid
`;

/**
 * Every write that may change when a schedule fires starts with this, inside its
 * transaction. A scheduler's plan transaction locks the same row with SKIP LOCKED, so
 * while we hold it the planner skips the schedule, and once we commit it reads our
 * next_run_at: an edit never interleaves with planning.
 */
export const LOCK_SCHEDULE = `
select ${SCHEDULE_COLUMNS}
from schedules
where id = $1::uuid
for update
`;

/**
 * Writes the new state of a schedule locked by LOCK_SCHEDULE, with the event of the
 * change (an edit, a pause, a resume: $14..$18), the result timeout $19..$20, the
 * policies $21..$29, silentAfter $30..$31; `version`
 * counts user edits.
 */
export const UPDATE_SCHEDULE = `
with updated as (
update schedules
set name = $2::text,
owner = $3::text,
metadata = $4::jsonb,
schedule_type = $5::text,
schedule = $6::jsonb,
trigger_type = $7::text,
trigger = $8::jsonb,
misfire_policy = $9::text,
max_attempts = $10::int,
status = $11::text,
next_run_at = $12::timestamptz,
fires_per_hour = $13::int,
result_timeout = $19::text,
result_timeout_ms = $20::bigint,
(${POLICY_COLUMNS}) = (${policyValues(21)}),
silent_after = $30::text,
silent_after_ms = $31::bigint,
version = version + 1,
updated_at = now()
where id = $1::uuid
returning ${SCHEDULE_COLUMNS}
), ${scheduleEvent('updated', 14)}
select * from updated
`;

/**
 * Executions cascade (executions.schedule_id references schedules on delete cascade).
 * $2 the caller's owner, or null for a caller that sees every owner: another owner's
 * schedule is left alone and reads as not found. The schedule leaves its owner's
 * totals in the same statement (as SUBTRACT_OWNER_USAGE: never below 0); the row lock
 * order is the schedule's, then the owner's, as in every edit. $3..$7 the
 * `schedule.deleted` event, written only when a row was deleted.
 */
export const DELETE_SCHEDULE = `
with deleted as (
delete from schedules
where id = $1::uuid
and ($2::text is null or owner = $2::text)
returning id, owner, status, fires_per_hour
), usage as (
update owner_usage u
set schedules = greatest(u.schedules - 1, 0),
fires_per_hour = greatest(u.fires_per_hour - case when d.status = 'paused' then 0 else d.fires_per_hour end, 0)
from deleted d
where u.owner = d.owner
), ${scheduleEvent('deleted', 3)}
select id from deleted
`;

/**
 * After pause or an edit of the timing: pending executions due more than 2 s from now
 * will never fire. Those due sooner may already sit in a scheduler's timer queue
 * (look-ahead <= 2 s) and are left to fire: that is the documented 2-second window.
 * Uses the database clock, like every due-ness decision. A scheduler that still holds
 * one of them loses it at its next fenced write (status is no longer 'pending').
 * $1 schedule id, $2 reason.
 */
export const CANCEL_LATER_PENDING_EXECUTIONS = `
update executions
set status = 'cancelled',
finished_at = now(),
error = $2::text
where schedule_id = $1::uuid
and status = 'pending'
and due_at > now() + interval '2 seconds'
`;

/**
 * Run-now: locks the schedule against a concurrent delete (key share: edits and
 * planning are not blocked) and reads the database clock, truncated to milliseconds so
 * the stored scheduled_at equals the instant the execution id is derived from.
 */
export const SELECT_FOR_RUN_NOW = `
select max_attempts, owner, date_trunc('milliseconds', now()) as now
from schedules
where id = $1::uuid
for key share
`;

/**
 * Run-now: an unleased pending execution due at once; any scheduler claims it (through
 * executions_unleased_due_idx). A second run-now in the same millisecond is the same
 * occurrence: nothing is inserted and the caller reads the existing row.
 * Its `schedule.triggered` event is written with the execution only.
 * $1 id, $2 schedule id, $3 scheduled/due time, $4 max attempts, $5 the schedule's
 * owner, $6..$10 the event.
 */
export const INSERT_RUN_NOW_EXECUTION = `
with inserted as (
insert into executions (id, schedule_id, scheduled_at, due_at, status, max_attempts)
values ($1::uuid, $2::uuid, $3::timestamptz, $3::timestamptz, 'pending', $4::int)
on conflict (schedule_id, scheduled_at) do nothing
returning ${EXECUTION_COLUMNS}
), ${auditEventCte('inserted', 6, { owner: '$5::text', resourceId: 'inserted.schedule_id', scheduleId: 'inserted.schedule_id' })}
select * from inserted
`;

export const SELECT_EXECUTION = `
select ${EXECUTION_COLUMNS}
from executions
where id = $1::uuid
`;

/** Wakes every listening scheduler; delivered when the transaction commits. */
export const NOTIFY = `select pg_notify($1::text, $2::text)`;

/** $2 as in DELETE_SCHEDULE. */
export const SCHEDULE_EXISTS = `select 1 from schedules where id = $1::uuid and ($2::text is null or owner = $2::text)`;

/**
 * One page of GET /schedules, oldest first, by keyset on (created_at, id). Rows that
 * existed when a client started paging never move, so each is returned exactly once
 * however many rows are inserted meanwhile. Each filter combination has a fixed text
 * so every variant gets a plan on its own index:
 * schedules_list_idx, schedules_owner_list_idx, schedules_status_list_idx.
 * Fetches limit + 1 rows: the extra one only says whether a next page exists.
 */
export function listSchedulesSql(query: {
  owner?: string;
  status?: string;
  q?: string;
  cursor?: { at: string; id?: string };
  nextRunCursor?: { at: string | null; id: string };
  sort?: 'nextRunAt';
  limit: number;
  /** Adds `recent_executions` to each row (recentExecutionsSql). */
  recentExecutions?: number;
}): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  if (query.owner !== undefined)
    where.push(`owner = ${param(query.owner, 'text')}`);
  if (query.status !== undefined)
    where.push(`status = ${param(query.status, 'text')}`);
  if (query.q !== undefined)
    // A filter on the rows the keyset index walks, not an index lookup: see docs/api.md.
    where.push(
      `name ilike '%' || ${param(escapeLike(query.q), 'text')} || '%'`,
    );
  if (query.cursor !== undefined) {
    where.push(
      `(created_at, id) > (${param(query.cursor.at, 'timestamp')} at time zone 'UTC', ${param(query.cursor.id, 'uuid')})`,
    );
  }
  if (query.nextRunCursor !== undefined) {
    const { at, id } = query.nextRunCursor;
    // Ascending with nulls last: after a dated row come later dates, then every null;
    // after a null row only nulls with a greater id.
    where.push(
      at === null
        ? `(next_run_at is null and id > ${param(id, 'uuid')})`
        : `((next_run_at, id) > (${param(at, 'timestamp')} at time zone 'UTC', ${param(id, 'uuid')}) or next_run_at is null)`,
    );
  }
  const limit = param(query.limit + 1, 'int');
  const order =
    query.sort === 'nextRunAt'
      ? 'next_run_at nulls last, id'
      : 'created_at, id';
  const page = `
select ${SCHEDULE_COLUMNS}
from schedules${where.length > 0 ? `\nwhere ${where.join('\nand ')}` : ''}
order by ${order}
limit ${limit}
`;
  if (query.recentExecutions === undefined) return { sql: page, params };
  return {
    sql: withRecentExecutions(
      page,
      order,
      param(query.recentExecutions, 'int'),
    ),
    params,
  };
}

/**
 * A page of schedules with each one's latest executions, in the same statement: the
 * page is cut first (its own plan, unchanged), then a LATERAL subquery reads at most
 * `count` executions per row backwards through executions_occurrence_key
 * (schedule_id, scheduled_at), so the cost is page size × count index rows, however
 * long each history is. Ordering again outside is a sort of limit + 1 rows: a join
 * does not promise to keep the subquery's order. Times are sent as ISO text with
 * milliseconds (UTC), as every other answer has them.
 */
function withRecentExecutions(
  page: string,
  order: string,
  count: string,
): string {
  return `
select page.*, recent.recent_executions
from (${page}) as page
cross join lateral (
select coalesce(json_agg(json_build_object(
'id', e.id,
'scheduled_at', to_char(e.scheduled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
'fired_at', to_char(e.fired_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
'status', e.status
) order by e.scheduled_at desc), '[]'::json) as recent_executions
from (
select id, scheduled_at, fired_at, status
from executions
where schedule_id = page.id
order by scheduled_at desc
limit ${count}
) as e
) as recent
order by ${order
    .split(', ')
    .map((key) => `page.${key}`)
    .join(', ')}
`;
}

/** Makes `%`, `_` and `\\` in a search text match themselves in LIKE (escape char `\\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * One page of a schedule's history, newest scheduled first. scheduled_at is unique per
 * schedule (executions_occurrence_key), so it alone is the keyset, read backwards
 * through that same index. Two texts rather than `$2 is null or …`, so the cursor is an
 * index condition, not a filter. $1 schedule id, $2 limit + 1, $3 cursor.
 */
export function listExecutionsSql(afterCursor: boolean): string {
  return `
select ${EXECUTION_COLUMNS}
from executions
where schedule_id = $1::uuid${afterCursor ? `\nand scheduled_at < $3::timestamp at time zone 'UTC'` : ''}
order by scheduled_at desc
limit $2::int
`;
}
