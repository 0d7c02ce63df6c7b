/**
 * The statements that keep `owner_usage` (an owner's totals: schedules and fires per
 * hour) equal to what its schedules add up to, and check them against the quotas.
 * Every change of an owner's totals locks the owner's row until its transaction ends,
 * so changes of one owner are counted one at a time. Statements that add check the
 * new totals; statements that subtract never refuse. The creation of a schedule and
 * its deletion count themselves (INSERT_SCHEDULE_WITHIN_QUOTA, DELETE_SCHEDULE in
 * schedules.sql.ts).
 */

/**
 * Adds non-negative amounts to an owner's totals, unless an amount that grows would
 * take its total over the limit: then nothing changes and no row is returned.
 * $1 owner, $2 schedules, $3 fires per hour, $4 max schedules, $5 max fires per hour
 * (0 = unlimited).
 */
export const ADD_OWNER_USAGE = `
insert into owner_usage as u (owner, schedules, fires_per_hour)
select $1::text, $2::int, $3::bigint
where ($4::int = 0 or $2::int <= $4::int)
and ($5::bigint = 0 or $3::bigint <= $5::bigint)
on conflict (owner) do update
set schedules = u.schedules + excluded.schedules,
fires_per_hour = u.fires_per_hour + excluded.fires_per_hour
where ($4::int = 0 or excluded.schedules = 0 or u.schedules + excluded.schedules <= $4::int)
and ($5::bigint = 0 or excluded.fires_per_hour = 0 or u.fires_per_hour + excluded.fires_per_hour <= $5::bigint)
returning owner
`;

/**
 * Subtracts non-negative amounts. Never below 0: totals that drifted (schedules
 * written by hand in SQL) heal at the next recount instead of failing an edit.
 * $1 owner, $2 schedules, $3 fires per hour.
 */
export const SUBTRACT_OWNER_USAGE = `
update owner_usage
set schedules = greatest(schedules - $2::int, 0),
fires_per_hour = greatest(fires_per_hour - $3::bigint, 0)
where owner = $1::text
`;

/**
 * The slow path of a refusal, step 1: lock the owner's row (creating it when missing)
 * so that no other change of this owner runs until we commit. $1 owner.
 */
export const LOCK_OWNER_USAGE = `
insert into owner_usage as u (owner)
values ($1::text)
on conflict (owner) do update
set owner = u.owner
`;

/**
 * Step 2, under that lock: the owner's exact totals, counted from its schedules (a
 * scan of its rows through schedules_owner_list_idx). A refusal is only ever given on
 * these, so totals that drifted upwards cannot refuse what the quota allows.
 * $1 owner.
 */
export const COUNT_OWNER_USAGE = `
select count(*)::int as schedules,
coalesce(sum(fires_per_hour) filter (where status <> 'paused'), 0)::float8 as fires_per_hour
from schedules
where owner = $1::text
`;

/** Step 3: store the recounted totals plus what is being added. $1 owner, $2 schedules, $3 fires per hour. */
export const SET_OWNER_USAGE = `
update owner_usage
set schedules = $2::int,
fires_per_hour = $3::bigint
where owner = $1::text
`;
