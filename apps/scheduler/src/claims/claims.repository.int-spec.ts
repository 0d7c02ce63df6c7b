import { randomUUID } from 'node:crypto';
import { executionIdFor } from '@scheduleman/domain';
import { createDataSource } from '@scheduleman/domain/persistence';
import { setPreparedStatements } from '@scheduleman/runtime';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';
import type { DataSource } from 'typeorm';
import { ClaimsRepository } from './claims.repository';

// The plan stage against a real database, at a fixed instant far from the host clock:
// `now` is a parameter, so the misfire policies are exact.
const NOW = new Date('2031-01-01T00:00:00.000Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const WINDOW = { now: NOW, lookaheadMs: 1_500, limit: 100 };

describe('ClaimsRepository.planDue', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repository: ClaimsRepository;

  beforeAll(async () => {
    db = await createTestDatabase('claims_repo');
    ds = await db.dataSource();
    repository = new ClaimsRepository(ds, {
      owner: 'planner',
      leaseDurationMs: 4_000,
    });
  });

  afterAll(async () => {
    await db.drop();
  });

  beforeEach(async () => {
    await ds.query('delete from schedules');
  });

  async function insertSchedule(fields: {
    schedule: object;
    nextRunAt: Date;
    misfirePolicy: string;
    status?: string;
  }): Promise<string> {
    const id = randomUUID();
    const type = (fields.schedule as { type: string }).type;
    await ds.query(
      `insert into schedules (id, schedule_type, schedule, trigger_type, trigger, misfire_policy, status, next_run_at)
       values ($1, $2, $3, 'webhook', '{"type":"webhook","url":"http://x"}', $4, $5, $6)`,
      [
        id,
        type,
        JSON.stringify(fields.schedule),
        fields.misfirePolicy,
        fields.status ?? 'active',
        fields.nextRunAt,
      ],
    );
    return id;
  }

  // Every minute at second 0; the last 10 occurrences were missed (the newest by 60 s,
  // beyond the 10 s misfire threshold) and one is due exactly now.
  const everyMinute = {
    type: 'cron',
    expression: '0 * * * * *',
    timezone: 'UTC',
  };

  async function executionsOf(
    scheduleId: string,
  ): Promise<
    { scheduled_at: Date; status: string; lease_owner: string | null }[]
  > {
    return ds.query(
      'select scheduled_at, status, lease_owner from executions where schedule_id = $1 order by scheduled_at',
      [scheduleId],
    );
  }

  async function scheduleRow(
    id: string,
  ): Promise<{ status: string; next_run_at: Date | null }> {
    const [row] = await ds.query<
      { status: string; next_run_at: Date | null }[]
    >('select status, next_run_at from schedules where id = $1', [id]);
    return row;
  }

  it('fire_once: fires the most recent missed occurrence once, then continues on time', async () => {
    const id = await insertSchedule({
      schedule: everyMinute,
      nextRunAt: minutes(-10),
      misfirePolicy: 'fire_once',
    });
    const result = await repository.planDue(WINDOW);
    expect(result.claims.map((c) => c.scheduledAt)).toEqual([minutes(-1), NOW]);
    expect(result.skippedOccurrences).toBe(9);
    expect(
      (await executionsOf(id)).map((e) => [
        e.scheduled_at,
        e.status,
        e.lease_owner,
      ]),
    ).toEqual([
      ...Array.from({ length: 9 }, (_, i) => [
        minutes(i - 10),
        'skipped',
        null,
      ]),
      [minutes(-1), 'pending', 'planner'],
      [NOW, 'pending', 'planner'],
    ]);
    expect(await scheduleRow(id)).toEqual({
      status: 'active',
      next_run_at: minutes(1),
    });
  });

  it('skip: fires none of the missed occurrences', async () => {
    const id = await insertSchedule({
      schedule: everyMinute,
      nextRunAt: minutes(-10),
      misfirePolicy: 'skip',
    });
    const result = await repository.planDue(WINDOW);
    expect(result.claims.map((c) => c.scheduledAt)).toEqual([NOW]);
    expect(result.skippedOccurrences).toBe(10);
    expect(result.skippedByReason).toEqual(new Map([['misfire_policy', 10]]));
    const skipped = await ds.query<
      { id: string; scheduled_at: Date; reason: string; finished_at: Date }[]
    >(
      `select id, scheduled_at, reason, finished_at from executions
       where schedule_id = $1 and status = 'skipped' order by scheduled_at`,
      [id],
    );
    expect(skipped).toEqual(
      Array.from({ length: 10 }, (_, i) => ({
        id: executionIdFor(id, minutes(i - 10)),
        scheduled_at: minutes(i - 10),
        reason: 'misfire_policy',
        finished_at: NOW,
      })),
    );
    expect(await scheduleRow(id)).toEqual({
      status: 'active',
      next_run_at: minutes(1),
    });
  });

  it('records a long outage as range rows over several plans, each occurrence once, and a replay adds nothing', async () => {
    // A per-second cron down for 3 hours: 10 790 missed occurrences, the 100 most recent
    // one row each, the older ones in range rows of at most MAX_SKIPPED_WALK.
    const id = await insertSchedule({
      schedule: { type: 'cron', expression: '* * * * * *', timezone: 'UTC' },
      nextRunAt: minutes(-180),
      misfirePolicy: 'skip',
    });
    let total = 0;
    let plans = 0;
    for (;;) {
      const result = await repository.planDue(WINDOW);
      plans++;
      total += result.skippedOccurrences;
      if (result.unfinished === 0) break;
      expect(result.claims).toEqual([]);
    }
    expect(plans).toBe(3); // 10 690 older ones: 5 000 + 5 000 + 690
    expect(total).toBe(180 * 60 - 10);
    const [ledger] = await ds.query<
      { rows: number; occurrences: number; first: Date; last: Date }[]
    >(
      `select count(*)::int as rows, sum(occurrence_count)::int as occurrences,
       min(scheduled_at) as first, max(coalesce(last_scheduled_at, scheduled_at)) as last
       from executions where schedule_id = $1 and status = 'skipped'`,
      [id],
    );
    expect(ledger).toEqual({
      rows: 100 + 3,
      occurrences: total,
      first: minutes(-180),
      last: new Date(NOW.getTime() - 11_000),
    });
    // Replaying the plan of an occurrence range already recorded inserts nothing.
    await ds.query(
      'update schedules set next_run_at = $2, status = $3 where id = $1',
      [id, minutes(-180), 'active'],
    );
    const replay = await repository.planDue(WINDOW);
    expect(replay.skippedOccurrences).toBe(0);
  });

  it('fire_all: fires every missed occurrence, oldest first, with its own execution id', async () => {
    const id = await insertSchedule({
      schedule: everyMinute,
      nextRunAt: minutes(-10),
      misfirePolicy: 'fire_all',
    });
    const result = await repository.planDue(WINDOW);
    const expected = Array.from({ length: 11 }, (_, i) => minutes(i - 10));
    expect(result.claims.map((c) => c.scheduledAt)).toEqual(expected);
    expect(result.claims.map((c) => c.executionId)).toEqual(
      expected.map((at) => executionIdFor(id, at)),
    );
  });

  it('records a one-shot missed under skip as a skipped execution and completes it', async () => {
    const at = minutes(-5);
    const id = await insertSchedule({
      schedule: { type: 'at', at: at.toISOString() },
      nextRunAt: at,
      misfirePolicy: 'skip',
    });
    const result = await repository.planDue(WINDOW);
    expect(result.claims).toEqual([]);
    expect(result.skippedExecutions).toBe(1);
    expect(
      (await executionsOf(id)).map((e) => [
        e.scheduled_at,
        e.status,
        e.lease_owner,
      ]),
    ).toEqual([[at, 'skipped', null]]);
    expect(await scheduleRow(id)).toEqual({
      status: 'completed',
      next_run_at: null,
    });
  });

  it('fires a missed one-shot under fire_once and completes it', async () => {
    const at = minutes(-5);
    const id = await insertSchedule({
      schedule: { type: 'at', at: at.toISOString() },
      nextRunAt: at,
      misfirePolicy: 'fire_once',
    });
    const result = await repository.planDue(WINDOW);
    expect(result.claims).toEqual([
      expect.objectContaining({
        executionId: executionIdFor(id, at),
        scheduledAt: at,
        dueAt: at,
        attempts: 0,
        leaseVersion: 1,
        trigger: { type: 'webhook', url: 'http://x' },
      }),
    ]);
    expect(await scheduleRow(id)).toEqual({
      status: 'completed',
      next_run_at: null,
    });
  });

  it('leaves paused schedules and schedules beyond the look-ahead alone', async () => {
    const paused = await insertSchedule({
      schedule: everyMinute,
      nextRunAt: minutes(-1),
      misfirePolicy: 'fire_once',
      status: 'paused',
    });
    const later = await insertSchedule({
      schedule: { type: 'at', at: '2031-01-01T00:00:01.501Z' },
      nextRunAt: new Date('2031-01-01T00:00:01.501Z'),
      misfirePolicy: 'fire_once',
    });
    expect(await repository.planDue(WINDOW)).toMatchObject({
      schedules: 0,
      claims: [],
    });
    expect(await executionsOf(paused)).toEqual([]);
    expect(await executionsOf(later)).toEqual([]);
  });

  it('does not plan an occurrence twice when an execution for it already exists', async () => {
    const id = await insertSchedule({
      schedule: { type: 'at', at: NOW.toISOString() },
      nextRunAt: NOW,
      misfirePolicy: 'fire_once',
    });
    await ds.query(
      `insert into executions (id, schedule_id, scheduled_at, due_at) values ($1, $2, $3, $3)`,
      [executionIdFor(id, NOW), id, NOW],
    );
    const result = await repository.planDue(WINDOW);
    expect(result.claims).toEqual([]);
    expect(await executionsOf(id)).toHaveLength(1);
    expect(await scheduleRow(id)).toEqual({
      status: 'completed',
      next_run_at: null,
    });
  });

  it('pauses a schedule whose stored spec cannot be read instead of failing every batch', async () => {
    const broken = await insertSchedule({
      schedule: { type: 'cron', expression: 'not a cron', timezone: 'UTC' },
      nextRunAt: minutes(-1),
      misfirePolicy: 'fire_once',
    });
    const fine = await insertSchedule({
      schedule: { type: 'at', at: NOW.toISOString() },
      nextRunAt: NOW,
      misfirePolicy: 'fire_once',
    });
    const result = await repository.planDue(WINDOW);
    expect(result.claims.map((c) => c.scheduleId)).toEqual([fine]);
    expect(await scheduleRow(broken)).toEqual({
      status: 'paused',
      next_run_at: null,
    });
  });

  it('opens no plan transaction while nothing is due, and plans as soon as something is', async () => {
    const idle = new ClaimsRepository(ds, {
      owner: 'planner',
      leaseDurationMs: 4_000,
    });
    const later = await insertSchedule({
      schedule: { type: 'at', at: minutes(1).toISOString() },
      nextRunAt: minutes(1),
      misfirePolicy: 'fire_once',
    });
    let transactions = 0;
    const createQueryRunner = ds.createQueryRunner.bind(ds);
    const spy = jest.spyOn(ds, 'createQueryRunner').mockImplementation(() => {
      const runner = createQueryRunner();
      const start = runner.startTransaction.bind(runner);
      runner.startTransaction = (level) => {
        transactions++;
        return start(level);
      };
      return runner;
    });
    try {
      // The first batch looks (a transaction, empty); the next ones only ask.
      for (let i = 0; i < 3; i++)
        expect((await idle.planDue(WINDOW)).schedules).toBe(0);
      expect(transactions).toBe(1);
      const due = await insertSchedule({
        schedule: { type: 'at', at: NOW.toISOString() },
        nextRunAt: NOW,
        misfirePolicy: 'fire_once',
      });
      const result = await idle.planDue(WINDOW);
      expect(result.claims.map((c) => c.scheduleId)).toEqual([due]);
      expect(transactions).toBe(2);
      // Due within the look-ahead counts as due, as in PLAN_DUE_SCHEDULES.
      const soon = { ...WINDOW, now: new Date(minutes(1).getTime() - 1_000) };
      expect(
        (await idle.planDue(soon)).claims.map((c) => c.scheduleId),
      ).toEqual([later]);
    } finally {
      spy.mockRestore();
    }
  });
});

// DB_PREPARED_STATEMENTS: on a pool of one connection, the session that ran the
// statements is the one whose pg_prepared_statements is read.
describe('ClaimsRepository statements', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('claims_prepared');
    await db.dataSource(); // migrated
  });

  afterAll(async () => {
    await db.drop();
  });

  async function namesAfterAPoll(prepared: boolean): Promise<string[]> {
    const ds = createDataSource({
      url: db.url,
      applicationName: 'claims-prepared-test',
      poolSize: 1,
    });
    await ds.initialize();
    try {
      setPreparedStatements(ds, prepared);
      const repository = new ClaimsRepository(ds, {
        owner: 'prepared',
        leaseDurationMs: 4_000,
      });
      await repository.planDue(WINDOW);
      await repository.planDue(WINDOW);
      await repository.claimDue(WINDOW);
      const rows: { name: string }[] = await ds.query(
        'select name from pg_prepared_statements order by name',
      );
      return rows.map((row) => row.name);
    } finally {
      await ds.destroy();
    }
  }

  it('are named prepared statements by default, each parsed once per connection', async () => {
    expect(await namesAfterAPoll(true)).toEqual([
      'scheduler_any_schedule_due',
      'scheduler_claim_due',
      'scheduler_plan_due_schedules',
    ]);
  });

  it('are plain text with DB_PREPARED_STATEMENTS=false', async () => {
    expect(await namesAfterAPoll(false)).toEqual([]);
  });
});
