import { Client } from 'pg';

/**
 * The shape of a big executions table, as a scheduler with 7 days of retention would have
 * it after a steady load: `rows` executions whose scheduled times spread evenly over the
 * last SPAN_DAYS days (so the oldest eighth is past the default retention and prunable),
 * half of them belonging to HEAVY_SCHEDULES schedules with millions of executions each
 * (second-crons), half to rows / 200 light schedules of LIGHT_HISTORY executions each.
 * 2 % failed, 1 % skipped by the misfire policy, the rest succeeded; one
 * execution_attempts row per fired execution. On top of that, the hot set the hot
 * statements work on: DUE_SCHEDULES light schedules due now (planning) and HOT_PENDING
 * pending executions, half unleased and due, half leased to a dead scheduler whose
 * leases expired (claiming, completing).
 *
 * Everything is made by generate_series in SQL, with the constraints and indexes dropped
 * for the load and rebuilt afterwards from their own definitions, so the schema ends
 * exactly as the migrations left it. Ids are md5-derived (random-looking, like
 * executionIdFor's), so the primary keys are as scattered as in production.
 */
export const SPAN_DAYS = 8;
export const HEAVY_SCHEDULES = 10;
export const LIGHT_HISTORY = 100;
export const DUE_SCHEDULES = 500;
export const HOT_PENDING = 2_000;
/** The scheduler's default EXECUTION_RETENTION_MS (7 days). */
export const RETENTION_MS = 7 * 24 * 3_600_000;
/** The owner of the expired leases of the hot set. */
export const DEAD_OWNER = 'bench-dead-scheduler';

const TRIGGER = `jsonb_build_object('type', 'webhook', 'url', 'http://127.0.0.1:9/never', 'method', 'POST', 'headers', '{}'::jsonb)`;

/** The id of heavy schedule k (0-based) and of light schedule j (1-based). */
export const HEAVY_ID = (k: string) => `md5('heavy-' || ${k})::uuid`;
export const LIGHT_ID = (j: string) => `md5('light-' || ${j})::uuid`;

/** $1 rows, $2 end of the history (now). */
const INSERT_SCHEDULES = `
insert into schedules (id, name, owner, schedule_type, schedule, trigger_type, trigger, status, next_run_at)
select ${HEAVY_ID('k')}, 'heavy-' || k, 'bench-table-scale', 'cron',
jsonb_build_object('type', 'cron', 'expression', '* * * * * *', 'timezone', 'UTC'),
'webhook', ${TRIGGER}, 'paused', null
from generate_series(0, ${HEAVY_SCHEDULES - 1}) as k
union all
select ${LIGHT_ID('j')}, 'light-' || j, 'bench-table-scale', 'cron',
jsonb_build_object('type', 'cron', 'expression', '0 */2 * * *', 'timezone', 'UTC'),
'webhook', ${TRIGGER}, 'active',
case when j <= ${DUE_SCHEDULES} then $2::timestamptz - interval '1 second'
else $2::timestamptz + interval '1 day' + j * interval '1 millisecond' end
from generate_series(1, greatest($1::bigint / (2 * ${LIGHT_HISTORY}), ${DUE_SCHEDULES})) as j
`;

/**
 * Execution g (1..rows): the first half heavy (schedule g % 10, the (g / 10)-th newest of
 * its history), the second half light (schedule (h / 100) + 1, its (h % 100)-th newest).
 * Each schedule's executions are evenly spaced over the span, newest at $2 - 1 minute.
 * $1 rows, $2 now.
 */
const INSERT_HISTORY = `
insert into executions (
id, schedule_id, scheduled_at, due_at, status, attempts, max_attempts, lease_version,
scheduler_id, fired_at, finished_at, response_status, error, reason, created_at
)
select md5('exec-' || g)::uuid, x.schedule_id, x.at, x.at,
case when g % 100 = 0 then 'skipped' when g % 50 = 0 then 'failed' else 'succeeded' end,
case when g % 100 = 0 then 0 when g % 50 = 0 then 5 else 1 end,
5,
case when g % 100 = 0 then 0 else 1 end,
'bench-scheduler-' || (g % 3),
case when g % 100 = 0 then null else x.at + interval '4 milliseconds' end,
x.at + interval '60 milliseconds',
case when g % 100 = 0 then null when g % 50 = 0 then 503 else 200 end,
case when g % 100 <> 0 and g % 50 = 0 then 'HTTP 503 Service Unavailable' end,
case when g % 100 = 0 then 'misfire_policy' end,
x.at
from generate_series(1, $1::bigint) as g
cross join lateral (
select
case when g <= $1::bigint / 2 then ${HEAVY_ID(`(g % ${HEAVY_SCHEDULES})`)}
else ${LIGHT_ID(`((g - $1::bigint / 2 - 1) / ${LIGHT_HISTORY} + 1)`)} end as schedule_id,
case when g <= $1::bigint / 2
then $2::timestamptz - interval '1 minute'
- (g / ${HEAVY_SCHEDULES}) * (interval '${SPAN_DAYS} days' / greatest($1::bigint / (2 * ${HEAVY_SCHEDULES}), 1))
else $2::timestamptz - interval '1 minute' - ((g - $1::bigint / 2 - 1) % ${LIGHT_HISTORY}) * interval '${(SPAN_DAYS * 24 * 3600) / LIGHT_HISTORY} seconds'
- ((g - $1::bigint / 2 - 1) / ${LIGHT_HISTORY}) % 1000 * interval '1 millisecond'
end as at
) as x
`;

/** One attempt row per fired execution, as COMPLETE_FIRES writes it. */
const INSERT_ATTEMPTS = `
insert into execution_attempts (
execution_id, number, started_at, finished_at, outcome, response_status, initiation_latency_ms,
error_class, error_message, scheduler_id
)
select id, attempts, fired_at, finished_at,
case when status = 'failed' then 'permanent_failure' else 'succeeded' end,
response_status, 4,
case when status = 'failed' then 'http_status' end, error, scheduler_id
from executions
where fired_at is not null
`;

/**
 * The hot set: pending executions of the light schedules just after their newest
 * history row, half unleased and due a moment ago, half leased to a dead scheduler
 * whose leases ran out. $1 rows, $2 now.
 */
const INSERT_HOT_PENDING = `
insert into executions (id, schedule_id, scheduled_at, due_at, status, attempts, max_attempts,
lease_owner, lease_expires_at, lease_version)
select md5('hot-' || g)::uuid, ${LIGHT_ID(`(g % greatest($1::bigint / (2 * ${LIGHT_HISTORY}), ${DUE_SCHEDULES}) + 1)`)},
$2::timestamptz - interval '10 seconds' + g * interval '1 microsecond',
$2::timestamptz - interval '10 seconds' + g * interval '1 microsecond',
'pending', 0, 5,
case when g % 2 = 0 then '${DEAD_OWNER}' end,
case when g % 2 = 0 then $2::timestamptz - interval '5 seconds' end,
case when g % 2 = 0 then 1 else 0 end
from generate_series(1, ${HOT_PENDING}) as g
`;

const TABLES = ['schedules', 'executions', 'execution_attempts'];

interface Constraint {
  table: string;
  name: string;
  type: string;
  def: string;
}

interface Index {
  name: string;
  def: string;
}

async function constraintsOf(client: Client): Promise<Constraint[]> {
  const { rows } = await client.query<Constraint>(
    `select c.conrelid::regclass::text as table, c.conname as name, c.contype as type,
pg_get_constraintdef(c.oid) as def
from pg_constraint c
where c.conrelid::regclass::text in ('executions', 'execution_attempts')
and c.contype in ('p', 'u', 'f')
and c.connamespace = current_schema()::regnamespace`,
  );
  return rows;
}

async function secondaryIndexesOf(client: Client): Promise<Index[]> {
  const { rows } = await client.query<Index>(
    `select i.indexname as name, i.indexdef as def
from pg_indexes i
where i.schemaname = current_schema()
and i.tablename in ('executions', 'execution_attempts')
and not exists (
select 1 from pg_constraint k
where k.conname = i.indexname and k.connamespace = current_schema()::regnamespace
)`,
  );
  return rows;
}

export interface FillTimings {
  loadSeconds: number;
  indexSeconds: number;
}

/** Fills an empty, migrated database; `log` gets one line per phase. */
export async function fillExecutionsTable(
  databaseUrl: string,
  rows: number,
  now: Date,
  log: (line: string) => void,
): Promise<FillTimings> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const q = (sql: string) => client.query(sql);
  const id = (name: string) => client.escapeIdentifier(name);
  try {
    await q('set statement_timeout = 0');
    await q(`set maintenance_work_mem = '512MB'`);
    await q('set max_parallel_maintenance_workers = 2');
    const constraints = await constraintsOf(client);
    const indexes = await secondaryIndexesOf(client);
    const started = performance.now();
    // Foreign keys first (they depend on the keys), then keys and indexes.
    for (const c of [...constraints].sort((a, b) =>
      a.type === 'f' ? -1 : b.type === 'f' ? 1 : 0,
    ))
      await q(`alter table ${id(c.table)} drop constraint ${id(c.name)}`);
    for (const i of indexes) await q(`drop index ${id(i.name)}`);
    await client.query(INSERT_SCHEDULES, [rows, now]);
    log(`schedules inserted`);
    await client.query(INSERT_HISTORY, [rows, now]);
    log(
      `${rows} executions inserted in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    await client.query(INSERT_HOT_PENDING, [rows, now]);
    await q(INSERT_ATTEMPTS);
    const loaded = performance.now();
    log(
      `attempts inserted; ${((loaded - started) / 1000).toFixed(0)} s so far`,
    );
    // Keys before the foreign keys that need them.
    for (const c of constraints.filter((c) => c.type !== 'f'))
      await q(
        `alter table ${id(c.table)} add constraint ${id(c.name)} ${c.def}`,
      );
    for (const i of indexes) await q(i.def);
    for (const c of constraints.filter((c) => c.type === 'f'))
      await q(
        `alter table ${id(c.table)} add constraint ${id(c.name)} ${c.def}`,
      );
    const indexed = performance.now();
    log(
      `keys and indexes rebuilt in ${((indexed - loaded) / 1000).toFixed(0)} s`,
    );
    // Statistics and the visibility map, as autovacuum would leave a settled table.
    for (const table of TABLES) await q(`vacuum (analyze) ${id(table)}`);
    return {
      loadSeconds: (loaded - started) / 1000,
      indexSeconds: (performance.now() - loaded) / 1000,
    };
  } finally {
    await client.end();
  }
}

export interface RelationSize {
  name: string;
  rows: number;
  /** Heap plus TOAST, bytes. */
  tableBytes: number;
  indexBytes: number;
  totalBytes: number;
  indexes: { name: string; bytes: number }[];
}

/** Sizes of executions and execution_attempts (pg_total_relation_size and its parts). */
export async function relationSizes(
  databaseUrl: string,
): Promise<RelationSize[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const sizes: RelationSize[] = [];
    for (const name of ['executions', 'execution_attempts', 'schedules']) {
      const { rows } = await client.query<{
        rows: string;
        table_bytes: string;
        index_bytes: string;
        total_bytes: string;
      }>(
        `select (select count(*) from ${client.escapeIdentifier(name)}) as rows,
pg_table_size($1::regclass) as table_bytes, pg_indexes_size($1::regclass) as index_bytes,
pg_total_relation_size($1::regclass) as total_bytes`,
        [name],
      );
      const { rows: indexes } = await client.query<{
        name: string;
        bytes: string;
      }>(
        `select indexrelid::regclass::text as name, pg_relation_size(indexrelid) as bytes
from pg_index where indrelid = $1::regclass order by 2 desc`,
        [name],
      );
      sizes.push({
        name,
        rows: Number(rows[0].rows),
        tableBytes: Number(rows[0].table_bytes),
        indexBytes: Number(rows[0].index_bytes),
        totalBytes: Number(rows[0].total_bytes),
        indexes: indexes.map((i) => ({ name: i.name, bytes: Number(i.bytes) })),
      });
    }
    return sizes;
  } finally {
    await client.end();
  }
}
