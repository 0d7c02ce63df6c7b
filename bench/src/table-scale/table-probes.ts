import { randomUUID } from 'node:crypto';
import {
  CLAIM_DUE,
  COMPLETE_FIRES,
  COUNT_DUE_BACKLOG,
  EXPIRE_RESULT_DEADLINES,
  INSERT_PLANNED_EXECUTIONS,
  PLAN_DUE_SCHEDULES,
  PRUNE_EXECUTIONS,
  RENEW_LEASES,
} from '@scheduleman/domain/persistence';
import { Client } from 'pg';
/* The API's own history statement, measured as the API runs it: the exact text matters
   more than the boundary (as in ceilings/http-ceiling.ts). */
// eslint-disable-next-line @nx/enforce-module-boundaries
import { listExecutionsSql } from '../../../apps/schedule-api/src/schedules/schedules.sql';
import { DUE_SCHEDULES, HEAVY_ID, LIGHT_ID, RETENTION_MS } from './table-fill';

/** As the scheduler runs them (its defaults). */
const BATCH = 500;
const LOOKAHEAD_MS = 1_500;
const LEASE_MS = 4_000;
const PRUNE_BATCH = 1_000;
const OWNER = 'bench-table-scale';
/** Timed runs per statement, after one untimed. */
const REPEATS = 5;

/** One statement's EXPLAIN (ANALYZE, BUFFERS) over REPEATS runs: medians. */
export interface ProbeResult {
  name: string;
  /** Rows the statement returned or changed (first run). */
  rows: number;
  /** Median execution time including triggers (foreign-key cascades), ms. */
  executionMs: number;
  planningMs: number;
  /** Median shared buffers hit + read by the plan (triggers not included). */
  buffers: number;
  /** Median shared buffers read from outside shared_buffers (OS cache or disk). */
  read: number;
}

interface ExplainPlan {
  Plan: {
    'Actual Rows': number;
    'Shared Hit Blocks': number;
    'Shared Read Blocks': number;
  };
  'Planning Time': number;
  'Execution Time': number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * A statement measured in a transaction that is rolled back each time, so every run
 * meets the same table (writes included). `prepare` runs in the same transaction first
 * (e.g. a claim, for the statements that need held leases) and returns the parameters.
 */
interface Probe {
  name: string;
  sql: string;
  prepare: (client: Client) => Promise<unknown[]> | unknown[];
}

async function explain(
  client: Client,
  probe: Probe,
): Promise<{ plan: ExplainPlan; rows: number }> {
  await client.query('begin');
  try {
    const params = await probe.prepare(client);
    const { rows } = await client.query<{ 'QUERY PLAN': ExplainPlan[] }>(
      `explain (analyze, buffers, format json) ${probe.sql}`,
      params,
    );
    const plan = rows[0]['QUERY PLAN'][0];
    return { plan, rows: plan.Plan['Actual Rows'] };
  } finally {
    await client.query('rollback');
  }
}

async function measure(client: Client, probe: Probe): Promise<ProbeResult> {
  await explain(client, probe);
  const runs: { plan: ExplainPlan; rows: number }[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await explain(client, probe));
  return {
    name: probe.name,
    rows: runs[0].rows,
    executionMs: median(runs.map((r) => r.plan['Execution Time'])),
    planningMs: median(runs.map((r) => r.plan['Planning Time'])),
    buffers: median(
      runs.map(
        (r) =>
          r.plan.Plan['Shared Hit Blocks'] + r.plan.Plan['Shared Read Blocks'],
      ),
    ),
    read: median(runs.map((r) => r.plan.Plan['Shared Read Blocks'])),
  };
}

/** Claims up to BATCH rows (as CLAIM_DUE does) and returns their ids and versions. */
async function claimBatch(
  client: Client,
  now: Date,
): Promise<{ ids: string[]; versions: number[] }> {
  const { rows } = await client.query<{
    id: string | null;
    lease_version: number;
  }>(CLAIM_DUE, [now, LOOKAHEAD_MS, BATCH, OWNER, LEASE_MS]);
  const held = rows.filter((r) => r.id !== null);
  return {
    ids: held.map((r) => r.id as string),
    versions: held.map((r) => r.lease_version),
  };
}

/** The probes of one size; `now` is the instant the table was filled against. */
function probes(now: Date, rows: number): Probe[] {
  const ms = (offset: number) => new Date(now.getTime() + offset);
  // A cursor in the middle of a heavy schedule's history: a deep page.
  const deepCursor = new Date(now.getTime() - 4 * 24 * 3_600_000)
    .toISOString()
    .replace('Z', '');
  return [
    {
      name: 'PLAN_DUE_SCHEDULES',
      sql: PLAN_DUE_SCHEDULES,
      prepare: () => [now, LOOKAHEAD_MS, BATCH],
    },
    {
      name: 'INSERT_PLANNED_EXECUTIONS',
      sql: INSERT_PLANNED_EXECUTIONS,
      prepare: async (client) => {
        // One pending occurrence for each of the due schedules, at a new time.
        const { rows: due } = await client.query<{ id: string }>(
          `select id from schedules where status = 'active' and next_run_at <= $1::timestamptz order by next_run_at limit ${DUE_SCHEDULES}`,
          [now],
        );
        const n = due.length;
        return [
          due.map(() => randomUUID()),
          due.map((d) => d.id),
          due.map(() => ms(1_000)),
          due.map(() => 'pending'),
          due.map(() => 5),
          OWNER,
          now,
          LEASE_MS,
          Array<null>(n).fill(null),
          Array<number>(n).fill(1),
          Array<null>(n).fill(null),
          // due_at: the scheduled time (no flexible window); born leased, as planned.
          Array<null>(n).fill(null),
          Array<boolean>(n).fill(true),
        ];
      },
    },
    {
      name: 'CLAIM_DUE',
      sql: CLAIM_DUE,
      prepare: () => [now, LOOKAHEAD_MS, BATCH, OWNER, LEASE_MS],
    },
    {
      name: 'RENEW_LEASES',
      sql: RENEW_LEASES,
      prepare: async (client) => {
        const { ids, versions } = await claimBatch(client, now);
        return [ids, versions, OWNER, now, LEASE_MS];
      },
    },
    {
      name: 'COMPLETE_FIRES',
      sql: COMPLETE_FIRES,
      prepare: async (client) => {
        const { ids, versions } = await claimBatch(client, now);
        const each = <T>(value: T): T[] => ids.map(() => value);
        return [
          ids,
          versions,
          each('succeeded'),
          each(1),
          each(null),
          each(now),
          each(ms(50)),
          each(200),
          each(null),
          OWNER,
          each(ms(50)),
          each('succeeded'),
          each(null),
          each(4),
          each(null),
        ];
      },
    },
    {
      name: 'PRUNE_EXECUTIONS',
      sql: PRUNE_EXECUTIONS,
      prepare: () => [now, RETENTION_MS, PRUNE_BATCH],
    },
    {
      name: 'EXPIRE_RESULT_DEADLINES',
      sql: EXPIRE_RESULT_DEADLINES,
      prepare: () => [now, 1_000],
    },
    {
      name: 'COUNT_DUE_BACKLOG',
      sql: COUNT_DUE_BACKLOG,
      prepare: () => [now, 100_000],
    },
    {
      name: `history page 1, heavy schedule (${(rows / 20).toLocaleString('en-US')} executions)`,
      sql: listExecutionsSql(false),
      prepare: async (client) => [await oneId(client, HEAVY_ID('0')), 51],
    },
    {
      name: 'history page at 4 days back, heavy schedule',
      sql: listExecutionsSql(true),
      prepare: async (client) => [
        await oneId(client, HEAVY_ID('0')),
        51,
        deepCursor,
      ],
    },
    {
      name: 'history page 1, light schedule (100 executions)',
      sql: listExecutionsSql(false),
      prepare: async (client) => [await oneId(client, LIGHT_ID('7')), 51],
    },
  ];
}

async function oneId(client: Client, expression: string): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `select ${expression}::text as id`,
  );
  return rows[0].id;
}

/** Every probe of one filled database, one after another. */
export async function measureProbes(
  databaseUrl: string,
  now: Date,
  rows: number,
): Promise<ProbeResult[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('set statement_timeout = 0');
    const results: ProbeResult[] = [];
    for (const probe of probes(now, rows))
      results.push(await measure(client, probe));
    return results;
  } finally {
    await client.end();
  }
}

export interface PruneThroughput {
  batches: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  firstBatchMs: number;
  lastBatchMs: number;
}

/**
 * PRUNE_EXECUTIONS for real (committed), PRUNE_BATCH rows per statement as the
 * scheduler's housekeeping runs it, back to back for at most `budgetMs` or until nothing
 * is left past the retention: the rate at which retention can delete, cascades to
 * execution_attempts included. Run last: it changes the table.
 */
export async function measurePrune(
  databaseUrl: string,
  now: Date,
  budgetMs: number,
): Promise<PruneThroughput> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('set statement_timeout = 0');
    const started = performance.now();
    const times: number[] = [];
    let rows = 0;
    while (performance.now() - started < budgetMs) {
      const t = performance.now();
      const { rowCount } = await client.query(PRUNE_EXECUTIONS, [
        now,
        RETENTION_MS,
        PRUNE_BATCH,
      ]);
      times.push(performance.now() - t);
      rows += rowCount ?? 0;
      if ((rowCount ?? 0) < PRUNE_BATCH) break;
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      batches: times.length,
      rows,
      seconds,
      rowsPerSecond: rows / seconds,
      firstBatchMs: times[0] ?? 0,
      lastBatchMs: times.at(-1) ?? 0,
    };
  } finally {
    await client.end();
  }
}
