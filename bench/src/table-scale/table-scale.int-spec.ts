import { SystemClock } from '@scheduleman/domain';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';
import { Client } from 'pg';
import {
  DUE_SCHEDULES,
  fillExecutionsTable,
  HOT_PENDING,
  relationSizes,
} from './table-fill';
import { measureProbes, measurePrune } from './table-probes';

/**
 * `--table-scale` at a tiny size, so that the bench's fill and probes keep working as
 * the schema moves: the shape it promises (rows, hot set, prunable eighth) and every
 * probe answering what the scheduler would get.
 */
describe('table-scale on 4,000 executions', () => {
  const rows = 4_000;
  const now = new SystemClock().now();
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('table_scale');
    await (await db.dataSource()).destroy();
    await fillExecutionsTable(db.url, rows, now, () => undefined);
  }, 60_000);

  afterAll(async () => {
    await db.drop();
  });

  it('fills the history, the attempts and the hot set, with the schema intact', async () => {
    const sizes = await relationSizes(db.url);
    const executions = sizes.find((s) => s.name === 'executions');
    const attempts = sizes.find((s) => s.name === 'execution_attempts');
    expect(executions?.rows).toBe(rows + HOT_PENDING);
    // Every fired history row has its attempt: all but the 1 % skipped.
    expect(attempts?.rows).toBe(rows - rows / 100);
    expect(executions?.indexes.map((i) => i.name).sort()).toEqual([
      'executions_buffered_idx',
      'executions_finished_idx',
      'executions_lease_expiry_idx',
      'executions_occurrence_key',
      'executions_pkey',
      'executions_result_deadline_idx',
      'executions_unleased_due_idx',
    ]);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows: keys } = await client.query<{ n: string }>(
        `select count(*) as n from pg_constraint
where conrelid in ('executions'::regclass, 'execution_attempts'::regclass) and contype = 'f'`,
      );
      expect(Number(keys[0].n)).toBe(2);
    } finally {
      await client.end();
    }
  });

  it('probes every hot statement with the scheduler’s batch sizes', async () => {
    const probes = await measureProbes(db.url, now, rows);
    const rowsOf = (name: string) =>
      probes.find((p) => p.name.startsWith(name))?.rows;
    expect(rowsOf('PLAN_DUE_SCHEDULES')).toBe(DUE_SCHEDULES);
    expect(rowsOf('INSERT_PLANNED_EXECUTIONS')).toBe(DUE_SCHEDULES);
    expect(rowsOf('CLAIM_DUE')).toBe(500);
    expect(rowsOf('COMPLETE_FIRES')).toBe(500);
    expect(rowsOf('history page 1, heavy')).toBe(51);
    expect(rowsOf('history page 1, light')).toBe(51);
    for (const p of probes) expect(p.buffers).toBeGreaterThan(0);
  }, 30_000);

  it('prunes exactly the history past the retention', async () => {
    const prune = await measurePrune(db.url, now, 10_000);
    // The oldest eighth of the 8-day spread is older than the 7-day retention.
    expect(prune.rows).toBeGreaterThan(rows / 8 - rows / 50);
    expect(prune.rows).toBeLessThan(rows / 8 + rows / 50);
  }, 30_000);
});
