import {
  executionIdFor,
  flexibleOffsetMs,
  type ScheduleSpec,
  SKIP_REASONS,
} from '@scheduleman/domain';
import {
  createTestDatabase,
  type TestDatabase,
  waitFor,
} from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  createTestEngine,
  RecordingProvider,
  type TestEngine,
} from '../testing/engine-fixtures';
import {
  ALL_WEEK,
  latestGap,
  SUNDAY_0230,
} from '../testing/time-policy-fixtures';

const WAIT = { timeoutMs: 30_000, intervalMs: 100 };
const EVERY_SECOND: ScheduleSpec = {
  type: 'cron',
  expression: '* * * * * *',
  timezone: 'UTC',
};
const EVERY_MINUTE: ScheduleSpec = {
  type: 'cron',
  expression: '* * * * *',
  timezone: 'UTC',
};
interface Row {
  scheduled_at: Date;
  /** Null for due_at infinity (held by buffer_one). */
  due_at: Date | null;
  status: string;
  reason: string | null;
  occurrence_count: number;
  lease_owner: string | null;
}

/**
 * The per-schedule time policies enforced by the real scheduler engine and claim loop on
 * a real database (docs/time.md "What the scheduler does"): every skip reason of the
 * plan stage produced and recorded, the skipped-occurrences counter equal to the rows
 * per reason, a flexible window firing at due_at with the occurrence's own scheduled
 * time, and an occurrence held by buffer_one never claimed. Misfires are made the way
 * the other ledger specs make them: next_run_at in the past. All schedules run under
 * one engine, started once.
 */
describe('time policies enforced by the scheduler', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let t: TestEngine;
  const provider = new RecordingProvider();
  const ids: Record<string, string> = {};
  let dbNow: Date;
  /** The DST gap instant the dst schedule starts at, and its zone. */
  let gap: { zone: string; at: Date };
  let flexibleAt: Date;
  let flexibleOffset: number;

  async function insert(
    name: string,
    spec: ScheduleSpec,
    nextRunAt: Date,
    columns: Record<string, unknown> = {},
    id: string = randomUUID(),
  ): Promise<string> {
    const { misfire_policy: misfirePolicy = 'fire_once', ...rest } = columns;
    const names = Object.keys(rest);
    const values = names.map((c) =>
      c === 'exclusions' ? JSON.stringify(rest[c]) : rest[c],
    );
    await ds.query(
      `insert into schedules (id, name, schedule_type, schedule, trigger_type, trigger, misfire_policy, next_run_at${names.map((c) => `, ${c}`).join('')})
       values ($1, $2, $3, $4, 'recording', '{"type":"recording"}', $5, $6${names.map((_, i) => `, $${i + 7}`).join('')})`,
      [
        id,
        name,
        spec.type,
        JSON.stringify(spec),
        misfirePolicy,
        nextRunAt,
        ...values,
      ],
    );
    ids[name] = id;
    return id;
  }

  function rowsOf(name: string): Promise<Row[]> {
    return ds.query<Row[]>(
      `select scheduled_at, case when due_at < 'infinity' then due_at end as due_at, status, reason, occurrence_count, lease_owner
       from executions where schedule_id = $1 order by scheduled_at`,
      [ids[name]],
    );
  }

  const deliveriesOf = (name: string) =>
    provider.calls.filter((c) => c.scheduleId === ids[name]);

  beforeAll(async () => {
    db = await createTestDatabase('time_policies');
    ds = await db.dataSource();
    [{ now: dbNow }] = await ds.query<{ now: Date }[]>(
      `select date_trunc('second', clock_timestamp()) as now`,
    );
    const inMs = (ms: number) => new Date(dbNow.getTime() + ms);

    // dst_policy: from the latest DST gap on, under misfire skip: the gap occurrence is
    // skipped for the DST policy, the later Sundays as misfires; nothing fires.
    gap = latestGap(new Date(dbNow.getTime() - 60_000));
    await insert(
      'dst',
      { type: 'cron', expression: SUNDAY_0230, timezone: gap.zone },
      gap.at,
      { misfire_policy: 'skip', dst_gap_policy: 'skip' },
    );
    // catch_up_window: a one-shot an hour late, and a per-minute cron 30 minutes behind
    // under fire_all: the ones later than 10 minutes are skipped, the others fire.
    const oneShotAt = inMs(-3_600_000);
    await insert(
      'catchUpOneShot',
      { type: 'at', at: oneShotAt.toISOString() },
      oneShotAt,
      { catch_up_window: 'PT10M' },
    );
    const minute = Math.floor(dbNow.getTime() / 60_000) * 60_000;
    await insert('catchUpCron', EVERY_MINUTE, new Date(minute - 30 * 60_000), {
      misfire_policy: 'fire_all',
      catch_up_window: 'PT10M',
    });
    // exclusion: own, and through a calendar.
    const calendarId = randomUUID();
    await ds.query(
      `insert into calendars (id, owner, name, exclusions) values ($1, null, 'always', $2)`,
      [calendarId, JSON.stringify(ALL_WEEK)],
    );
    await insert('excludedOwn', EVERY_SECOND, inMs(2_000), {
      exclusions: ALL_WEEK,
    });
    await insert('excludedByCalendar', EVERY_SECOND, inMs(2_000), {
      calendar_ids: [calendarId],
    });
    // skip_next: the occurrence in 3 s is skipped, the others fire.
    await insert('skipNext', EVERY_SECOND, inMs(2_000), {
      skip_next_at: inMs(3_000),
    });
    // overlap: the first delivery never reports a result (no resultTimeout: it waits
    // for one without end), so it stays unfinished.
    await insert('overlapSkip', EVERY_SECOND, inMs(2_000), {
      overlap_policy: 'skip',
    });
    await insert('overlapBuffer', EVERY_SECOND, inMs(2_000), {
      overlap_policy: 'buffer_one',
    });
    // flexible window: a one-shot whose offset puts its due_at past the plan horizon,
    // so it is inserted unleased and claimed when due.
    flexibleAt = inMs(2_000);
    let flexibleId = randomUUID();
    while (flexibleOffsetMs(flexibleId, flexibleAt, 'PT3S') < 2_000)
      flexibleId = randomUUID();
    flexibleOffset = flexibleOffsetMs(flexibleId, flexibleAt, 'PT3S');
    await insert(
      'flexible',
      { type: 'at', at: flexibleAt.toISOString() },
      flexibleAt,
      { flexible_window: 'PT3S' },
      flexibleId,
    );

    t = createTestEngine(ds, 'policies-1', provider);
    t.engine.start();
    await waitFor(
      'every policy at work',
      async () => {
        const counts = await ds.query<{ name: string; n: number }[]>(
          `select s.name, count(e.id)::int as n
           from schedules s left join executions e on e.schedule_id = s.id and e.status = 'skipped'
           group by s.name`,
        );
        const skipped = new Map(counts.map((c) => [c.name, c.n]));
        return (
          (skipped.get('excludedOwn') ?? 0) >= 3 &&
          (skipped.get('excludedByCalendar') ?? 0) >= 3 &&
          (skipped.get('overlapSkip') ?? 0) >= 3 &&
          (skipped.get('overlapBuffer') ?? 0) >= 3 &&
          (skipped.get('catchUpOneShot') ?? 0) === 1 &&
          deliveriesOf('skipNext').length >= 2 &&
          deliveriesOf('flexible').length === 1
        );
      },
      WAIT,
    );
    await t.engine.stop();
  }, 60_000);

  afterAll(async () => {
    await t.engine.stop();
    await db.drop();
  });

  it('records a DST gap occurrence skipped by dstGapPolicy skip as dst_policy', async () => {
    const rows = await rowsOf('dst');
    expect(rows[0]).toMatchObject({
      scheduled_at: gap.at,
      status: 'skipped',
      reason: 'dst_policy',
      occurrence_count: 1,
    });
    // The later Sundays were missed: misfires, under skip; nothing fired.
    expect(rows.slice(1).every((r) => r.reason === 'misfire_policy')).toBe(
      true,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(deliveriesOf('dst')).toEqual([]);
  });

  it('skips what is later than the catch-up window and fires the rest', async () => {
    expect(await rowsOf('catchUpOneShot')).toMatchObject([
      { status: 'skipped', reason: 'catch_up_window' },
    ]);
    expect(deliveriesOf('catchUpOneShot')).toEqual([]);

    const rows = await rowsOf('catchUpCron');
    const windowStart = dbNow.getTime() - 10 * 60_000;
    const skipped = rows.filter((r) => r.reason === 'catch_up_window');
    const fired = rows.filter((r) => r.status !== 'skipped');
    // 30 missed: those more than 10 minutes old skipped, the others fired (fire_all).
    expect(skipped.length).toBeGreaterThanOrEqual(19);
    expect(
      skipped.every((r) => r.scheduled_at.getTime() < windowStart + 60_000),
    ).toBe(true);
    expect(fired.length).toBeGreaterThanOrEqual(9);
    expect(
      fired.every((r) => r.scheduled_at.getTime() >= windowStart - 60_000),
    ).toBe(true);
    expect(
      rows.every(
        (r) => r.status !== 'skipped' || r.reason === 'catch_up_window',
      ),
    ).toBe(true);
  });

  it('records occurrences inside an own exclusion or a calendar’s as exclusion, and delivers none', async () => {
    for (const name of ['excludedOwn', 'excludedByCalendar']) {
      const rows = await rowsOf(name);
      expect(rows.length).toBeGreaterThanOrEqual(3);
      expect(rows.every((r) => r.reason === 'exclusion')).toBe(true);
      expect(deliveriesOf(name)).toEqual([]);
    }
  });

  it('skips the occurrence skip-next marked, fires the others, and clears the mark', async () => {
    const rows = await rowsOf('skipNext');
    const marked = dbNow.getTime() + 3_000;
    expect(rows.filter((r) => r.status === 'skipped')).toEqual([
      expect.objectContaining({
        scheduled_at: new Date(marked),
        reason: 'skip_next',
      }),
    ]);
    expect(
      deliveriesOf('skipNext').some((c) => c.scheduledAt.getTime() === marked),
    ).toBe(false);
    const [{ skip_next_at }] = await ds.query<{ skip_next_at: Date | null }[]>(
      `select skip_next_at from schedules where id = $1`,
      [ids.skipNext],
    );
    expect(skip_next_at).toBeNull();
  });

  it('under overlap skip, fires once and skips while the previous awaits its result', async () => {
    const rows = await rowsOf('overlapSkip');
    expect(deliveriesOf('overlapSkip')).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'succeeded', reason: null });
    expect(rows.slice(1).length).toBeGreaterThanOrEqual(3);
    expect(rows.slice(1).every((r) => r.reason === 'overlap_policy')).toBe(
      true,
    );
  });

  it('under buffer_one, holds one occurrence unleased at due_at infinity, never claimed, and skips the rest', async () => {
    const rows = await rowsOf('overlapBuffer');
    expect(deliveriesOf('overlapBuffer')).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'succeeded' });
    expect(rows[1]).toMatchObject({ status: 'pending', lease_owner: null });
    const [{ never }] = await ds.query<{ never: boolean }[]>(
      `select due_at = 'infinity' as never from executions where schedule_id = $1 and status = 'pending'`,
      [ids.overlapBuffer],
    );
    expect(never).toBe(true);
    expect(rows.slice(2).length).toBeGreaterThanOrEqual(2);
    expect(rows.slice(2).every((r) => r.reason === 'overlap_policy')).toBe(
      true,
    );
    // Never overdue, never claimable, whatever the clock says.
    const later = new Date(dbNow.getTime() + 86_400_000);
    const [{ n }] = await ds.query<{ n: number }[]>(
      `select count(*)::int as n from executions
       where status = 'pending' and lease_owner is null and due_at < 'infinity'`,
    );
    const backlog = await t.repository.countDueBacklog(later, 1000);
    expect(backlog.overdueExecutions).toBe(n);
    expect(backlog.oldestDueAt).toBeInstanceOf(Date);
    const claimed = await t.repository.claimDue({
      now: later,
      lookaheadMs: 1_500,
      limit: 1000,
    });
    expect(claimed.claims.map((c) => c.scheduleId)).not.toContain(
      ids.overlapBuffer,
    );
    // The claim above took everything else that was pending: give it back.
    await t.repository.releaseClaims(
      claimed.claims.map((c) => ({
        executionId: c.executionId,
        leaseVersion: c.leaseVersion,
      })),
    );
  });

  it('fires a flexible window occurrence at its due_at, with the occurrence’s own scheduled time and id', async () => {
    const [row] = await rowsOf('flexible');
    expect(row.scheduled_at).toEqual(flexibleAt);
    expect(row.due_at?.getTime()).toBe(flexibleAt.getTime() + flexibleOffset);
    const [call] = deliveriesOf('flexible');
    expect(call.scheduledAt).toEqual(flexibleAt);
    expect(call.executionId).toBe(executionIdFor(ids.flexible, flexibleAt));
    // On time around due_at (±10 s promise), not around scheduled_at.
    const [{ fired_at }] = await ds.query<{ fired_at: Date }[]>(
      `select fired_at from executions where schedule_id = $1`,
      [ids.flexible],
    );
    const dueAt = flexibleAt.getTime() + flexibleOffset;
    expect(fired_at.getTime()).toBeGreaterThanOrEqual(dueAt);
    expect(fired_at.getTime() - dueAt).toBeLessThan(1_000);
    // Its attempt's initiation latency is measured from due_at too.
    const [attempt] = await ds.query<{ initiation_latency_ms: number }[]>(
      `select initiation_latency_ms from execution_attempts where execution_id = $1`,
      [call.executionId],
    );
    expect(attempt.initiation_latency_ms).toBeGreaterThanOrEqual(0);
    expect(attempt.initiation_latency_ms).toBeLessThan(1_000);
  });

  it('counts skipped occurrences per reason exactly as the rows say', async () => {
    const rows = await ds.query<{ reason: string; n: number }[]>(
      `select reason, sum(occurrence_count)::int as n from executions
       where status = 'skipped' group by reason`,
    );
    const fromRows = new Map(rows.map((r) => [r.reason, r.n]));
    // Every reason of the plan stage was produced (misfire_policy only when a later
    // Sunday was missed too).
    for (const reason of SKIP_REASONS.filter((r) => r !== 'misfire_policy'))
      expect([reason, (fromRows.get(reason) ?? 0) > 0]).toEqual([reason, true]);
    expect(fromRows.get('dst_policy')).toBe(1);
    const metric = await t.registry
      .getSingleMetric('scheduleman_occurrences_skipped_total')
      ?.get();
    const fromMetric = new Map(
      metric?.values.map((v) => [String(v.labels.reason), v.value]),
    );
    expect(fromMetric).toEqual(fromRows);
  });
});
