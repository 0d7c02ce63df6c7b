import type { ScheduleTableRow } from './rows';

/**
 * What the schedulers keep up beside planning and firing (issue 13; migration
 * 1734200000000): the end of a `pausedUntil` pause, the release of occurrences buffered
 * under `overlapPolicy: buffer_one`, and the facts schedule health is computed from.
 * Conventions as in claims.sql.ts: `now` comes in as a parameter, every sweep is bounded
 * and index-backed, SKIP LOCKED so that every scheduler may run it at once.
 */

/**
 * Pause-until, step 0 (no transaction): whether any pause has ended, on the same index
 * as LOCK_ENDED_PAUSES, so that the once-a-second sweep costs one statement, not a
 * transaction of three, while nothing is to be resumed. $1 now.
 */
export const ANY_ENDED_PAUSE = `
select exists (
select 1
from schedules
where status = 'paused'
and paused_until is not null
and paused_until <= $1::timestamptz
) as ended
`;

/**
 * Pause-until, step 1 (inside a transaction): locks paused schedules whose pause has
 * ended, oldest end first (schedules_paused_until_idx). SKIP LOCKED: a schedule the API
 * is editing (or another scheduler resuming) is left for the next sweep. The caller
 * computes each one's next_run_at in JS (firstRunAfterPause) and writes it with
 * RESUME_ENDED_PAUSES in the same transaction. $1 now, $2 batch size.
 */
export const LOCK_ENDED_PAUSES = `
select id, schedule, paused_until
from schedules
where status = 'paused'
and paused_until is not null
and paused_until <= $1::timestamptz
order by paused_until
limit $2::int
for update skip locked
`;

/** A row of LOCK_ENDED_PAUSES. */
export type EndedPauseRow = Pick<ScheduleTableRow, 'id' | 'schedule'> & {
  paused_until: Date;
};

/**
 * Pause-until, step 2, same transaction (the rows are still locked by us): the schedule
 * resumes as POST /resume would at the end of its pause (active with its next run, or
 * completed when nothing is left), and in the same statement:
 * - its rate goes back into its owner's totals (owner_usage counts no paused schedule;
 *   the pause was accepted, so the end of it is never refused by a quota);
 * - its history gets a `schedule.resumed` event with no key (actor null), `by:
 *   'scheduler'`, the scheduler's id and the note (audit_events, as the API writes them).
 * Occurrences inside the pause are not recorded: the pause is one entry, the end another.
 * $1 ids, $2 next run times (null when none), $3 statuses, $4 notes (parallel arrays),
 * $5 the scheduler's id.
 */
export const RESUME_ENDED_PAUSES = `
with r as (
select *
from unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[]) as r (id, next_run_at, status, note)
), resumed as (
update schedules s
set status = r.status,
next_run_at = r.next_run_at,
paused_until = null,
updated_at = now()
from r
where s.id = r.id
and s.status = 'paused'
returning s.id, s.owner, s.status, s.fires_per_hour, r.note
), usage as (
update owner_usage u
set fires_per_hour = u.fires_per_hour + a.fires_per_hour
from (
select owner, sum(fires_per_hour)::bigint as fires_per_hour
from resumed
where owner is not null and status = 'active'
group by owner
) a
where u.owner = a.owner
), audit as (
insert into audit_events (action, actor_key_id, actor_owner, resource_type, details, owner, resource_id, schedule_id)
select 'schedule.resumed', null, null, 'schedule',
jsonb_build_object('note', x.note, 'status', x.status, 'by', 'scheduler', 'schedulerId', $5::text),
x.owner, x.id, x.id
from resumed x
)
select id, status from resumed
`;

/**
 * Overlap policy `buffer_one`: releases held occurrences whose schedule has nothing
 * unfinished before them, by making them due (due_at = $1, or the database's now() when
 * $1 is null); CLAIM_DUE's unleased branch then claims them like a run-now.
 *
 * A buffered occurrence is a pending, unleased execution with due_at 'infinity'
 * (executions_buffered_idx; at most one per schedule). "Nothing unfinished before it"
 * (docs/time.md, "Overlap policy"): the schedule's latest execution scheduled before it
 * that is not `skipped` is finished, i.e. it is neither `pending` (firing, or waiting
 * for a retry) nor `succeeded` with no result reported (`result_status` null; a
 * `result_timeout` is finished). That row is found by one backward step of
 * executions_occurrence_key (schedule_id, scheduled_at), skipped rows stepped over.
 * SKIP LOCKED: a buffered row another scheduler (or the API) is releasing is left to it.
 * $1 now or null, $2 batch size, $3 one schedule's id, or null for every schedule (the
 * API runs it for the schedule a result was reported for, the schedulers for all).
 */
export const RELEASE_BUFFERED = `
with released as (
select b.id
from executions b
where b.status = 'pending'
and b.due_at = 'infinity'
and ($3::uuid is null or b.schedule_id = $3::uuid)
and not exists (
select 1
from (
select p.status, p.result_status
from executions p
where p.schedule_id = b.schedule_id
and p.scheduled_at < b.scheduled_at
and p.status <> 'skipped'
order by p.scheduled_at desc
limit 1
) previous
where previous.status = 'pending'
or (previous.status = 'succeeded' and previous.result_status is null)
)
order by b.scheduled_at
limit $2::int
for update of b skip locked
)
update executions e
set due_at = coalesce($1::timestamptz, now())
from released
where e.id = released.id
and e.status = 'pending'
and e.due_at = 'infinity'
returning e.id, e.schedule_id
`;

/**
 * Schedule health facts (schedule-health.ts), kept on the schedule so that no answer
 * and no metric reads executions: `last_outcome` is how the latest finished occurrence
 * ended, `last_success_at` when one last succeeded. Written after the outcomes of a
 * batch are recorded (its own statement, so no execution row stays locked while a
 * schedule row is waited for), by the result report and by the result-timeout sweep.
 *
 * Input: finished executions (the latest of each schedule counts). A `succeeded`
 * delivery of a schedule with a resultTimeout is not a success yet (the target's
 * report, or its absence, decides); without one it is. A row is written only when
 * something changes: the outcome, or a success more than a minute (or a tenth of
 * silentAfter, when shorter) newer than the stored one, so a healthy schedule firing
 * every second writes its row about once a minute, not once per fire. Rows are locked
 * in id order, so two schedulers writing overlapping batches cannot deadlock.
 * $1 execution ids, $2 outcomes ('succeeded' | 'failed' | 'result_timeout'), $3 when
 * each happened (null: the database's now()), $4 true when the outcome is the target's report (its `succeeded`
 * counts even with a resultTimeout) (parallel arrays).
 */
export const RECORD_SCHEDULE_OUTCOMES = `
with o as (
select distinct on (e.schedule_id) e.schedule_id as id, o.outcome, coalesce(o.at, now()) as at
from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::bool[]) as o (execution_id, outcome, at, reported)
join executions e on e.id = o.execution_id
join schedules s on s.id = e.schedule_id
where o.outcome <> 'succeeded' or o.reported or s.result_timeout_ms is null
order by e.schedule_id, coalesce(o.at, now()) desc
), target as (
select s.id, o.outcome, o.at
from schedules s
join o on o.id = s.id
where s.last_outcome is distinct from o.outcome
or (o.outcome = 'succeeded' and (s.last_success_at is null
or s.last_success_at < o.at - least(coalesce(s.silent_after_ms / 10, 60000), 60000) * interval '1 millisecond'))
order by s.id
for update of s
)
update schedules s
set last_outcome = t.outcome,
last_success_at = case when t.outcome = 'succeeded' then greatest(s.last_success_at, t.at) else s.last_success_at end
from target t
where s.id = t.id
returning s.id
`;

/**
 * The health gauge (scheduleman_schedules{health}): how many schedules are silent,
 * failing or late, by the precedence of scheduleHealth (silent, then failing, then
 * late), counted on schedules_health_idx and schedules_due_idx only and capped at $2
 * candidates, so its cost is bounded whatever the table holds. Silent: active, with
 * silentAfter, and no success (or since creation, none) for longer; failing: the latest
 * outcome failed or timed out; late: active with next_run_at more than $3 ms ago.
 * $1 now, $2 cap, $3 lateness threshold ms.
 */
export const COUNT_SCHEDULE_HEALTH = `
select
count(*) filter (where silent)::int as silent,
count(*) filter (where not silent and failing)::int as failing,
count(*) filter (where not silent and not failing and late)::int as late
from (
select
(status = 'active' and silent_after_ms is not null
and coalesce(last_success_at, created_at) < $1::timestamptz - silent_after_ms * interval '1 millisecond') as silent,
coalesce(last_outcome in ('failed', 'result_timeout'), false) as failing,
(status = 'active' and next_run_at < $1::timestamptz - $3::int * interval '1 millisecond') as late
from schedules
where silent_after_ms is not null
or last_outcome in ('failed', 'result_timeout')
or (status = 'active' and next_run_at < $1::timestamptz - $3::int * interval '1 millisecond')
limit $2::int
) c
`;

/** The single row of COUNT_SCHEDULE_HEALTH. */
export interface ScheduleHealthCountRow {
  silent: number;
  failing: number;
  late: number;
}
