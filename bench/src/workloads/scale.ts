import { Client } from 'pg';
import { monotonicMs } from '../infra/wait';
import { createOneShots } from './one-shots';
import type { Workload } from './workload';

/**
 * Fills `schedules` with `total` rows that must cost the plan stage nothing: a third
 * active one-shots due 1 to 12 days from now, a third paused crons, a third completed
 * one-shots, each with a succeeded execution (history, which the fire stage must not
 * read either). Through SQL, not the API: a million creations would take minutes.
 * Ids are sequential (a zero prefix no random v4 id has in practice), so the primary
 * keys fill in order: random ids made this insert take twice as long.
 */
export const INSERT_STORED_SCHEDULES = `
insert into schedules (id, name, owner, schedule_type, schedule, trigger_type, trigger, status, next_run_at)
select ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'stored-' || g, 'bench-scale',
case when g % 3 = 1 then 'cron' else 'at' end,
case g % 3
when 0 then jsonb_build_object('type', 'at', 'at', to_char((now() + interval '1 day' + g * interval '1 second') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
when 1 then jsonb_build_object('type', 'cron', 'expression', '0 0 * * *', 'timezone', 'UTC')
else jsonb_build_object('type', 'at', 'at', '2020-01-01T00:00:00.000Z')
end,
'webhook', jsonb_build_object('type', 'webhook', 'url', $2::text, 'method', 'POST', 'headers', '{}'::jsonb),
case g % 3 when 0 then 'active' when 1 then 'paused' else 'completed' end,
case when g % 3 = 0 then now() + interval '1 day' + g * interval '1 second' end
from generate_series(1, $1::int) as g
`;

export const INSERT_STORED_HISTORY = `
insert into executions (id, schedule_id, scheduled_at, due_at, status, attempts, fired_at, finished_at, response_status, scheduler_id)
select ('00000000-0000-4000-9000-' || substr(id::text, 25))::uuid, id, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', 'succeeded', 1,
'2020-01-01T00:00:00Z', '2020-01-01T00:00:01Z', 200, 'bench-history'
from schedules
where status = 'completed'
`;

/** Indexes of the two tables that no constraint owns. */
const SECONDARY_INDEXES = `
select i.indexname, i.indexdef
from pg_indexes i
where i.schemaname = current_schema()
and i.tablename in ('schedules', 'executions')
and not exists (
  select 1 from pg_constraint k
  where k.conname = i.indexname and k.connamespace = current_schema()::regnamespace
)
`;

export async function insertStoredSchedules(
  databaseUrl: string,
  total: number,
  hookUrl: string,
): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('set statement_timeout = 0');
    await client.query(`set maintenance_work_mem = '256MB'`);
    // A bulk load is faster into bare tables: the secondary indexes (all but the
    // constraints' own) are dropped in the same transaction and rebuilt from their own
    // definitions afterwards, so the schema ends exactly as the migrations left it.
    const { rows: indexes } = await client.query<{
      indexname: string;
      indexdef: string;
    }>(SECONDARY_INDEXES);
    await client.query('begin');
    for (const { indexname } of indexes)
      await client.query(`drop index ${client.escapeIdentifier(indexname)}`);
    await client.query(INSERT_STORED_SCHEDULES, [total, hookUrl]);
    await client.query(INSERT_STORED_HISTORY);
    for (const { indexdef } of indexes) await client.query(indexdef);
    await client.query('commit');
    // Statistics, so the planner sees the real sizes at once (autovacuum does the rest).
    await client.query('analyze schedules');
    await client.query('analyze executions');
  } finally {
    await client.end();
  }
}

/**
 * The same due load (`dueCount` one-shots spread over `spreadMs`) on top of `stored`
 * schedules that are never due. Run with stored = 0 and stored = 1,000,000: the tick
 * cost (claim and plan statement times) must not grow with the table.
 */
export function scaleWorkload(
  stored: number,
  dueCount: number,
  spreadMs: number,
  hookUrl: string,
): Workload {
  const label =
    stored === 0
      ? 'empty'
      : stored >= 1_000_000
        ? `${stored / 1_000_000}M`
        : `${Math.round(stored / 1000)}k`;
  return {
    name: `scale-${label}`,
    description: `${dueCount} one-shots over ${spreadMs / 1000} s among ${stored} stored schedules that are never due`,
    reuseDatabase: true,
    async prepareDatabase(databaseUrl, log) {
      if (stored === 0) return;
      const started = monotonicMs();
      await insertStoredSchedules(databaseUrl, stored, hookUrl);
      log(
        `inserted ${stored} stored schedules in ${((monotonicMs() - started) / 1000).toFixed(1)} s`,
      );
    },
    create: (ctx) =>
      createOneShots(ctx, `scale-${label}`, dueCount, (first) =>
        Array.from(
          { length: dueCount },
          (_, i) => first + Math.floor((i * spreadMs) / dueCount),
        ),
      ),
  };
}
