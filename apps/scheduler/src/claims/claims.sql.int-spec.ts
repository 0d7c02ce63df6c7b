import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  CLAIM_DUE,
  type ClaimDueRow,
  COMPLETE_FIRES,
  COUNT_DUE_BACKLOG,
  type DueBacklogRow,
  INSERT_PLANNED_EXECUTIONS,
  PLAN_DUE_SCHEDULES,
  type PlanDueScheduleRow,
  type PlannedExecutionRow,
  PRUNE_EXECUTIONS,
  RELEASE_CLAIMS,
  RENEW_LEASES,
  type ExecutionTableRow,
} from '@scheduleman/domain/persistence';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';

type IdRow = Pick<ExecutionTableRow, 'id'>;

// The statements, run as the scheduler runs them, against a real migrated database.
// Times are fixed instants far from the host clock: every due-ness decision must come
// from the "now" passed in.
const T0 = new Date('2031-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('claims.sql against PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('claims_sql');
    await (await db.dataSource()).destroy();
    pool = new Pool({ connectionString: db.url, max: 8 });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  beforeEach(async () => {
    await pool.query('delete from schedules');
  });

  async function insertSchedule(
    nextRunAt: Date | null,
    status = 'active',
  ): Promise<string> {
    const id = randomUUID();
    await pool.query(
      `insert into schedules (id, name, schedule_type, schedule, trigger_type, trigger, status, next_run_at)
       values ($1, 'n', 'at', '{"type":"at","at":"x"}', 'webhook', '{"type":"webhook","url":"http://x"}', $2, $3)`,
      [id, status, nextRunAt],
    );
    return id;
  }

  let occurrence = 0;
  async function insertExecution(
    scheduleId: string,
    fields: {
      dueAt: Date;
      scheduledAt?: Date;
      leaseOwner?: string;
      leaseExpiresAt?: Date;
      leaseVersion?: number;
      status?: string;
      finishedAt?: Date;
    },
  ): Promise<string> {
    const id = randomUUID();
    // scheduled_at only has to be unique per schedule here; due_at is what the claims read.
    occurrence += 1;
    await pool.query(
      `insert into executions (id, schedule_id, scheduled_at, due_at, status, lease_owner, lease_expires_at, lease_version, finished_at)
       values ($1, $2, $9, $3, $4, $5, $6, $7, $8)`,
      [
        id,
        scheduleId,
        fields.dueAt,
        fields.status ?? 'pending',
        fields.leaseOwner ?? null,
        fields.leaseExpiresAt ?? null,
        fields.leaseVersion ?? 0,
        fields.finishedAt ?? null,
        fields.scheduledAt ?? at(-1e9 + occurrence),
      ],
    );
    return id;
  }

  async function claim(
    owner: string,
    now: Date,
    limit = 100,
  ): Promise<(ClaimDueRow & { id: string })[]> {
    const { rows } = await pool.query<ClaimDueRow>(CLAIM_DUE, [
      now,
      1500,
      limit,
      owner,
      4000,
    ]);
    return rows.filter((r): r is ClaimDueRow & { id: string } => r.id !== null);
  }

  it('plans only active schedules due within the look-ahead, oldest first', async () => {
    const late = await insertSchedule(at(-5000));
    const soon = await insertSchedule(at(1000));
    await insertSchedule(at(2000));
    await insertSchedule(at(0), 'paused');
    const { rows } = await pool.query<PlanDueScheduleRow>(PLAN_DUE_SCHEDULES, [
      T0,
      1500,
      10,
    ]);
    expect(rows.map((r) => r.id)).toEqual([late, soon]);
  });

  it("returns the schedule's owner from the plan and from the claim (it picks the signing secrets)", async () => {
    const owned = await insertSchedule(at(0));
    const ownerless = await insertSchedule(at(0));
    await pool.query(`update schedules set owner = 'team-a' where id = $1`, [
      owned,
    ]);
    await insertExecution(owned, { dueAt: at(0) });
    await insertExecution(ownerless, { dueAt: at(0) });

    const { rows: planned } = await pool.query<PlanDueScheduleRow>(
      PLAN_DUE_SCHEDULES,
      [T0, 1500, 10],
    );
    const claimed = await claim('me', T0);

    expect(Object.fromEntries(planned.map((r) => [r.id, r.owner]))).toEqual({
      [owned]: 'team-a',
      [ownerless]: null,
    });
    expect(
      Object.fromEntries(claimed.map((r) => [r.schedule_id, r.schedule_owner])),
    ).toEqual({ [owned]: 'team-a', [ownerless]: null });
  });

  it("returns the schedule's metadata from the plan and from the claim (templates read it)", async () => {
    const tagged = await insertSchedule(at(0));
    const bare = await insertSchedule(at(0));
    await pool.query(
      `update schedules set metadata = '{"tenant":"acme","count":3}' where id = $1`,
      [tagged],
    );
    await insertExecution(tagged, { dueAt: at(0) });
    await insertExecution(bare, { dueAt: at(0) });

    const { rows: planned } = await pool.query<PlanDueScheduleRow>(
      PLAN_DUE_SCHEDULES,
      [T0, 1500, 10],
    );
    const claimed = await claim('me', T0);

    const expected = { [tagged]: { tenant: 'acme', count: 3 }, [bare]: null };
    expect(Object.fromEntries(planned.map((r) => [r.id, r.metadata]))).toEqual(
      expected,
    );
    expect(
      Object.fromEntries(
        claimed.map((r) => [r.schedule_id, r.schedule_metadata]),
      ),
    ).toEqual(expected);
  });

  it('skips schedules another transaction is planning', async () => {
    await insertSchedule(at(0));
    await insertSchedule(at(1));
    const a = await pool.connect();
    try {
      await a.query('begin');
      const first = await a.query<PlanDueScheduleRow>(PLAN_DUE_SCHEDULES, [
        T0,
        1500,
        1,
      ]);
      const second = await pool.query<PlanDueScheduleRow>(PLAN_DUE_SCHEDULES, [
        T0,
        1500,
        10,
      ]);
      expect(second.rows.map((r) => r.id)).not.toContain(first.rows[0].id);
      expect(second.rows).toHaveLength(1);
      await a.query('rollback');
    } finally {
      a.release();
    }
  });

  it('inserts planned executions leased to the planner and leaves existing occurrences alone', async () => {
    const s = await insertSchedule(at(0));
    const existing = await insertExecution(s, {
      dueAt: at(0),
      scheduledAt: at(0),
    });
    const fresh = randomUUID();
    const skipped = randomUUID();
    const { rows } = await pool.query<PlannedExecutionRow>(
      INSERT_PLANNED_EXECUTIONS,
      [
        [existing, fresh, skipped],
        [s, s, s],
        [at(0), at(1000), at(-60_000)],
        ['pending', 'pending', 'skipped'],
        [5, 5, 5],
        'planner',
        T0,
        4000,
        [null, null, 'misfire_policy'],
        [1, 1, 1],
        [null, null, null],
        [null, null, null],
        [true, true, true],
      ],
    );
    expect(rows.map((r) => r.id).sort()).toEqual([fresh, skipped].sort());
    const stored = await pool.query<ExecutionTableRow>(
      'select id, status, lease_owner, lease_version, lease_expires_at, finished_at, reason from executions where id = any($1)',
      [[fresh, skipped]],
    );
    const byId = new Map(stored.rows.map((r) => [r.id, r]));
    expect(byId.get(fresh)).toMatchObject({
      status: 'pending',
      lease_owner: 'planner',
      lease_version: 1,
      lease_expires_at: at(4000),
      finished_at: null,
      reason: null,
    });
    expect(byId.get(skipped)).toMatchObject({
      status: 'skipped',
      lease_owner: null,
      lease_version: 0,
      finished_at: T0,
      reason: 'misfire_policy',
    });
  });

  it('claims unleased executions due within the look-ahead and expired leases, and nothing else', async () => {
    const s = await insertSchedule(null);
    const due = await insertExecution(s, { dueAt: at(-10) });
    const soon = await insertExecution(s, { dueAt: at(1500) });
    await insertExecution(s, { dueAt: at(1501) });
    const expired = await insertExecution(s, {
      dueAt: at(-9000),
      leaseOwner: 'dead',
      leaseExpiresAt: at(-1),
      leaseVersion: 3,
    });
    await insertExecution(s, {
      dueAt: at(-9000),
      leaseOwner: 'alive',
      leaseExpiresAt: at(1),
      leaseVersion: 1,
    });
    await insertExecution(s, { dueAt: at(-9000), status: 'cancelled' });

    const rows = await claim('me', T0);
    expect(rows.map((r) => r.id).sort()).toEqual([due, soon, expired].sort());
    const recovered = rows.find((r) => r.id === expired);
    expect(recovered).toMatchObject({
      previous_owner: 'dead',
      lease_version: 4,
      lease_expires_at: at(4000),
      schedule_name: 'n',
    });
    expect(recovered?.trigger).toEqual({ type: 'webhook', url: 'http://x' });
    expect(rows.find((r) => r.id === due)).toMatchObject({
      previous_owner: null,
      lease_version: 1,
    });
    expect(await claim('other', T0)).toEqual([]);
  });

  it('returns the database clock even when nothing is claimed', async () => {
    const { rows } = await pool.query<ClaimDueRow>(CLAIM_DUE, [
      T0,
      1500,
      10,
      'me',
      4000,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBeNull();
    expect(rows[0].db_now).toBeInstanceOf(Date);
  });

  it('never hands one execution to two concurrent claimers', async () => {
    const s = await insertSchedule(null);
    const ids = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        insertExecution(s, { dueAt: at(-i) }),
      ),
    );
    const claimers = Array.from({ length: 6 }, (_, i) => `c${i}`);
    const claimed: string[] = [];
    for (let round = 0; round < 10 && claimed.length < ids.length; round++) {
      const batches = await Promise.all(claimers.map((c) => claim(c, T0, 17)));
      claimed.push(...batches.flat().map((r) => r.id));
    }
    expect(claimed.length).toBe(ids.length);
    expect(new Set(claimed).size).toBe(ids.length);
  });

  it('fences renewals, outcomes and releases on owner and lease version', async () => {
    const s = await insertSchedule(null);
    const id = await insertExecution(s, {
      dueAt: at(0),
      leaseOwner: 'me',
      leaseExpiresAt: at(4000),
      leaseVersion: 2,
    });

    const stale = await pool.query(RENEW_LEASES, [
      [id],
      [1],
      'me',
      at(1000),
      4000,
    ]);
    expect(stale.rowCount).toBe(0);
    const renewed = await pool.query(RENEW_LEASES, [
      [id],
      [2],
      'me',
      at(1000),
      4000,
    ]);
    expect(renewed.rows).toEqual([{ id, lease_expires_at: at(5000) }]);

    const outcome = (version: number, owner: string) =>
      pool.query(COMPLETE_FIRES, [
        [id],
        [version],
        ['succeeded'],
        [1],
        [null],
        [at(5)],
        [at(50)],
        [200],
        [null],
        owner,
        [at(50)],
        ['succeeded'],
        [null],
        [5],
        [null],
      ]);
    expect((await outcome(1, 'me')).rowCount).toBe(0);
    expect((await outcome(2, 'someone-else')).rowCount).toBe(0);
    expect((await pool.query(RELEASE_CLAIMS, [[id], [1], 'me'])).rowCount).toBe(
      0,
    );
    const untouched = await pool.query(
      'select status, attempts, lease_owner from executions where id = $1',
      [id],
    );
    expect(untouched.rows[0]).toEqual({
      status: 'pending',
      attempts: 0,
      lease_owner: 'me',
    });

    expect((await outcome(2, 'me')).rows).toEqual([{ id }]);
    const done = await pool.query(
      'select status, attempts, fired_at, finished_at, scheduler_id, response_status, lease_owner from executions where id = $1',
      [id],
    );
    expect(done.rows[0]).toEqual({
      status: 'succeeded',
      attempts: 1,
      fired_at: at(5),
      finished_at: at(50),
      scheduler_id: 'me',
      response_status: 200,
      lease_owner: null,
    });
    expect((await outcome(2, 'me')).rowCount).toBe(0);
  });

  it('records a retry as unleased pending work due later, keeping the first fired_at', async () => {
    const s = await insertSchedule(null);
    const id = await insertExecution(s, {
      dueAt: at(0),
      leaseOwner: 'me',
      leaseExpiresAt: at(4000),
      leaseVersion: 1,
    });
    await pool.query(COMPLETE_FIRES, [
      [id],
      [1],
      ['pending'],
      [1],
      [at(2000)],
      [at(3)],
      [null],
      [503],
      ['HTTP 503'],
      'me',
      [at(40)],
      ['retryable_failure'],
      [null],
      [3],
      ['http_5xx'],
    ]);
    expect(await claim('other', at(0))).toEqual([]);
    const [retry] = await claim('other', at(600));
    expect(retry).toMatchObject({
      id,
      attempts: 1,
      due_at: at(2000),
      lease_version: 2,
      fired_at: at(3),
    });
    await pool.query(COMPLETE_FIRES, [
      [id],
      [2],
      ['failed'],
      [2],
      [null],
      [at(2001)],
      [at(2100)],
      [null],
      ['timeout'],
      'other',
      [at(2100)],
      ['retryable_failure'],
      [null],
      [1],
      ['timeout'],
    ]);
    const row = await pool.query(
      'select status, attempts, fired_at, error, scheduler_id from executions where id = $1',
      [id],
    );
    expect(row.rows[0]).toEqual({
      status: 'failed',
      attempts: 2,
      fired_at: at(3),
      error: 'timeout',
      scheduler_id: 'other',
    });
    // The same statements wrote one attempt row per recorded outcome.
    const attempts = await pool.query(
      `select number, started_at, finished_at, outcome, response_status, initiation_latency_ms, error_class, error_message, scheduler_id
from execution_attempts where execution_id = $1 order by number`,
      [id],
    );
    expect(attempts.rows).toEqual([
      {
        number: 1,
        started_at: at(3),
        finished_at: at(40),
        outcome: 'retryable_failure',
        response_status: 503,
        initiation_latency_ms: 3,
        error_class: 'http_5xx',
        error_message: 'HTTP 503',
        scheduler_id: 'me',
      },
      {
        number: 2,
        started_at: at(2001),
        finished_at: at(2100),
        outcome: 'retryable_failure',
        response_status: null,
        initiation_latency_ms: 1,
        error_class: 'timeout',
        error_message: 'timeout',
        scheduler_id: 'other',
      },
    ]);
  });

  it('releases held executions so that the next claim takes them at once', async () => {
    const s = await insertSchedule(null);
    const id = await insertExecution(s, {
      dueAt: at(0),
      leaseOwner: 'me',
      leaseExpiresAt: at(4000),
      leaseVersion: 1,
    });
    expect(await claim('other', T0)).toEqual([]);
    expect((await pool.query(RELEASE_CLAIMS, [[id], [1], 'me'])).rows).toEqual([
      { id },
    ]);
    expect((await claim('other', T0)).map((r) => r.id)).toEqual([id]);
  });

  it('prunes finished executions older than the retention in bounded batches', async () => {
    const s = await insertSchedule(null);
    const old = await Promise.all(
      [1, 2, 3].map((i) =>
        insertExecution(s, {
          dueAt: at(-i),
          status: 'succeeded',
          finishedAt: at(-10_000 - i),
        }),
      ),
    );
    const recent = await insertExecution(s, {
      dueAt: at(-9),
      status: 'failed',
      finishedAt: at(-100),
    });
    const pending = await insertExecution(s, { dueAt: at(-8) });
    expect((await pool.query(PRUNE_EXECUTIONS, [T0, 5000, 2])).rowCount).toBe(
      2,
    );
    expect((await pool.query(PRUNE_EXECUTIONS, [T0, 5000, 2])).rowCount).toBe(
      1,
    );
    expect((await pool.query(PRUNE_EXECUTIONS, [T0, 5000, 2])).rowCount).toBe(
      0,
    );
    const left = await pool.query<IdRow>(
      'select id from executions where id = any($1)',
      [[...old, recent, pending]],
    );
    expect(left.rows.map((r) => r.id).sort()).toEqual([recent, pending].sort());
  });

  it('counts the due backlog, capped, with the oldest due time', async () => {
    await insertSchedule(at(-3000));
    await insertSchedule(at(5000));
    const s = await insertSchedule(null);
    await insertExecution(s, { dueAt: at(-7000) });
    await insertExecution(s, { dueAt: at(-1) });
    await insertExecution(s, { dueAt: at(10) });
    await insertExecution(s, {
      dueAt: at(-60_000),
      leaseOwner: 'dead',
      leaseExpiresAt: at(-1),
      leaseVersion: 1,
    });
    await insertExecution(s, {
      dueAt: at(-90_000),
      leaseOwner: 'alive',
      leaseExpiresAt: at(1),
      leaseVersion: 1,
    });
    const { rows } = await pool.query<DueBacklogRow>(COUNT_DUE_BACKLOG, [
      T0,
      1000,
    ]);
    expect(rows[0]).toEqual({
      overdue_unleased: 2,
      expired_leases: 1,
      overdue_schedules: 1,
      oldest_due_at: at(-60_000),
    });
    const capped = await pool.query<DueBacklogRow>(COUNT_DUE_BACKLOG, [T0, 1]);
    expect(capped.rows[0].overdue_unleased).toBe(1);
  });

  describe('index use (so the cost follows the rows returned, not the table size)', () => {
    async function plan(sql: string, params: unknown[]): Promise<string> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        // A near-empty table makes a sequential scan cheapest; forbid it to see which
        // index the statement can use at scale.
        await client.query('set local enable_seqscan = off');
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `explain ${sql}`,
          params,
        );
        await client.query('rollback');
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        client.release();
      }
    }

    it('plans from schedules_due_idx', async () => {
      expect(await plan(PLAN_DUE_SCHEDULES, [T0, 1500, 10])).toContain(
        'schedules_due_idx',
      );
    });

    it('claims from both partial indexes of executions', async () => {
      const text = await plan(CLAIM_DUE, [T0, 1500, 10, 'me', 4000]);
      expect(text).toContain('executions_unleased_due_idx');
      expect(text).toContain('executions_lease_expiry_idx');
    });

    it('prunes from executions_finished_idx', async () => {
      expect(await plan(PRUNE_EXECUTIONS, [T0, 5000, 10])).toContain(
        'executions_finished_idx',
      );
    });

    it('counts the backlog from the partial indexes only', async () => {
      const text = await plan(COUNT_DUE_BACKLOG, [T0, 10]);
      expect(text).toContain('executions_unleased_due_idx');
      expect(text).toContain('executions_lease_expiry_idx');
      expect(text).toContain('schedules_due_idx');
      expect(text).not.toMatch(/Seq Scan/);
    });
  });

  describe('fenced batch writes when the statistics saw no leases', () => {
    // Between bursts almost nothing is leased, so ANALYZE records executions_lease_expiry_idx's
    // subset as near empty; in a burst it holds thousands. A fence written as constants on
    // executions then let the generic plan drive a nested loop from that index, rescanning
    // the batch for every held row (375–800 ms per batch of 500–1,000, 4 December). The
    // statements must reach executions by primary key whatever the statistics say.
    const FENCED: [string, string, number][] = [
      ['RENEW_LEASES', RENEW_LEASES, 5],
      ['COMPLETE_FIRES', COMPLETE_FIRES, 15],
      ['RELEASE_CLAIMS', RELEASE_CLAIMS, 3],
    ];

    // After the outer beforeEach has emptied the tables.
    beforeEach(async () => {
      const scheduleId = await insertSchedule(null);
      await pool.query(
        `insert into executions (id, schedule_id, scheduled_at, due_at, status, finished_at)
         select gen_random_uuid(), $1, $2::timestamptz + g * interval '1 second', $2, 'succeeded', $2
         from generate_series(1, 20000) g`,
        [scheduleId, T0],
      );
      await pool.query('analyze executions');
      await pool.query(
        `insert into executions (id, schedule_id, scheduled_at, due_at, status, lease_owner, lease_expires_at, lease_version)
         select gen_random_uuid(), $1, $2::timestamptz - g * interval '1 second', $2, 'pending', 'me', $2, 1
         from generate_series(1, 3000) g`,
        [scheduleId, T0],
      );
    });

    interface PlanNode {
      'Node Type': string;
      'Relation Name'?: string;
      'Index Name'?: string;
      Plans?: PlanNode[];
    }

    function scansOf(node: PlanNode, relation: string): PlanNode[] {
      const own =
        node['Relation Name'] === relation &&
        node['Node Type'] !== 'ModifyTable'
          ? [node]
          : [];
      return [
        ...own,
        ...(node.Plans ?? []).flatMap((child) => scansOf(child, relation)),
      ];
    }

    async function genericPlan(sql: string, params: number): Promise<PlanNode> {
      const client = await pool.connect();
      try {
        await client.query('set plan_cache_mode = force_generic_plan');
        await client.query(`prepare fenced as ${sql}`);
        const nulls = Array.from({ length: params }, () => 'null').join(', ');
        const { rows } = await client.query<{
          'QUERY PLAN': [{ Plan: PlanNode }];
        }>(`explain (format json) execute fenced(${nulls})`);
        return rows[0]['QUERY PLAN'][0].Plan;
      } finally {
        await client.query('deallocate all');
        await client.query('reset plan_cache_mode');
        client.release();
      }
    }

    it.each(FENCED)(
      '%s reaches executions by its primary key only',
      async (_name, sql, params) => {
        const scans = scansOf(await genericPlan(sql, params), 'executions');
        expect(scans.map((n) => n['Index Name'])).toEqual(['executions_pkey']);
      },
    );
  });
});
