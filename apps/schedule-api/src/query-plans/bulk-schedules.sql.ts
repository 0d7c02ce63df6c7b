/**
 * Synthetic schedules for query-plan checks (tools/explain-due.mjs with 1 000 000 rows,
 * query-plans.int-spec.ts with 20 000). A realistic mix: 90 % active with next_run_at
 * spread uniformly over the next `$4` days, 7 % paused and 3 % completed (next_run_at
 * null), `$3` owners, created_at 30 s apart going back in time (row $5 is the newest).
 * $1 first row number, $2 last row number, $3 owners, $4 days of spread, $5 total rows.
 */
export const INSERT_BULK_SCHEDULES = `
insert into schedules (
id, name, owner, metadata, schedule_type, schedule, trigger_type, trigger,
misfire_policy, max_attempts, status, next_run_at, created_at, updated_at
)
select gen_random_uuid(), 'bulk schedule ' || i, 'owner-' || (i % $3::int), jsonb_build_object('batch', i / 1000),
'cron', jsonb_build_object('type', 'cron', 'expression', (i % 60) || ' * * * *', 'timezone', 'UTC'),
'webhook', jsonb_build_object('type', 'webhook', 'url', 'http://task-pretender:3100/tasks/' || (i % 100), 'method', 'POST', 'headers', '{}'::jsonb),
'fire_once', 5, s.status,
case when s.status = 'active' then now() + random() * ($4::int * interval '1 day') end,
now() - ($5::int - i) * interval '30 seconds', now() - ($5::int - i) * interval '30 seconds'
from generate_series($1::int, $2::int) as i
cross join lateral (
select case when i % 100 < 90 then 'active' when i % 100 < 97 then 'paused' else 'completed' end as status
) as s
`;

/** The created_at key and id of the n-th schedule in list order (a deep-page cursor position). */
export const NTH_SCHEDULE_KEY = `
select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as at, id
from schedules
where ($2::text is null or owner = $2::text)
order by created_at, id
offset $1::int
limit 1
`;
