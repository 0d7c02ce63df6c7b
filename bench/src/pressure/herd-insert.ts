import { Client } from 'pg';

/**
 * One-shots due at $2 (ISO, as the API stores `at`), all active with next_run_at $2:
 * exactly what `POST /schedules` would have stored, minus the API's time.
 */
export const INSERT_HERD_ONE_SHOTS = `
insert into schedules (id, name, owner, schedule_type, schedule, trigger_type, trigger, status, next_run_at)
select gen_random_uuid(), 'herd-at-' || g, 'bench-herd', 'at',
jsonb_build_object('type', 'at', 'at', $2::text),
'webhook', jsonb_build_object('type', 'webhook', 'url', $3::text, 'method', 'POST', 'headers', '{}'::jsonb),
'active', $2::timestamptz
from generate_series(1, $1::int) as g
returning id
`;

/** Crons with a seconds field ($2, daily at the herd's second, UTC) first due at $3. */
export const INSERT_HERD_CRONS = `
insert into schedules (id, name, owner, schedule_type, schedule, trigger_type, trigger, status, next_run_at)
select gen_random_uuid(), 'herd-cron-' || g, 'bench-herd', 'cron',
jsonb_build_object('type', 'cron', 'expression', $2::text, 'timezone', 'UTC'),
'webhook', jsonb_build_object('type', 'webhook', 'url', $4::text, 'method', 'POST', 'headers', '{}'::jsonb),
'active', $3::timestamptz
from generate_series(1, $1::int) as g
returning id
`;

/** `s m h * * *`: once a day, at the herd's second (a 6-field cron with seconds). */
export function dailyAtSecondCron(atMs: number): string {
  const at = new Date(atMs);
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

export interface InsertedHerd {
  oneShotIds: string[];
  cronIds: string[];
}

/** Bulk-inserts the herd in one transaction; every schedule's first occurrence is `atMs`. */
export async function insertHerd(
  databaseUrl: string,
  counts: { oneShots: number; crons: number },
  atMs: number,
  hookUrl: string,
): Promise<InsertedHerd> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const at = new Date(atMs).toISOString();
    await client.query('begin');
    const shots = await client.query<{ id: string }>(INSERT_HERD_ONE_SHOTS, [
      counts.oneShots,
      at,
      hookUrl,
    ]);
    const crons = counts.crons
      ? await client.query<{ id: string }>(INSERT_HERD_CRONS, [
          counts.crons,
          dailyAtSecondCron(atMs),
          at,
          hookUrl,
        ])
      : { rows: [] };
    await client.query('commit');
    await client.query('analyze schedules');
    return {
      oneShotIds: shots.rows.map((r) => r.id),
      cronIds: crons.rows.map((r) => r.id),
    };
  } finally {
    await client.end();
  }
}
