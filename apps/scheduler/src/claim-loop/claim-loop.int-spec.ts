import {
  createTestDatabase,
  type TestDatabase,
  waitFor,
} from '@scheduleman/testkit';
import type { DataSource } from 'typeorm';
import { ClaimsRepository } from '../claims/claims.repository';
import { engineReadiness } from '../engine/engine-readiness';
import {
  createTestEngine,
  FAST_SETTINGS,
  insertOneShots,
  RecordingProvider,
  type TestEngine,
} from '../testing/engine-fixtures';

const WAIT = { timeoutMs: 20_000, intervalMs: 25 };

// Several schedulers in one process against one real PostgreSQL, in real time. Every
// test stops its engines; the project's setup fails a test that leaves one running.
describe('claim loop against PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('claim_loop');
    ds = await db.dataSource();
  });

  afterAll(async () => {
    await db.drop();
  });

  beforeEach(async () => {
    await ds.query('delete from schedules');
  });

  function engine(
    id: string,
    provider: RecordingProvider,
    settings = {},
  ): TestEngine {
    return createTestEngine(ds, id, provider, settings);
  }

  async function statuses(): Promise<Partial<Record<string, number>>> {
    const rows: { status: string; n: number }[] = await ds.query(
      'select status, count(*)::int as n from executions group by status',
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  it('fires each of 300 one-shots exactly once with two schedulers claiming', async () => {
    const provider = new RecordingProvider();
    const a = engine('sched-a', provider);
    const b = engine('sched-b', provider);
    const ids = await insertOneShots(ds, 300, (i) => 300 + (i % 30) * 50);
    a.engine.start();
    b.engine.start();

    await waitFor(
      '300 executions succeeded',
      async () => (await statuses())['succeeded'] === 300,
      WAIT,
    );
    await Promise.all([a.engine.stop(), b.engine.stop()]);

    const perSchedule = new Map<string, number>();
    for (const call of provider.calls)
      perSchedule.set(
        call.scheduleId,
        (perSchedule.get(call.scheduleId) ?? 0) + 1,
      );
    expect(provider.calls).toHaveLength(300);
    expect([...perSchedule.keys()].sort()).toEqual([...ids].sort());
    expect(new Set(perSchedule.values())).toEqual(new Set([1]));
    const rows: { n: number; completed: number }[] = await ds.query(
      `select count(*)::int as n, count(*) filter (where status = 'completed')::int as completed from schedules`,
    );
    expect(rows[0]).toEqual({ n: 300, completed: 300 });
    const holders: { lease_owner: string | null }[] = await ds.query(
      'select distinct lease_owner from executions',
    );
    expect(holders).toEqual([{ lease_owner: null }]);
  });

  it('reclaims the executions of a scheduler that died holding them, and fences the dead one off', async () => {
    const provider = new RecordingProvider();
    await insertOneShots(ds, 20, () => 200);
    // A scheduler that planned, then died (kill -9) before firing: it releases
    // nothing, and its leases stop being renewed.
    const dead = new ClaimsRepository(ds, {
      owner: 'sched-dead',
      leaseDurationMs: FAST_SETTINGS.leaseDurationMs,
    });
    const plan = await dead.planDue({
      now: await dead.readDatabaseClock(),
      lookaheadMs: FAST_SETTINGS.lookaheadMs,
      limit: 100,
    });
    expect(plan.claims).toHaveLength(20);
    const held: { id: string; lease_version: number }[] = await ds.query(
      `select id, lease_version from executions where lease_owner = 'sched-dead'`,
    );
    expect(held).toHaveLength(20);
    await ds.query(
      `update executions set lease_expires_at = now() - interval '1 second' where lease_owner = 'sched-dead'`,
    );

    const survivor = engine('sched-survivor', provider);
    survivor.engine.start();
    await waitFor(
      '20 executions succeeded',
      async () => (await statuses())['succeeded'] === 20,
      WAIT,
    );
    await survivor.engine.stop();

    expect(provider.calls.map((c) => c.schedulerId)).toEqual(
      Array(20).fill('sched-survivor'),
    );
    expect(
      await survivor.registry.getSingleMetricAsString(
        'scheduleman_leases_recovered_total',
      ),
    ).toMatch(/ 20$/m);

    // The dead scheduler comes back with an outcome for its old lease: nothing changes.
    const stale = await dead.completeFires(
      held.map((h) => ({
        executionId: h.id,
        leaseVersion: h.lease_version,
        status: 'failed' as const,
        attempts: 1,
        retryAt: null,
        firedAt: new Date(0),
        finishedAt: new Date(0),
        responseStatus: 500,
        error: 'stale',
        attempt: {
          finishedAt: new Date(0),
          outcome: 'permanent_failure' as const,
          response: null,
          initiationLatencyMs: 0,
          errorClass: 'http_5xx',
        },
      })),
    );
    expect(stale.size).toBe(0);
    expect(await statuses()).toEqual({ succeeded: 20 });
    const who: { scheduler_id: string }[] = await ds.query(
      'select distinct scheduler_id from executions',
    );
    expect(who).toEqual([{ scheduler_id: 'sched-survivor' }]);
  });

  it('retries a retryable failure under the same execution id until it succeeds', async () => {
    let failuresLeft = 1;
    const provider = new RecordingProvider('recording', () =>
      failuresLeft-- > 0
        ? { kind: 'retryable', error: 'HTTP 503', responseStatus: 503 }
        : { kind: 'delivered', responseStatus: 200 },
    );
    const a = engine('sched-a', provider);
    await insertOneShots(ds, 1, () => 0);
    a.engine.start();
    await waitFor(
      'the execution succeeded',
      async () => (await statuses())['succeeded'] === 1,
      WAIT,
    );
    await a.engine.stop();

    expect(provider.calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(new Set(provider.calls.map((c) => c.executionId)).size).toBe(1);
    const [row]: {
      attempts: number;
      error: string | null;
      fired_at: Date;
      scheduled_at: Date;
    }[] = await ds.query(
      'select attempts, error, fired_at, scheduled_at from executions',
    );
    expect(row).toMatchObject({ attempts: 2, error: null });
    expect(row.fired_at.getTime()).toBeGreaterThanOrEqual(
      row.scheduled_at.getTime(),
    );
  });

  it('records an unknown trigger type as a failed execution and keeps going', async () => {
    const provider = new RecordingProvider();
    const a = engine('sched-a', provider);
    await insertOneShots(ds, 1, () => 0, { triggerType: 'carrier-pigeon' });
    await insertOneShots(ds, 1, () => 0);
    a.engine.start();
    await waitFor(
      'both executions finished',
      async () => {
        const s = await statuses();
        return s['failed'] === 1 && s['succeeded'] === 1;
      },
      WAIT,
    );
    await a.engine.stop();
    const [failed]: { error: string; attempts: number }[] = await ds.query(
      `select error, attempts from executions where status = 'failed'`,
    );
    expect(failed).toEqual({
      error: 'unknown trigger type "carrier-pigeon"',
      attempts: 1,
    });
  });

  it('fires nothing scheduled more than 2 s after a pause', async () => {
    const provider = new RecordingProvider();
    const a = engine('sched-a', provider);
    const [{ id }]: { id: string }[] = await ds.query(
      `insert into schedules (id, schedule_type, schedule, trigger_type, trigger, next_run_at)
       values (gen_random_uuid(), 'cron', '{"type":"cron","expression":"* * * * * *","timezone":"UTC"}', 'recording', '{"type":"recording"}',
               date_trunc('second', now()) + interval '1 second')
       returning id`,
    );
    a.engine.start();
    await waitFor(
      'two occurrences fired',
      () => provider.calls.length >= 2,
      WAIT,
    );

    // What the API does on pause, in one transaction.
    const [{ paused_at: pausedAt }]: { paused_at: Date }[] =
      await ds.transaction(async (m) => {
        await m.query(
          `update schedules set status = 'paused', next_run_at = null where id = $1`,
          [id],
        );
        await m.query(
          `update executions set status = 'cancelled' where schedule_id = $1 and status = 'pending' and due_at > now() + interval '2 seconds'`,
          [id],
        );
        return m.query<{ paused_at: Date }[]>('select now() as paused_at');
      });
    // Nothing can fire any more once no execution is pending (the rest are finished or
    // cancelled, and a paused schedule plans none) and the engine holds, fires and
    // records nothing: wait for that instead of for time.
    await waitFor(
      'everything left after the pause settled',
      async () => {
        const { held, inFlight, queuedOutcomes } = a.engine.stats();
        return (
          held === 0 &&
          inFlight === 0 &&
          queuedOutcomes === 0 &&
          (await statuses())['pending'] === undefined
        );
      },
      WAIT,
    );
    await a.engine.stop();
    const late = provider.calls.filter(
      (c) => c.scheduledAt.getTime() > pausedAt.getTime() + 2_000,
    );
    expect(late).toEqual([]);
  });

  it('gives back unfired executions on shutdown so that another scheduler fires them at once', async () => {
    const provider = new RecordingProvider();
    const leaving = engine('sched-leaving', provider, { lookaheadMs: 2_000 });
    await insertOneShots(ds, 5, () => 1_900);
    leaving.engine.start();
    await waitFor(
      'the five executions are held',
      () => leaving.engine.stats().held === 5,
      WAIT,
    );
    await leaving.engine.stop();

    const rows: { status: string; lease_owner: string | null }[] =
      await ds.query('select status, lease_owner from executions');
    expect(rows).toEqual(
      Array(5).fill({ status: 'pending', lease_owner: null }),
    );
    expect(provider.calls).toEqual([]);

    const staying = engine('sched-staying', provider);
    staying.engine.start();
    await waitFor(
      '5 executions succeeded',
      async () => (await statuses())['succeeded'] === 5,
      WAIT,
    );
    await staying.engine.stop();
    expect(provider.calls.map((c) => c.schedulerId)).toEqual(
      Array(5).fill('sched-staying'),
    );
  });

  it('reports ready once a round succeeded and not after stop', async () => {
    const a = engine('sched-a', new RecordingProvider());
    const ready = () =>
      engineReadiness(
        a.engine.stats(),
        new Date(),
        FAST_SETTINGS.pollIntervalMs,
      ).ready;
    expect(ready()).toBe(false);
    a.engine.start();
    await waitFor('ready', ready, WAIT);
    await a.engine.stop();
    expect(ready()).toBe(false);
  });
});
