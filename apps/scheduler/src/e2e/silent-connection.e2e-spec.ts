import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import {
  Cluster,
  createTestDatabase,
  TcpProxy,
  type TestDatabase,
  sleep,
  waitFor,
} from '@scheduleman/testkit';
import type { ScheduleResponse } from '@scheduleman/domain';
import {
  type Apps,
  connectSql,
  EVERY_SECOND,
  schedulerSpec,
  startApps,
  webhookSchedule,
} from './stack';
import { everySecondFired, reportDeliveries } from './deliveries';

/** The bound of issue 14: a connection gone silent is noticed within this. */
const DETECTION_BOUND_MS = 15_000;
/** Default LEASE_DURATION_MS: what a lease of the silenced scheduler may outlive. */
const LEASE_MS = 4_000;
/** A takeover happens at the first claim round after expiry: a poll (500 ms) and the fire. */
const TAKEOVER_SLACK_MS = 3_000;
const CRONS = 8;
const POOL_SILENT = 'database connection silent: no reply for 12000 ms';
const LISTEN_SILENT = 'database connection silent: no reply for 5000 ms';
const SILENT = 'silent-s1';
const DIRECT = 'direct-s2';

interface HeldLease {
  id: string;
  lease_expires_at: Date;
}

interface Fired {
  id: string;
  status: string;
  scheduler_id: string | null;
  fired_at: Date | null;
}

/**
 * A database connection that goes silent without a reset: scheduler 1 reaches PostgreSQL
 * through a TCP proxy that stops forwarding (both directions, no RST, nothing closed);
 * scheduler 2 is connected directly. Scheduler 1 must notice within 15 s (its reply
 * watchdog closes the connection and logs it), every lease it held must be taken over
 * by scheduler 2 right after it expires, and once the proxy forwards again scheduler 1
 * reconnects and fires again. Every occurrence is delivered on time, none failed.
 */
describe('a database connection that goes silent', () => {
  const cluster = new Cluster();
  let db: TestDatabase;
  let proxy: TcpProxy;
  let sql: Client;
  let apps: Apps;

  beforeAll(
    cluster.withLogs(async () => {
      db = await createTestDatabase('silent');
      const direct = new URL(db.url);
      proxy = await TcpProxy.start(Number(direct.port));
      const proxied = new URL(db.url);
      proxied.port = String(proxy.port);
      apps = await startApps(cluster, db.url, [
        // Pool and LISTEN connection both through the proxy.
        schedulerSpec(SILENT, proxied.toString()),
        schedulerSpec(DIRECT, db.url),
      ]);
      sql = await connectSql(db.url);
    }),
    120_000,
  );

  afterAll(async () => {
    await sql.end().catch(() => undefined);
    await apps.api.close();
    await cluster.stopAll();
    await proxy.close();
    await db.drop();
  }, 60_000);

  const firedBy = async (id: string, since: Date): Promise<number> => {
    const { rows } = await sql.query<{ n: number }>(
      `select count(*)::int as n from executions where scheduler_id = $1 and fired_at > $2`,
      [id, since],
    );
    return rows[0].n;
  };

  it(
    'is noticed within 15 s, its leases are taken over at expiry, and it reconnects',
    cluster.withLogs(async () => {
      const { api, pretender, schedulers } = apps;
      const [silent] = schedulers;
      const crons: ScheduleResponse[] = [];
      for (let i = 0; i < CRONS; i++)
        crons.push(
          await api.createSchedule(
            webhookSchedule(
              `silent-${String(i)}`,
              EVERY_SECOND,
              pretender.hookUrl(`/tasks/silent-${String(i)}`),
            ),
          ),
        );
      const startedAt = new Date();
      await waitFor(
        'both schedulers firing',
        async () =>
          (await firedBy(SILENT, startedAt)) > 0 &&
          (await firedBy(DIRECT, startedAt)) > 0,
        { timeoutMs: 20_000, intervalMs: 200 },
      );

      // Scheduler 1 must hold work when its network goes silent: wait until it holds an
      // execution due at least 0.5 s later, which cannot be fired and recorded before the
      // silence begins (SKIP LOCKED may hand a whole plan round to scheduler 2).
      await waitFor(
        'scheduler 1 holding an execution due later',
        async () => {
          const { rows } = await sql.query<{ n: number }>(
            `select count(*)::int as n from executions
             where status = 'pending' and lease_owner = $1
             and due_at > now() + interval '500 milliseconds'`,
            [SILENT],
          );
          return rows[0].n > 0;
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      const logLinesBefore = silent.output().split('\n').length;
      proxy.silence();
      const silencedAt = performance.now();
      // What scheduler 1 held when its network went silent (its later writes are lost;
      // the pause lets a statement already past the proxy land first).
      await sleep(200);
      const { rows: held } = await sql.query<HeldLease>(
        `select id, lease_expires_at from executions
         where status = 'pending' and lease_owner = $1`,
        [SILENT],
      );
      expect(held.length).toBeGreaterThan(0);

      // The pool's watchdog (DB_READ_TIMEOUT_MS, 12 s) and the LISTEN connection's (a ping
      // every 5 s, answered within 5 s) each log the connection they closed.
      const seen: { unready?: number; listen?: number; pool?: number } = {};
      const detectedAfterMs = await waitFor(
        'scheduler 1 to close its silent pool connection',
        async () => {
          const elapsedMs = performance.now() - silencedAt;
          if (
            seen.unready === undefined &&
            (await fetch(silent.url('/health/ready'))).status !== 200
          )
            seen.unready = elapsedMs;
          const newLines = silent.output().split('\n').slice(logLinesBefore);
          const logged = (text: string) =>
            newLines.some((line) => line.includes(text));
          if (seen.listen === undefined && logged(LISTEN_SILENT))
            seen.listen = elapsedMs;
          if (seen.pool === undefined && logged(POOL_SILENT))
            seen.pool = elapsedMs;
          return seen.pool ?? false;
        },
        { timeoutMs: DETECTION_BOUND_MS + 5_000, intervalMs: 100 },
      );
      expect(seen.listen).toBeLessThan(DETECTION_BOUND_MS);
      expect(detectedAfterMs).toBeLessThan(DETECTION_BOUND_MS);

      // Each held lease ran out 4 s at most after the silence and was taken over then.
      const ids = held.map((h) => h.id);
      const fired = await waitFor(
        'scheduler 2 to fire what scheduler 1 held',
        async () => {
          const { rows } = await sql.query<Fired>(
            `select id, status, scheduler_id, fired_at from executions where id = any($1::uuid[])`,
            [ids],
          );
          return rows.every((r) => r.status !== 'pending') ? rows : false;
        },
        { timeoutMs: LEASE_MS + 10_000, intervalMs: 200 },
      );
      const lateAfterExpiryMs = fired.map((r) => {
        const lease = held.find((h) => h.id === r.id);
        expect(r).toMatchObject({ status: 'succeeded', scheduler_id: DIRECT });
        return (
          (r.fired_at?.getTime() ?? Infinity) -
          (lease?.lease_expires_at.getTime() ?? 0)
        );
      });
      expect(Math.max(...lateAfterExpiryMs)).toBeLessThan(TAKEOVER_SLACK_MS);

      proxy.resume();
      const resumedAt = new Date();
      await waitFor(
        'scheduler 1 to fire again after the network healed',
        async () => (await firedBy(SILENT, resumedAt)) > 0,
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      await waitFor(
        'scheduler 1 to be ready again',
        async () => (await fetch(silent.url('/health/ready'))).status === 200,
        { timeoutMs: 10_000, intervalMs: 200 },
      );

      let maxLatenessMs = 0;
      for (const cron of crons) {
        const history = await api.pauseAndSettle(cron.id, 30_000);
        expect(history.filter((e) => e.status === 'failed')).toEqual([]);
        const report = await reportDeliveries(
          pretender,
          everySecondFired(cron.id, history),
        );
        expect(report.missing).toEqual([]);
        expect(report.offTime).toEqual([]);
        maxLatenessMs = Math.max(maxLatenessMs, report.maxLatenessMs);
      }
      process.stdout.write(
        `[silent-connection] pool connection closed after ${String(Math.round(detectedAfterMs))} ms, LISTEN connection after ${String(Math.round(seen.listen ?? NaN))} ms, /health/ready 503 after ${String(Math.round(seen.unready ?? NaN))} ms; ${String(held.length)} held leases taken over ${String(Math.round(Math.max(...lateAfterExpiryMs)))} ms after expiry at most; max lateness ${String(maxLatenessMs)} ms\n`,
      );
    }),
    120_000,
  );
});
