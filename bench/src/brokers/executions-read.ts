import { Client } from 'pg';

/** One execution as the bench judges it, times in epoch ms (database clock, µs precision). */
export interface ExecutionTimes {
  id: string;
  status: string;
  attempts: number;
  error: string | null;
  scheduledMs: number;
  firedMs: number | null;
  finishedMs: number | null;
}

/**
 * The executions of `scheduleIds`, read straight from the database: one query instead
 * of one GET per schedule, and the times with the database's precision.
 */
export async function readExecutions(
  databaseUrl: string,
  scheduleIds: readonly string[],
): Promise<ExecutionTimes[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<ExecutionTimes>(
      `select id, status, attempts, error,
              extract(epoch from scheduled_at)::float8 * 1000 as "scheduledMs",
              extract(epoch from fired_at)::float8 * 1000 as "firedMs",
              extract(epoch from finished_at)::float8 * 1000 as "finishedMs"
         from executions where schedule_id = any($1::uuid[])`,
      [scheduleIds],
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** Waits until every one of `count` executions of `scheduleIds` is finished, or the deadline (epoch ms) passes. */
export async function awaitFinished(
  databaseUrl: string,
  scheduleIds: readonly string[],
  count: number,
  deadlineMs: number,
  nowMs: () => number,
): Promise<ExecutionTimes[]> {
  for (;;) {
    const rows = await readExecutions(databaseUrl, scheduleIds);
    const finished = rows.filter(
      (r) => r.status !== 'pending' && r.finishedMs !== null,
    );
    if (finished.length >= count || nowMs() > deadlineMs) return rows;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
