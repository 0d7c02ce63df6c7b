import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import {
  Cluster,
  freePort,
  RestartablePostgres,
  sleep,
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
import { everySecond, reportDeliveries } from './deliveries';

const OUTAGE_MS = 3_000;
const SCHEDULER_IDS = ['restart-s1', 'restart-s2'];

async function postmasterStart(sql: Client): Promise<string> {
  const { rows } = await sql.query<{ started: string }>(
    'select pg_postmaster_start_time()::text as started',
  );
  return rows[0].started;
}

/**
 * The database restarted mid-run loses nothing: a one-second cron keeps running for
 * about 20 s across a restart of PostgreSQL with a 3 s outage; schedulers (and the API) reconnect by
 * themselves, every occurrence is delivered, and any repeat carries the same key.
 * Runs on a PostgreSQL of its own (see RestartablePostgres).
 */
describe('a database restart in the middle of a run', () => {
  const cluster = new Cluster();
  let pg: RestartablePostgres;
  let apps: Apps;

  const withSql = async <T>(use: (sql: Client) => Promise<T>): Promise<T> => {
    const sql = await connectSql(pg.url);
    try {
      return await use(sql);
    } finally {
      await sql.end().catch(() => undefined);
    }
  };

  beforeAll(
    cluster.withLogs(async () => {
      pg = new RestartablePostgres(
        await freePort(),
        join(tmpdir(), `scheduleman-e2e-pg-${randomBytes(4).toString('hex')}`),
      );
      // The apps retry their first connection, so they boot while PostgreSQL initialises.
      [, apps] = await Promise.all([
        pg.start(true),
        startApps(
          cluster,
          pg.url,
          SCHEDULER_IDS.map((id) => schedulerSpec(id, pg.url)),
        ),
      ]);
    }),
    120_000,
  );

  afterAll(() => apps.api.close());

  afterAll(async () => {
    await cluster.stopAll();
    await pg.destroy();
  }, 60_000);

  it(
    'delivers every occurrence of a one-second cron across the restart',
    cluster.withLogs(async () => {
      const { api, pretender, schedulers } = apps;
      const cron = await api.createSchedule(
        webhookSchedule(
          'every-second',
          EVERY_SECOND,
          pretender.hookUrl('/tasks/restart'),
        ),
      );
      const first = new Date(cron.nextRunAt as string);
      const startedAt = first.getTime();
      await waitFor(
        'five occurrences before the restart',
        async () => (await pretender.stats()).unique >= 5,
        { timeoutMs: 30_000, intervalMs: 200 },
      );

      const bootedBefore = await withSql(postmasterStart);
      await pg.stop();
      // The outage itself (not a wait for a condition): long enough that occurrences fall
      // due while nothing can be planned or recorded.
      await sleep(OUTAGE_MS);
      await pg.start();
      expect(await withSql(postmasterStart)).not.toBe(bootedBefore);

      // Let the schedulers recover and run until ~20 s after the first occurrence.
      await waitFor(
        'the schedulers to be ready again',
        async () => {
          for (const p of schedulers) {
            if ((await fetch(p.url('/health/ready'))).status !== 200)
              return false;
          }
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      await waitFor(
        '20 s of occurrences',
        async () =>
          withSql(
            async (sql) =>
              (await databaseNow(sql)).getTime() > startedAt + 20_000,
          ),
        { timeoutMs: 40_000, intervalMs: 500 },
      );
      const history = await api.pauseAndSettle(cron.id, 30_000);

      const fired = history
        .filter((e) => e.status === 'succeeded')
        .map((e) => Date.parse(e.scheduledAt));
      const last = new Date(Math.max(...fired));
      expect(last.getTime()).toBeGreaterThanOrEqual(startedAt + 19_000);
      const expected = everySecond(cron.id, first, last);
      const report = await reportDeliveries(pretender, expected);
      expect(report.missing).toEqual([]);
      expect(history.filter((e) => e.status === 'succeeded')).toHaveLength(
        expected.length,
      );
      expect(history.filter((e) => e.status === 'failed')).toEqual([]);
      // Repeats, if any, shared their occurrence's key: the receiver saw no key we did not expect.
      const stats = await pretender.stats();
      expect(stats.unique).toBe(expected.length);
      expect(stats.received - stats.duplicates).toBe(expected.length);
      process.stdout.write(
        `[database-restart] ${expected.length} occurrences, ${stats.duplicates} repeated deliveries, max lateness ${report.maxLatenessMs} ms\n`,
      );
    }),
    120_000,
  );
});
