import type { ExecutionResponse } from '@scheduleman/domain';
import { MIGRATIONS } from '@scheduleman/domain/persistence';
import { testServerUrl, waitFor } from '@scheduleman/testkit';
import { Client } from 'pg';
import { everySecond, ON_TIME_MS, reportDeliveries } from './deliveries';
import { databaseNow, EVERY_SECOND, useStack } from './stack';

/**
 * DATABASE_FEATURES=portable (docs/scaling.md): the built API and two built schedulers
 * run as a role that may not call the advisory-lock functions nor pg_notify (revoked in
 * the test database), start at the same moment (so the migrations' row lock is
 * contended), hold no LISTEN connection, and still fire every occurrence on time by
 * polling; run-now (which wakes schedulers by NOTIFY otherwise) and signing-secret
 * creation (serialised by a row lock) work too.
 */
const ROLE = `portable_${process.pid}`;
const PASSWORD = 'portable-e2e';
const REVOKED = [
  'pg_advisory_lock(bigint)',
  'pg_advisory_lock(integer, integer)',
  'pg_advisory_xact_lock(bigint)',
  'pg_advisory_xact_lock(integer, integer)',
  'pg_try_advisory_lock(bigint)',
  'pg_try_advisory_xact_lock(bigint)',
  'pg_notify(text, text)',
];

async function asSuperuser<T>(
  url: string,
  work: (c: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('the portable mode: no LISTEN/NOTIFY, no advisory locks', () => {
  const schedulerIds = ['portable-s1', 'portable-s2'];
  let roleUrl = '';
  const stack = useStack('e2e_portable', schedulerIds, {
    appEnv: { DATABASE_FEATURES: 'portable' },
    prepareDatabase: async (db) => {
      await asSuperuser(testServerUrl(), async (c) => {
        await c.query(`drop role if exists ${ROLE}`);
        await c.query(`create role ${ROLE} login password '${PASSWORD}'`);
        // The owner of the database (and so of its public schema) can migrate it.
        await c.query(`alter database ${db.name} owner to ${ROLE}`);
      });
      // Function privileges live in each database's catalog: only this one is affected.
      await asSuperuser(db.url, async (c) => {
        for (const fn of REVOKED)
          await c.query(`revoke execute on function ${fn} from public`);
      });
      const url = new URL(db.url);
      url.username = ROLE;
      url.password = PASSWORD;
      roleUrl = url.toString();
      return roleUrl;
    },
    afterDrop: () =>
      asSuperuser(testServerUrl(), async (c) => {
        await c.query(`drop role if exists ${ROLE}`);
      }),
  });
  const { cluster } = stack;

  it(
    'the apps run as a role without advisory locks or NOTIFY, and hold no LISTEN connection',
    cluster.withLogs(async () => {
      // The revocation has teeth: the apps' role cannot take either.
      await asSuperuser(roleUrl, async (c) => {
        await expect(c.query('select pg_advisory_lock(1)')).rejects.toThrow(
          /permission denied/,
        );
        await expect(c.query(`select pg_notify('x', 'y')`)).rejects.toThrow(
          /permission denied/,
        );
      });
      // Three processes migrated at once under the row lock: each migration once.
      const { rows: applied } = await stack.sql.query<{ name: string }>(
        'select name from migrations order by id',
      );
      expect(applied.map((m) => m.name)).toEqual(
        MIGRATIONS.map((m) => new m().name),
      );
      const { rows: locks } = await stack.sql.query<{ name: string }>(
        'select name from scheduleman_locks',
      );
      expect(locks.map((l) => l.name)).toContain('migrations');
      // Every app's connection is the role's, and none of them is a LISTEN one.
      const { rows: sessions } = await stack.sql.query<{
        application_name: string;
        usename: string;
      }>(
        `select application_name, usename from pg_stat_activity
where datname = current_database() and pid <> pg_backend_pid()
and backend_type = 'client backend'`,
      );
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.filter((s) => s.usename !== ROLE)).toEqual([]);
      expect(
        sessions.filter((s) => s.application_name.endsWith(':listen')),
      ).toEqual([]);
      // Signing-secret creation serialises on a scheduleman_locks row instead.
      const secret = await stack.api.createSigningSecret('team-portable');
      expect(secret.secret).toMatch(/^whsec_/);
    }),
    60_000,
  );

  it(
    'fires a second-cron, a delay and a run-now on time by polling',
    cluster.withLogs(async () => {
      const cron = await stack.createHookSchedule(
        'portable-every-second',
        EVERY_SECOND,
        '/tasks/portable-cron',
      );
      const delayed = await stack.createHookSchedule(
        'portable-delay',
        { type: 'delay', delay: 'PT2S' },
        '/tasks/portable-delay',
      );
      const start = await databaseNow(stack.sql);
      // Due tomorrow, so its only execution is the run-now one.
      const manual = await stack.createHookSchedule(
        'portable-run-now',
        {
          type: 'at',
          at: new Date(start.getTime() + 86_400_000).toISOString(),
        },
        '/tasks/portable-run-now',
      );
      const runNow = await stack.api.runNow(manual.id);

      const succeeded = async (id: string): Promise<ExecutionResponse[]> =>
        (await stack.api.executions(id)).filter(
          (e) => e.status === 'succeeded',
        );
      await waitFor(
        'the delay and the run-now to succeed',
        async () =>
          (await succeeded(delayed.id)).length === 1 &&
          (await succeeded(manual.id)).length === 1,
        { timeoutMs: 20_000 },
      );
      // Five whole seconds of the cron, starting one second after its creation.
      const first = new Date(Math.ceil(start.getTime() / 1000) * 1000 + 1000);
      const last = new Date(first.getTime() + 4_000);
      const expected = [
        ...everySecond(cron.id, first, last),
        {
          scheduleId: delayed.id,
          scheduledAt: new Date(delayed.nextRunAt as string),
          key: (await succeeded(delayed.id))[0].id,
        },
        {
          scheduleId: manual.id,
          scheduledAt: new Date(runNow.scheduledAt),
          key: runNow.id,
        },
      ];
      await waitFor(
        'five cron occurrences',
        async () =>
          (await reportDeliveries(stack.pretender, expected)).missing.length ===
          0,
        { timeoutMs: 20_000 },
      );
      const report = await reportDeliveries(stack.pretender, expected);
      expect(report.missing).toEqual([]);
      expect(report.offTime).toEqual([]);
      expect(report.maxLatenessMs).toBeLessThanOrEqual(ON_TIME_MS);
      expect(report.repeated).toEqual([]);
    }),
    60_000,
  );
});
