import { randomUUID } from 'node:crypto';
import { Clock } from '@scheduleman/domain';
import {
  ADVANCE_SCHEDULES,
  CLAIM_DUE,
  INSERT_PLANNED_EXECUTIONS,
  PLAN_DUE_SCHEDULES,
} from '@scheduleman/domain/persistence';
import { Client } from 'pg';
import { monotonicMs } from '../infra/wait';

export const CLAIM_BATCH = 500;
const LEASE_MS = 60_000;
const TRIGGER = JSON.stringify({
  type: 'webhook',
  url: 'http://127.0.0.1:9/never',
  method: 'POST',
  headers: {},
});

export interface SqlCeiling {
  rows: number;
  claimers: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface ClaimCeilings {
  /** CLAIM_DUE alone over pending unleased executions, 500 per round trip. */
  claim: SqlCeiling[];
  /** PLAN_DUE_SCHEDULES + INSERT_PLANNED_EXECUTIONS + ADVANCE_SCHEDULES per 500 due one-shots, one transaction each. */
  plan: SqlCeiling[];
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('set statement_timeout = 0');
  return client;
}

async function fillExecutions(client: Client, rows: number): Promise<void> {
  const scheduleId = randomUUID();
  await client.query('truncate execution_attempts, executions, schedules');
  await client.query(
    `insert into schedules (id, schedule_type, schedule, trigger_type, trigger, status)
values ($1::uuid, 'at', '{"type":"at","at":"2020-01-01T00:00:00.000Z"}', 'webhook', $2::jsonb, 'completed')`,
    [scheduleId, TRIGGER],
  );
  await client.query(
    `insert into executions (id, schedule_id, scheduled_at, due_at)
select gen_random_uuid(), $1::uuid, t, t
from generate_series(1, $2::int) as g, lateral (select timestamptz '2020-01-01' + g * interval '1 millisecond' as t) as x`,
    [scheduleId, rows],
  );
  await client.query('vacuum analyze executions');
}

async function fillDueSchedules(client: Client, rows: number): Promise<void> {
  await client.query('truncate execution_attempts, executions, schedules');
  await client.query(
    `insert into schedules (id, schedule_type, schedule, trigger_type, trigger, status, next_run_at)
select gen_random_uuid(), 'at', jsonb_build_object('type', 'at', 'at', '2020-01-01T00:00:00.000Z'), 'webhook', $1::jsonb, 'active',
timestamptz '2020-01-01' + g * interval '1 millisecond'
from generate_series(1, $2::int) as g`,
    [TRIGGER, rows],
  );
  await client.query('vacuum analyze schedules');
}

/** Claims until a round trip returns nothing (CLAIM_DUE answers one all-null row then). */
async function claimAll(
  client: Client,
  owner: string,
  clock: Clock,
): Promise<void> {
  for (;;) {
    const result = await client.query<{ id: string | null }>(CLAIM_DUE, [
      clock.now(),
      0,
      CLAIM_BATCH,
      owner,
      LEASE_MS,
    ]);
    if (result.rows.every((r) => r.id === null)) return;
  }
}

/** The scheduler's plan transaction for one-shots: lock, insert leased executions, complete. */
async function planAll(
  client: Client,
  owner: string,
  clock: Clock,
): Promise<void> {
  for (;;) {
    const now = clock.now();
    await client.query('begin');
    const due = await client.query<{
      id: string;
      next_run_at: Date;
      max_attempts: number;
    }>(PLAN_DUE_SCHEDULES, [now, 0, CLAIM_BATCH]);
    if (due.rows.length === 0) {
      await client.query('commit');
      return;
    }
    await client.query(INSERT_PLANNED_EXECUTIONS, [
      due.rows.map(() => randomUUID()),
      due.rows.map((r) => r.id),
      due.rows.map((r) => r.next_run_at),
      due.rows.map(() => 'pending'),
      due.rows.map((r) => r.max_attempts),
      owner,
      now,
      LEASE_MS,
      due.rows.map(() => null),
      due.rows.map(() => 1),
      due.rows.map(() => null),
      due.rows.map(() => null),
      due.rows.map(() => true),
    ]);
    await client.query(ADVANCE_SCHEDULES, [
      due.rows.map((r) => r.id),
      due.rows.map(() => null),
      due.rows.map(() => 'completed'),
      due.rows.map(() => false),
    ]);
    await client.query('commit');
  }
}

async function timed(
  rows: number,
  claimers: number,
  work: () => Promise<unknown>,
): Promise<SqlCeiling> {
  const started = monotonicMs();
  await work();
  const seconds = (monotonicMs() - started) / 1000;
  return { rows, claimers, seconds, rowsPerSecond: rows / seconds };
}

/**
 * The database-side ceilings of the two stages, measured with the scheduler's own SQL
 * (the constants of claims.sql.ts), with no HTTP: one claimer, then three at once on
 * separate connections (as three schedulers would).
 */
export async function measureClaimCeilings(
  databaseUrl: string,
  rows: { claim: number; plan: number },
  clock: Clock,
): Promise<ClaimCeilings> {
  const clients = await Promise.all([1, 2, 3].map(() => connect(databaseUrl)));
  try {
    const result: ClaimCeilings = { claim: [], plan: [] };
    // `claimers` connections drain the rows at once, each as its own scheduler.
    const drain =
      (claimers: number, stage: typeof claimAll) => (): Promise<unknown> =>
        Promise.all(
          clients
            .slice(0, claimers)
            .map((c, i) => stage(c, `ceiling-${i}`, clock)),
        );
    for (const claimers of [1, 3]) {
      await fillExecutions(clients[0], rows.claim);
      result.claim.push(
        await timed(rows.claim, claimers, drain(claimers, claimAll)),
      );
      await fillDueSchedules(clients[0], rows.plan);
      result.plan.push(
        await timed(rows.plan, claimers, drain(claimers, planAll)),
      );
    }
    return result;
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
