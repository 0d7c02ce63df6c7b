import { Client } from 'pg';

/** One execution as the bench judges it, times in epoch ms (database clock). */
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
 * of one GET per schedule, and the times as the database holds them.
 */
async function readExecutions(
  client: Client,
  scheduleIds: readonly string[],
): Promise<ExecutionTimes[]> {
  const { rows } = await client.query<ExecutionTimes>(
    `select id, status, attempts, error,
            extract(epoch from scheduled_at)::float8 * 1000 as "scheduledMs",
            extract(epoch from fired_at)::float8 * 1000 as "firedMs",
            extract(epoch from finished_at)::float8 * 1000 as "finishedMs"
       from executions where schedule_id = any($1::uuid[])`,
    [scheduleIds],
  );
  return rows;
}

/**
 * Polls until `count` executions of `scheduleIds` are finished (succeeded or failed for
 * good), or the deadline (epoch ms) passes; returns them as they are then.
 */
export async function awaitFinished(
  databaseUrl: string,
  scheduleIds: readonly string[],
  count: number,
  deadlineMs: number,
  nowMs: () => number,
): Promise<ExecutionTimes[]> {
  const client = new Client({
    connectionString: databaseUrl,
    application_name: 'bench:brokers',
  });
  await client.connect();
  try {
    for (;;) {
      const rows = await readExecutions(client, scheduleIds);
      const finished = rows.filter(
        (r) => r.status !== 'pending' && r.finishedMs !== null,
      );
      if (finished.length >= count || nowMs() > deadlineMs) return rows;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.end();
  }
}
