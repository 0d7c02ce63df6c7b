import {
  createTestDatabase,
  type TestDatabase,
} from '@scheduleman/domain/testing';
import type { Client } from 'pg';
import {
  ApiClient,
  connectSql,
  databaseNow,
  type ExecutionView,
  PretenderClient,
} from './clients';
import { Cluster, freePort, waitFor } from './harness';

/**
 * Promise 5, bounded initiation: webhook targets that stall past the 3 s timeout, refuse
 * connections or answer 500 are retried per policy and end as failed executions, visible
 * in the API with their attempts and error; a healthy target succeeds at once.
 */
describe('webhook failures are retried per policy and end visibly', () => {
  const cluster = new Cluster();
  let db: TestDatabase;
  let sql: Client;
  let api: ApiClient;
  let pretender: PretenderClient;

  beforeAll(
    cluster.withLogs(async () => {
      db = await createTestDatabase('e2e_retries');
      const env = { DATABASE_URL: db.url };
      const [apiProcess, pretenderProcess] = await cluster.startReady(
        ['schedule-api', { env }],
        ['task-pretender', { env: { PRETEND_DELAY_MS: '10' } }],
        [
          'scheduler',
          { name: 'retries-s1', env: { ...env, SCHEDULER_ID: 'retries-s1' } },
        ],
        [
          'scheduler',
          { name: 'retries-s2', env: { ...env, SCHEDULER_ID: 'retries-s2' } },
        ],
      );
      api = new ApiClient(apiProcess);
      pretender = new PretenderClient(pretenderProcess);
      sql = await connectSql(db.url);
    }),
    120_000,
  );

  afterAll(async () => {
    await sql?.end();
    await cluster.stopAll();
    await db?.drop();
  }, 30_000);

  it(
    'ends slow, refusing and failing targets as failed after 3 attempts, and a healthy one as succeeded',
    cluster.withLogs(async () => {
      const refusedPort = await freePort(); // nothing listens there
      const at = new Date(
        (await databaseNow(sql)).getTime() + 2_000,
      ).toISOString();
      const targets = {
        slow: pretender.hookUrl('/tasks/slow', 'stall=5000'),
        refused: `http://127.0.0.1:${refusedPort}/tasks`,
        failing: pretender.hookUrl('/tasks/failing', 'fail=1'),
        healthy: pretender.hookUrl('/tasks/healthy'),
      };
      const schedules = Object.fromEntries(
        await Promise.all(
          Object.entries(targets).map(
            async ([name, url]) =>
              [
                name,
                await api.createSchedule({
                  name,
                  maxAttempts: 3,
                  schedule: { type: 'at', at },
                  trigger: { type: 'webhook', url },
                }),
              ] as const,
          ),
        ),
      );

      const finished = async (name: string): Promise<ExecutionView | false> => {
        const [execution] = await api.executions(schedules[name].id);
        return execution && execution.status !== 'pending' ? execution : false;
      };
      // Three attempts of up to 3 s each, plus backoff in between.
      const [slow, refused, failing, healthy] = await Promise.all(
        Object.keys(targets).map((name) =>
          waitFor(`the ${name} execution to finish`, () => finished(name), {
            timeoutMs: 45_000,
            intervalMs: 250,
          }),
        ),
      );

      expect(healthy).toMatchObject({
        status: 'succeeded',
        attempts: 1,
        responseStatus: 202,
        error: null,
      });
      expect(slow).toMatchObject({
        status: 'failed',
        attempts: 3,
        error: expect.stringMatching(/time(d)? ?out/i),
      });
      expect(refused).toMatchObject({
        status: 'failed',
        attempts: 3,
        error: expect.stringMatching(/ECONNREFUSED/),
      });
      expect(failing).toMatchObject({
        status: 'failed',
        attempts: 3,
        responseStatus: 500,
        error: expect.stringMatching(/HTTP 500/),
      });
      for (const e of [slow, refused, failing, healthy])
        expect(e.firedAt).not.toBeNull();

      // Every attempt carried the same Idempotency-Key and its own attempt number.
      for (const execution of [slow, failing]) {
        const attempts = await pretender.requests(execution.id);
        expect(
          attempts.map((r) => r.headers['x-scheduleman-attempt']).sort(),
        ).toEqual(['1', '2', '3']);
        for (const r of attempts)
          expect(r.headers['idempotency-key']).toBe(execution.id);
      }
      expect((await pretender.key(healthy.id))?.count).toBe(1);
    }),
    90_000,
  );
});
