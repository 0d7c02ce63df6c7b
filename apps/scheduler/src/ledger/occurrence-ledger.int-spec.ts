import { MAX_SKIPPED_ROWS } from '@scheduleman/domain';
import {
  createTestDatabase,
  type TestDatabase,
  waitFor,
} from '@scheduleman/testkit';
import type { DataSource } from 'typeorm';
import {
  createTestEngine,
  RecordingProvider,
} from '../testing/engine-fixtures';

const WAIT = { timeoutMs: 30_000, intervalMs: 50 };
const OUTAGE_MS = 3 * 3_600_000;

interface LedgerRow {
  scheduled_at: Date;
  last_at: Date;
  status: string;
  reason: string | null;
  occurrence_count: number;
}

// The occurrence ledger with the real scheduler engine and database: a per-second cron
// whose scheduler was stopped for three hours, under the `skip` misfire policy. Every
// occurrence from the outage on must be accounted for exactly once, as a delivery or a
// skipped row, and the skipped-occurrences metric must equal the rows.
describe('the occurrence ledger after an outage', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('occurrence_ledger');
    ds = await db.dataSource();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('records every missed occurrence as skipped (misfire_policy), fires on time after, and the metric equals the rows', async () => {
    const [{ id, outage_start: outageStart }] = await ds.query<
      { id: string; outage_start: Date }[]
    >(
      `insert into schedules (id, name, schedule_type, schedule, trigger_type, trigger, misfire_policy, next_run_at)
       values (gen_random_uuid(), 'ledger', 'cron', '{"type":"cron","expression":"* * * * * *","timezone":"UTC"}',
         'recording', '{"type":"recording"}', 'skip',
         date_trunc('second', clock_timestamp()) - $1::int * interval '1 millisecond')
       returning id, next_run_at as outage_start`,
      [OUTAGE_MS],
    );
    const provider = new RecordingProvider();
    const t = createTestEngine(ds, 'ledger-1', provider);
    t.engine.start();
    // On time again: three deliveries of occurrences planned after the catch-up.
    await waitFor(
      'deliveries after the outage',
      () => provider.calls.length >= 3,
      WAIT,
    );
    await t.engine.stop();

    const rows = await ds.query<LedgerRow[]>(
      `select scheduled_at, coalesce(last_scheduled_at, scheduled_at) as last_at, status, reason, occurrence_count
       from executions where schedule_id = $1 order by scheduled_at`,
      [id],
    );
    // Contiguous from the first missed occurrence: each row starts one second after the
    // previous one ends, so no occurrence is missing and none is counted twice.
    expect(rows[0].scheduled_at).toEqual(outageStart);
    for (let i = 1; i < rows.length; i++)
      expect(rows[i].scheduled_at.getTime()).toBe(
        rows[i - 1].last_at.getTime() + 1_000,
      );
    const last = rows[rows.length - 1].last_at.getTime();
    const total = rows.reduce((sum, r) => sum + r.occurrence_count, 0);
    expect(total).toBe((last - outageStart.getTime()) / 1_000 + 1);

    const skipped = rows.filter((r) => r.status === 'skipped');
    expect(skipped.every((r) => r.reason === 'misfire_policy')).toBe(true);
    expect(rows.filter((r) => r.reason !== null)).toEqual(skipped);
    // Nothing skipped fired; everything after the skipped ones was planned to fire.
    const firstFired = rows.findIndex((r) => r.status !== 'skipped');
    expect(rows.slice(0, firstFired)).toEqual(skipped);
    const skippedTotal = skipped.reduce((s, r) => s + r.occurrence_count, 0);
    expect(skippedTotal).toBeGreaterThanOrEqual(OUTAGE_MS / 1_000 - 10);
    // Bounded: far fewer rows than occurrences; the most recent ones a row each.
    expect(skipped.length).toBeLessThan(MAX_SKIPPED_ROWS + 10);
    expect(
      skipped.slice(-MAX_SKIPPED_ROWS).every((r) => r.occurrence_count === 1),
    ).toBe(true);
    const delivered = new Set(
      provider.calls.map((c) => c.scheduledAt.getTime()),
    );
    for (const r of skipped)
      expect(delivered.has(r.scheduled_at.getTime())).toBe(false);

    // The counter agrees with the rows.
    const metric = await t.registry
      .getSingleMetric('scheduleman_occurrences_skipped_total')
      ?.get();
    const byReason = new Map(
      metric?.values.map((v) => [v.labels.reason, v.value]),
    );
    expect(byReason).toEqual(new Map([['misfire_policy', skippedTotal]]));
  });
});
