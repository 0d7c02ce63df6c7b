import { executionIdFor, SystemClock } from '@scheduleman/domain';
import { RELEASE_BUFFERED } from '@scheduleman/domain/persistence';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { ScheduleUpkeepRepository } from './schedule-upkeep.repository';
import { ScheduleUpkeepService } from './schedule-upkeep.service';

/**
 * The upkeep sweeps on a real PostgreSQL, rows written directly as the plan stage and
 * the API write them: the end of pausedUntil, the release of buffered occurrences
 * (overlapPolicy buffer_one), the schedules' health facts and the health gauge.
 */
describe('schedule upkeep', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let upkeep: ScheduleUpkeepRepository;
  let service: ScheduleUpkeepService;
  let registry: Registry;

  beforeAll(async () => {
    db = await createTestDatabase('schedule_upkeep');
    ds = await db.dataSource();
    upkeep = new ScheduleUpkeepRepository(ds, 'upkeep-test');
    registry = new Registry();
    service = new ScheduleUpkeepService(
      upkeep,
      new SystemClock(),
      new SchedulerMetrics(registry),
    );
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await ds.query(
      `truncate schedules, executions, audit_events, owner_usage cascade`,
    );
  });

  /** A cron schedule row; the *Sql values are SQL expressions. */
  async function insertSchedule(
    values: {
      expression?: string;
      status?: string;
      owner?: string | null;
      pausedUntilSql?: string;
      nextRunSql?: string;
      createdSql?: string;
      silentAfterMs?: number | null;
      lastOutcome?: string | null;
      lastSuccessSql?: string;
      resultTimeoutMs?: number | null;
      firesPerHour?: number;
    } = {},
  ): Promise<string> {
    const rows: { id: string }[] = await ds.query(
      `insert into schedules (id, name, owner, schedule_type, schedule, trigger_type, trigger, misfire_policy,
         max_attempts, status, next_run_at, paused_until, created_at, silent_after, silent_after_ms, last_outcome,
         last_success_at, result_timeout_ms, fires_per_hour)
       values (gen_random_uuid(), 'upkeep', $1::text, 'cron', jsonb_build_object('type', 'cron', 'expression', $2::text),
         'webhook', '{"type":"webhook","url":"http://127.0.0.1:9/"}', 'fire_once', 1, $3::text,
         ${values.nextRunSql ?? 'null'}, ${values.pausedUntilSql ?? 'null'}, ${values.createdSql ?? 'now()'},
         case when $4::bigint is null then null else 'PT' || ($4::bigint / 1000) || 'S' end, $4::bigint, $5::text,
         ${values.lastSuccessSql ?? 'null'}, $6::bigint, $7::int)
       returning id`,
      [
        values.owner ?? null,
        values.expression ?? '* * * * * *',
        values.status ?? 'active',
        values.silentAfterMs ?? null,
        values.lastOutcome ?? null,
        values.resultTimeoutMs ?? null,
        values.firesPerHour ?? 0,
      ],
    );
    return rows[0].id;
  }

  /** An execution of `scheduleId` scheduled `agoMs` before now, with column overrides. */
  async function insertExecution(
    scheduleId: string,
    agoMs: number,
    columns: {
      status: string;
      dueInfinity?: boolean;
      resultStatus?: string | null;
    },
  ): Promise<string> {
    const [{ at }]: { at: Date }[] = await ds.query(
      `select date_trunc('milliseconds', now()) - $1::int * interval '1 millisecond' as at`,
      [agoMs],
    );
    const id = executionIdFor(scheduleId, at);
    const final = !['pending'].includes(columns.status);
    await ds.query(
      `insert into executions (id, schedule_id, scheduled_at, due_at, status, max_attempts, finished_at, result_status, reason)
       values ($1::uuid, $2::uuid, $3::timestamptz, case when $4::bool then 'infinity'::timestamptz else $3::timestamptz end,
         $5::text, 1, case when $6::bool then now() end, $7::text, case when $5::text = 'skipped' then 'overlap_policy' end)`,
      [
        id,
        scheduleId,
        at,
        columns.dueInfinity ?? false,
        columns.status,
        final,
        columns.resultStatus ?? null,
      ],
    );
    return id;
  }

  async function dueAt(id: string): Promise<string> {
    const [row]: { due: string }[] = await ds.query(
      `select due_at::text as due from executions where id = $1::uuid`,
      [id],
    );
    return row.due;
  }

  describe('the end of pausedUntil', () => {
    it('resumes a schedule whose pause ended at its first occurrence after it, with a history entry and its rate back in its owner totals', async () => {
      const id = await insertSchedule({
        status: 'paused',
        owner: 'team-a',
        expression: '*/5 * * * * *',
        pausedUntilSql: `date_trunc('second', now()) - interval '1 second'`,
        firesPerHour: 720,
      });
      await ds.query(
        `insert into owner_usage (owner, schedules, fires_per_hour) values ('team-a', 1, 0)`,
      );
      const [{ paused_until: until }]: { paused_until: Date }[] =
        await ds.query(
          `select paused_until from schedules where id = $1::uuid`,
          [id],
        );
      const still = await insertSchedule({
        status: 'paused',
        pausedUntilSql: `now() + interval '1 hour'`,
      });
      const forever = await insertSchedule({ status: 'paused' });

      await expect(service.resumeEndedPauses()).resolves.toBe(1);

      const [row]: {
        status: string;
        next_run_at: Date;
        paused_until: Date | null;
      }[] = await ds.query(
        `select status, next_run_at, paused_until from schedules where id = $1::uuid`,
        [id],
      );
      expect(row.status).toBe('active');
      expect(row.paused_until).toBeNull();
      // The first */5 occurrence at or after the end of the pause (firstRunAfterPause).
      expect(row.next_run_at.getTime()).toBeGreaterThanOrEqual(until.getTime());
      expect(row.next_run_at.getTime() % 5_000).toBe(0);
      expect(row.next_run_at.getTime() - until.getTime()).toBeLessThan(5_000);

      const events: {
        action: string;
        actor_key_id: string | null;
        details: Record<string, unknown>;
        owner: string;
      }[] = await ds.query(
        `select action, actor_key_id, details, owner from audit_events where schedule_id = $1::uuid`,
        [id],
      );
      expect(events).toEqual([
        {
          action: 'schedule.resumed',
          actor_key_id: null,
          owner: 'team-a',
          details: {
            by: 'scheduler',
            schedulerId: 'upkeep-test',
            status: 'active',
            note: expect.stringMatching(
              /^pause ended \(pausedUntil \d{4}-\d\d-\d\dT[\d:.]+Z\)$/,
            ) as unknown,
          },
        },
      ]);
      const [usage]: { fires_per_hour: string }[] = await ds.query(
        `select fires_per_hour from owner_usage where owner = 'team-a'`,
      );
      expect(Number(usage.fires_per_hour)).toBe(720);

      const untouched: { id: string; status: string }[] = await ds.query(
        `select id, status from schedules where id = any($1::uuid[]) order by id`,
        [[still, forever]],
      );
      expect(untouched.map((r) => r.status)).toEqual(['paused', 'paused']);
      // Nothing left to resume: a second sweep writes nothing.
      await expect(service.resumeEndedPauses()).resolves.toBe(0);
    });

    it('leaves a schedule whose stored spec cannot be read paused, without its end, so it is not swept again', async () => {
      // 30 February never comes (the API refuses it; a row written by hand may hold it).
      const id = await insertSchedule({
        status: 'paused',
        expression: '0 0 30 2 *',
        pausedUntilSql: `now() - interval '1 second'`,
      });
      await expect(service.resumeEndedPauses()).resolves.toBe(0);
      const [row]: { status: string; paused_until: Date | null }[] =
        await ds.query(
          `select status, paused_until from schedules where id = $1::uuid`,
          [id],
        );
      expect(row).toEqual({ status: 'paused', paused_until: null });
    });
  });

  describe('buffered occurrences (overlapPolicy buffer_one)', () => {
    /** A schedule whose latest fired execution is `previous`, and a buffered one after it. */
    async function bufferedAfter(
      previous: { status: string; resultStatus?: string | null } | null,
      skippedBetween = false,
    ): Promise<string> {
      const schedule = await insertSchedule();
      if (previous) await insertExecution(schedule, 5_000, previous);
      if (skippedBetween)
        await insertExecution(schedule, 4_000, { status: 'skipped' });
      return insertExecution(schedule, 3_000, {
        status: 'pending',
        dueInfinity: true,
      });
    }

    it('releases one whose previous execution finished, and holds one whose previous has not', async () => {
      const released = {
        failed: await bufferedAfter({ status: 'failed' }),
        reported: await bufferedAfter({
          status: 'succeeded',
          resultStatus: 'succeeded',
        }),
        timedOut: await bufferedAfter({ status: 'result_timeout' }),
        cancelled: await bufferedAfter({ status: 'cancelled' }),
        none: await bufferedAfter(null),
        skippedSteppedOver: await bufferedAfter({ status: 'failed' }, true),
      };
      const held = {
        pending: await bufferedAfter({ status: 'pending' }),
        awaitingResult: await bufferedAfter({ status: 'succeeded' }),
        awaitingBehindSkipped: await bufferedAfter(
          { status: 'succeeded' },
          true,
        ),
      };

      await expect(service.releaseBuffered()).resolves.toBe(6);

      for (const [name, id] of Object.entries(released))
        expect([name, await dueAt(id)]).not.toEqual([name, 'infinity']);
      for (const [name, id] of Object.entries(held))
        expect([name, await dueAt(id)]).toEqual([name, 'infinity']);
      const text = await registry.metrics();
      expect(text).toMatch(/^scheduleman_buffered_released_total 6$/m);
    });

    it('releases for one schedule only when asked for one (the API, after a result report)', async () => {
      const a = await bufferedAfter({ status: 'failed' });
      const b = await bufferedAfter({ status: 'failed' });
      const [{ schedule_id }]: { schedule_id: string }[] = await ds.query(
        `select schedule_id from executions where id = $1::uuid`,
        [a],
      );
      const [rows]: [unknown[], number] = await ds.query(RELEASE_BUFFERED, [
        null,
        10,
        schedule_id,
      ]);
      expect(rows).toHaveLength(1);
      expect(await dueAt(a)).not.toBe('infinity');
      expect(await dueAt(b)).toBe('infinity');
    });
  });

  describe('health facts and the gauge', () => {
    it('keeps the latest outcome and success, counting a delivery as success only without a resultTimeout', async () => {
      const plain = await insertSchedule();
      const tracked = await insertSchedule({ resultTimeoutMs: 60_000 });
      const e1 = await insertExecution(plain, 2_000, { status: 'succeeded' });
      const e2 = await insertExecution(tracked, 2_000, { status: 'succeeded' });
      const at = new Date(Date.parse('2030-01-01T00:00:00Z'));
      await upkeep.recordOutcomes([
        { executionId: e1, outcome: 'succeeded', at },
        { executionId: e2, outcome: 'succeeded', at },
      ]);
      const facts = async (id: string) => {
        const rows: {
          last_outcome: string | null;
          last_success_at: Date | null;
        }[] = await ds.query(
          `select last_outcome, last_success_at from schedules where id = $1::uuid`,
          [id],
        );
        return rows[0];
      };
      expect(await facts(plain)).toEqual({
        last_outcome: 'succeeded',
        last_success_at: at,
      });
      expect(await facts(tracked)).toEqual({
        last_outcome: null,
        last_success_at: null,
      });

      // A success 30 s later is not written (within a minute); a failure is.
      const later = new Date(at.getTime() + 30_000);
      await upkeep.recordOutcomes([
        { executionId: e1, outcome: 'succeeded', at: later },
      ]);
      expect((await facts(plain)).last_success_at).toEqual(at);
      await upkeep.recordOutcomes([
        { executionId: e1, outcome: 'failed', at: later },
        { executionId: e2, outcome: 'result_timeout', at: later },
      ]);
      expect(await facts(plain)).toEqual({
        last_outcome: 'failed',
        last_success_at: at,
      });
      expect((await facts(tracked)).last_outcome).toBe('result_timeout');
    });

    it('counts silent, failing and late schedules, each once and worst first', async () => {
      // silent: silentAfter 60 s, created 2 min ago, never succeeded (and also failing).
      await insertSchedule({
        silentAfterMs: 60_000,
        createdSql: `now() - interval '2 minutes'`,
        lastOutcome: 'failed',
      });
      // silent: its last success is older than silentAfter.
      await insertSchedule({
        silentAfterMs: 60_000,
        lastOutcome: 'succeeded',
        lastSuccessSql: `now() - interval '5 minutes'`,
      });
      // healthy: succeeded recently / young; paused ones are never silent.
      await insertSchedule({
        silentAfterMs: 60_000,
        lastOutcome: 'succeeded',
        lastSuccessSql: `now() - interval '10 seconds'`,
      });
      await insertSchedule({
        silentAfterMs: 60_000,
        status: 'paused',
        createdSql: `now() - interval '1 hour'`,
      });
      // failing: latest outcome a result_timeout (and late too).
      await insertSchedule({
        lastOutcome: 'result_timeout',
        nextRunSql: `now() - interval '1 minute'`,
      });
      // late: active, next run unplanned for a minute.
      await insertSchedule({ nextRunSql: `now() - interval '1 minute'` });
      // not late: due 2 s ago (within the promise).
      await insertSchedule({ nextRunSql: `now() - interval '2 seconds'` });

      await service.refreshHealth();
      const text = await registry.metrics();
      expect(text).toMatch(/^scheduleman_schedules\{health="silent"\} 2$/m);
      expect(text).toMatch(/^scheduleman_schedules\{health="failing"\} 1$/m);
      expect(text).toMatch(/^scheduleman_schedules\{health="late"\} 1$/m);
    });
  });
});
