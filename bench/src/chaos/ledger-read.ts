import { createDatabaseClient } from '@scheduleman/domain/persistence';
import type { LedgerRow } from '../stats/ledger';

/**
 * The ledger rows (executions) scheduled in [fromMs, toMs], read straight from the
 * database at the end of a run: one query, times as the database holds them.
 */
export async function readLedger(
  databaseUrl: string,
  fromMs: number,
  toMs: number,
): Promise<LedgerRow[]> {
  const client = createDatabaseClient(databaseUrl, {
    application_name: 'bench:ledger',
  });
  await client.connect();
  try {
    const { rows } = await client.query<LedgerRow>(
      `select schedule_id as "scheduleId",
              extract(epoch from scheduled_at)::float8 * 1000 as "scheduledAtMs",
              status, reason
         from executions
        where scheduled_at between to_timestamp($1::float8 / 1000) and to_timestamp($2::float8 / 1000)`,
      [fromMs, toMs],
    );
    return rows;
  } finally {
    await client.end();
  }
}
