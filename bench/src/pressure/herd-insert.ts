import { Client } from 'pg';

/**
 * One-shots due at $2 (ISO, as the API stores `at`), all active with next_run_at $2:
 * exactly what `POST /schedules` would have stored, minus the API's time. $4 tags the herd
 * (the owner), so that a run can move or count one herd among others.
 */
export const INSERT_HERD_ONE_SHOTS = `
insert into schedules (id, name, owner, schedule_type, schedule, trigger_type, trigger, status, next_run_at)
select gen_random_uuid(), 'herd-at-' || g, $4::text, 'at',
jsonb_build_object('type', 'at', 'at', $2::text),
'webhook', jsonb_build_object('type', 'webhook', 'url', $3::text, 'method', 'POST', 'headers', '{}'::jsonb),
'active', $2::timestamptz
from generate_series(1, $1::int) as g
returning id
`;

/** Crons with a seconds field ($2, daily at the herd's second, UTC) first due at $3; $5 the tag. */
export const INSERT_HERD_CRONS = `
insert into schedules (id, name, owner, schedule_type, schedule, trigger_type, trigger, status, next_run_at)
select gen_random_uuid(), 'herd-cron-' || g, $5::text, 'cron',
jsonb_build_object('type', 'cron', 'expression', $2::text, 'timezone', 'UTC'),
'webhook', jsonb_build_object('type', 'webhook', 'url', $4::text, 'method', 'POST', 'headers', '{}'::jsonb),
'active', $3::timestamptz
from generate_series(1, $1::int) as g
returning id
`;

/**
 * Moves the tagged herd ($1) to its due second: one-shots to `at` = $2, crons to the
 * expression $3 (daily at $2's second), both with next_run_at = $2. A parked herd is
 * a day ahead, beyond any planner's look-ahead, so nothing of it is planned before this.
 */
export const MOVE_HERD = `
update schedules
set next_run_at = $2::timestamptz,
schedule = case schedule_type
when 'at' then jsonb_set(schedule, '{at}', to_jsonb($2::text))
else jsonb_set(schedule, '{expression}', to_jsonb($3::text))
end
where owner = $1::text
`;

/** `s m h * * *`: once a day, at the herd's second (a 6-field cron with seconds). */
export function dailyAtSecondCron(atMs: number): string {
  const at = new Date(atMs);
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

/** Where a herd waits while it is inserted: a day ahead, so nothing plans it yet. */
const PARKED_AHEAD_MS = 24 * 3_600_000;

export interface InsertedHerd {
  /** The owner every schedule of this herd carries. */
  tag: string;
  oneShotIds: string[];
  cronIds: string[];
  /** How long the insert took, ms: what moving the same rows is expected to take. */
  insertMs: number;
}

/**
 * Bulk-inserts the herd in one transaction, parked a day after `nowMs`. The insert of
 * 110,000 rows takes from 5 s to more than 30 s on a shared machine, so the due second is
 * chosen after it, from the insert's own time, and set by moveHerd.
 */
export async function insertParkedHerd(
  databaseUrl: string,
  counts: { oneShots: number; crons: number },
  tag: string,
  nowMs: number,
  hookUrl: string,
): Promise<InsertedHerd> {
  const startedMs = performance.now();
  const parkedMs = Math.ceil((nowMs + PARKED_AHEAD_MS) / 1_000) * 1_000;
  const at = new Date(parkedMs).toISOString();
  const shots = await inTransaction(databaseUrl, async (client) => {
    const oneShots = await client.query<{ id: string }>(INSERT_HERD_ONE_SHOTS, [
      counts.oneShots,
      at,
      hookUrl,
      tag,
    ]);
    const crons = counts.crons
      ? await client.query<{ id: string }>(INSERT_HERD_CRONS, [
          counts.crons,
          dailyAtSecondCron(parkedMs),
          at,
          hookUrl,
          tag,
        ])
      : { rows: [] };
    return { oneShots: oneShots.rows, crons: crons.rows };
  });
  return {
    tag,
    oneShotIds: shots.oneShots.map((r) => r.id),
    cronIds: shots.crons.map((r) => r.id),
    insertMs: performance.now() - startedMs,
  };
}

/** Moves a parked herd to `atMs` in one transaction (then analyzes, as a bulk load would). */
export async function moveHerd(
  databaseUrl: string,
  tag: string,
  atMs: number,
): Promise<void> {
  await inTransaction(databaseUrl, (client) =>
    client.query(MOVE_HERD, [
      tag,
      new Date(atMs).toISOString(),
      dailyAtSecondCron(atMs),
    ]),
  );
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('analyze schedules');
  } finally {
    await client.end();
  }
}

async function inTransaction<T>(
  databaseUrl: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
