import { MIGRATIONS } from '@scheduleman/domain/persistence';
import type { Client } from 'pg';
import {
  Cluster,
  createTestDatabase,
  PgBouncer,
  type TestDatabase,
  waitFor,
} from '@scheduleman/testkit';
import {
  type Apps,
  connectSql,
  databaseNow,
  EVERY_SECOND,
  schedulerSpec,
  startApps,
  webhookSchedule,
} from './stack';
import { everySecondFired, occurrence, reportDeliveries } from './deliveries';

const ONE_SHOTS = 5;

interface PoolRow extends Record<string, unknown> {
  database: string;
  pool_mode: string;
}

interface StatsRow extends Record<string, unknown> {
  database: string;
  total_xact_count: string;
}

/**
 * The apps behind Debian's PgBouncer in transaction pooling mode (3 server connections
 * shared by every client): the API and two schedulers reach the database only through it,
 * all migrating at once on a fresh database; one scheduler LISTENs on a direct connection
 * (DATABASE_LISTEN_URL), the other runs with DATABASE_LISTEN_URL=off (polling only).
 * Schedules are created, occurrences fire on time, and the server-side timeouts set on the
 * database (which PgBouncer cannot pass on as start-up parameters) are in force.
 */
describe('through PgBouncer in transaction pooling mode', () => {
  const cluster = new Cluster();
  let db: TestDatabase;
  let bouncer: PgBouncer;
  let sql: Client;
  let apps: Apps;

  beforeAll(
    cluster.withLogs(async () => {
      db = await createTestDatabase('bouncer');
      sql = await connectSql(db.url);
      // What docs/operations.md tells a deployment behind PgBouncer to do.
      await sql.query(
        `alter database ${db.name} set statement_timeout = '10s'`,
      );
      await sql.query(
        `alter database ${db.name} set idle_in_transaction_session_timeout = '5s'`,
      );
      bouncer = await PgBouncer.start({ serverUrl: db.url, poolSize: 3 });
      const pooled = bouncer.urlFor(db.url);
      apps = await startApps(
        cluster,
        pooled,
        [
          schedulerSpec('bouncer-s1', pooled, {
            DATABASE_LISTEN_URL: db.url,
            DB_PREPARED_STATEMENTS: 'false',
          }),
          schedulerSpec('bouncer-s2', pooled, {
            DATABASE_LISTEN_URL: 'off',
            DB_PREPARED_STATEMENTS: 'false',
          }),
        ],
        // PgBouncer 1.18 keeps no named statements across server connections.
        { DB_PREPARED_STATEMENTS: 'false' },
      );
    }),
    120_000,
  );

  afterAll(async () => {
    await sql.end().catch(() => undefined);
    await apps.api.close();
    await cluster.stopAll();
    await bouncer.stop();
    await db.drop();
  }, 60_000);

  it(
    'migrates, creates schedules and fires them on time',
    cluster.withLogs(async () => {
      const { api, pretender, schedulers } = apps;
      const [listening] = schedulers;
      const pools = await bouncer.admin<PoolRow>('show pools');
      expect(pools.find((p) => p.database === db.name)?.pool_mode).toBe(
        'transaction',
      );
      // Migrated exactly once, although three processes migrated through the pooler at once.
      const { rows: migrations } = await sql.query<{ n: number; d: number }>(
        'select count(*)::int as n, count(distinct name)::int as d from migrations',
      );
      expect(migrations[0]).toEqual({
        n: MIGRATIONS.length,
        d: MIGRATIONS.length,
      });
      const health = (await (
        await fetch(listening.url('/health/ready'))
      ).json()) as { details: Record<string, { listening?: boolean }> };
      expect(JSON.stringify(health)).toContain('"listening":true');

      const now = await databaseNow(sql);
      const cron = await api.createSchedule(
        webhookSchedule(
          'bouncer-cron',
          EVERY_SECOND,
          pretender.hookUrl('/tasks/bouncer-cron'),
        ),
      );
      const oneShots = [];
      for (let i = 0; i < ONE_SHOTS; i++) {
        const at = new Date(now.getTime() + 2_000 + i * 700);
        at.setMilliseconds(Math.round(at.getMilliseconds() / 100) * 100);
        oneShots.push(
          await api.createSchedule(
            webhookSchedule(
              `bouncer-at-${String(i)}`,
              { type: 'at', at: at.toISOString() },
              pretender.hookUrl(`/tasks/bouncer-at-${String(i)}`),
            ),
          ),
        );
      }
      const expectedOneShots = oneShots.map((s) =>
        occurrence(s.id, new Date(s.nextRunAt as string)),
      );
      await waitFor(
        'the one-shots to arrive',
        async () =>
          (await reportDeliveries(pretender, expectedOneShots)).missing
            .length === 0,
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      await waitFor(
        'eight cron occurrences',
        async () =>
          (await api.executions(cron.id)).filter(
            (e) => e.status === 'succeeded',
          ).length >= 8,
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      const history = await api.pauseAndSettle(cron.id, 20_000);
      expect(history.filter((e) => e.status === 'failed')).toEqual([]);
      const expected = [
        ...everySecondFired(cron.id, history),
        ...expectedOneShots,
      ];
      const report = await reportDeliveries(pretender, expected);
      expect(report.missing).toEqual([]);
      expect(report.offTime).toEqual([]);
      for (const schedule of oneShots)
        expect((await api.getSchedule(schedule.id)).status).toBe('completed');
      // A named statement that reached a server connection which never saw its Parse
      // fails ("prepared statement … does not exist"); the next poll may be luckier, so
      // on-time deliveries alone would not show it.
      for (const scheduler of schedulers)
        expect(scheduler.output()).not.toMatch(/prepared statement/i);

      // Every statement went through PgBouncer, which kept the timeouts set on the database.
      const stats = await bouncer.admin<StatsRow>('show stats');
      const transactions = Number(
        stats.find((s) => s.database === db.name)?.total_xact_count ?? 0,
      );
      expect(transactions).toBeGreaterThan(100);
      const through = await connectSql(bouncer.urlFor(db.url));
      try {
        const { rows } = await through.query<{
          statement_timeout: string;
          idle_in_transaction_session_timeout: string;
        }>(
          `select current_setting('statement_timeout') as statement_timeout,
                  current_setting('idle_in_transaction_session_timeout') as idle_in_transaction_session_timeout`,
        );
        expect(rows[0]).toEqual({
          statement_timeout: '10s',
          idle_in_transaction_session_timeout: '5s',
        });
      } finally {
        await through.end();
      }
      process.stdout.write(
        `[pgbouncer] ${String(expected.length)} occurrences through PgBouncer (transaction mode, 3 server connections), max lateness ${String(report.maxLatenessMs)} ms, ${String(transactions)} transactions\n`,
      );
    }),
    90_000,
  );
});
