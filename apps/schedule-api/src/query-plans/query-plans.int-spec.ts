import { ADMIN_PRINCIPAL, auditEntry } from '@scheduleman/domain';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { auditEventParams } from '../audit/audit-events.sql';
import {
  DELETE_SCHEDULES_USING_CONNECTION,
  SCHEDULES_USING_CONNECTION,
} from '../connections/connections.sql';
import { RECENT_EXECUTIONS_COUNT } from '@scheduleman/domain';
import { listSchedulesSql } from '../schedules/schedules.sql';
import { INSERT_BULK_SCHEDULES, NTH_SCHEDULE_KEY } from './bulk-schedules.sql';
import { type PlanCase, planCases } from './query-plans';

/**
 * Keeps the 1M-row findings of tools/explain-due.mjs from rotting: on 20 000 analysed
 * rows, the plan stage's due query and every list variant still run on their index.
 * (At this size the planner could already prefer a sequential scan and a sort if an
 * index stopped matching its query.)
 */
const ROWS = 20_000;
const OWNERS = 1_000;
/** Inserting and analysing 20 000 rows takes well over Jest's 5 s on a loaded machine. */
const SETUP_TIMEOUT_MS = 60_000;

describe('query plans on 20 000 schedules', () => {
  let db: TestDatabase;
  let sql: DataSource;
  let cases: PlanCase[];

  beforeAll(async () => {
    db = await createTestDatabase('query_plans');
    sql = await db.dataSource();
    await sql.query(INSERT_BULK_SCHEDULES, [1, ROWS, OWNERS, 7, ROWS]);
    await sql.query('analyze schedules');
    const [{ now }]: { now: Date }[] = await sql.query('select now() as now');
    const owner = 'owner-7';
    const [deepCursor]: { at: string; id: string }[] = await sql.query(
      NTH_SCHEDULE_KEY,
      [Math.floor(ROWS * 0.9), null],
    );
    const [ownerDeepCursor]: { at: string; id: string }[] = await sql.query(
      NTH_SCHEDULE_KEY,
      [10, owner],
    );
    cases = planCases({
      now,
      deepCursor,
      ownerDeepCursor,
      owner,
      pageSize: 50,
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await db.drop();
  });

  async function explain(c: PlanCase): Promise<string> {
    return sql.transaction(async (tx) => {
      const rows: { 'QUERY PLAN': string }[] = await tx.query(
        `explain ${c.sql}`,
        c.params,
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  it('plans the due query of the plan stage on schedules_due_idx, never a sequential scan', async () => {
    const dueCases = cases.filter((x) => x.index === 'schedules_due_idx');
    expect(dueCases).toHaveLength(2);
    for (const c of dueCases) {
      const plan = await explain(c);
      expect({
        query: c.name,
        usesIndex: plan.includes('schedules_due_idx'),
        seqScan: plan.includes('Seq Scan'),
      }).toEqual({ query: c.name, usesIndex: true, seqScan: false });
    }
  });

  it('plans every unfiltered and single-filter list page on its list index', async () => {
    for (const c of cases.filter(
      (x) => x.name.startsWith('list:') && !x.name.includes(' and '),
    )) {
      const plan = await explain(c);
      expect({
        query: c.name,
        usesIndex: plan.includes(c.index),
        seqScan: plan.includes('Seq Scan'),
      }).toEqual({ query: c.name, usesIndex: true, seqScan: false });
    }
  });

  it(
    'finds the schedules on a connection through schedules_connection_idx',
    async () => {
      const connectionId = randomUUID();
      await sql.query(
        `update schedules
set trigger = jsonb_build_object('type', 'amqp', 'connectionId', $1::text, 'exchange', '', 'routingKey', 'jobs')
where id in (select id from schedules order by id limit 50)`,
        [connectionId],
      );
      await sql.query('analyze schedules');
      for (const [name, text, params] of [
        ['select', SCHEDULES_USING_CONNECTION, [connectionId, 20]],
        [
          'cascade delete',
          DELETE_SCHEDULES_USING_CONNECTION,
          [
            connectionId,
            ...auditEventParams(
              auditEntry(ADMIN_PRINCIPAL, 'schedule.deleted'),
            ),
          ],
        ],
      ] as const) {
        const plan = await explain({
          name,
          sql: text,
          params: [...params],
          index: '',
        });
        expect({
          query: name,
          usesIndex: plan.includes('schedules_connection_idx'),
          seqScan: plan.includes('Seq Scan'),
        }).toEqual({ query: name, usesIndex: true, seqScan: false });
      }
      const rows: { total: number }[] = await sql.query(
        SCHEDULES_USING_CONNECTION,
        [connectionId, 20],
      );
      expect([rows.length, rows[0].total]).toEqual([20, 50]);
    },
    SETUP_TIMEOUT_MS,
  );

  it(
    'reads the recent executions of a list page through executions_occurrence_key, page first',
    async () => {
      // 12 executions for every 4th schedule: 60 000 rows, a history long enough that
      // reading all of a schedule's rows, or the table, would show in the plan.
      await sql.query(
        `insert into executions (id, schedule_id, scheduled_at, due_at, status, fired_at)
select gen_random_uuid(), s.id, t, t, 'succeeded', t + interval '20 milliseconds'
from (select id, row_number() over (order by id) as n from schedules) as s
cross join generate_series(1, 12) as i
cross join lateral (select now() - i * interval '1 minute' as t) as x
where s.n % 4 = 0`,
      );
      await sql.query('analyze executions');
      for (const sort of [undefined, 'nextRunAt'] as const) {
        const { sql: text, params } = listSchedulesSql({
          limit: 50,
          sort,
          recentExecutions: RECENT_EXECUTIONS_COUNT,
        });
        const plan = await explain({
          name: 'recent',
          sql: text,
          params,
          index: '',
        });
        expect({
          sort,
          executionsIndex: plan.includes('executions_occurrence_key'),
          // A nested loop over the page (its own Limit), and per row of it a Limit of
          // a backward walk of the schedule's executions: never the whole history.
          lateralAfterLimit:
            /Nested Loop[\s\S]*Limit[\s\S]*Limit[\s\S]*Index Scan Backward using executions_occurrence_key/.test(
              plan,
            ),
          seqScanOfExecutions: /Seq Scan on executions/.test(plan),
        }).toEqual({
          sort,
          executionsIndex: true,
          lateralAfterLimit: true,
          seqScanOfExecutions: false,
        });
      }
      const { sql: text, params } = listSchedulesSql({
        limit: 50,
        recentExecutions: RECENT_EXECUTIONS_COUNT,
      });
      const rows: { recent_executions: unknown[] }[] = await sql.query(
        text,
        params,
      );
      expect(rows).toHaveLength(51);
      expect(
        rows.every(
          (r) => r.recent_executions.length <= RECENT_EXECUTIONS_COUNT,
        ),
      ).toBe(true);
    },
    SETUP_TIMEOUT_MS,
  );

  it('returns the rows the plans promise', async () => {
    const due = cases[1];
    const rows: unknown[] = await sql.transaction((tx) =>
      tx.query(due.sql, due.params),
    );
    expect(rows).toHaveLength(500);
  });
});
