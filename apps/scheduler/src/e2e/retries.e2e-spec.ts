import type { ExecutionResponse } from '@scheduleman/domain';
import { freePort, waitFor } from '@scheduleman/testkit';
import { databaseNow, useStack } from './stack';

/**
 * Promise 5, bounded initiation: webhook targets that stall past the 3 s timeout, refuse
 * connections or answer 500 are retried per policy and end as failed executions, visible
 * in the API with their attempts and error; a healthy target succeeds at once.
 */
describe('webhook failures are retried per policy and end visibly', () => {
  const stack = useStack('e2e_retries', ['retries-s1', 'retries-s2']);
  const { cluster } = stack;

  it(
    'ends slow, refusing and failing targets as failed after 3 attempts, and a healthy one as succeeded',
    cluster.withLogs(async () => {
      const refusedPort = await freePort(); // nothing listens there
      const at = new Date(
        (await databaseNow(stack.sql)).getTime() + 2_000,
      ).toISOString();
      const targets = {
        slow: stack.pretender.hookUrl('/tasks/slow', 'stall=5000'),
        refused: `http://127.0.0.1:${refusedPort}/tasks`,
        failing: stack.pretender.hookUrl('/tasks/failing', 'fail=1'),
        healthy: stack.pretender.hookUrl('/tasks/healthy'),
      };
      const schedules = Object.fromEntries(
        await Promise.all(
          Object.entries(targets).map(
            async ([name, url]) =>
              [
                name,
                await stack.api.createSchedule({
                  name,
                  maxAttempts: 3,
                  schedule: { type: 'at', at },
                  trigger: { type: 'webhook', url },
                }),
              ] as const,
          ),
        ),
      );

      const finished = async (
        name: string,
      ): Promise<ExecutionResponse | false> => {
        const execution = (await stack.api.executions(schedules[name].id)).at(
          0,
        );
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
      });
      expect(slow.error).toMatch(/time(d)? ?out/i);
      expect(refused).toMatchObject({
        status: 'failed',
        attempts: 3,
      });
      expect(refused.error).toMatch(/ECONNREFUSED/);
      expect(failing).toMatchObject({
        status: 'failed',
        attempts: 3,
        responseStatus: 500,
      });
      expect(failing.error).toMatch(/HTTP 500/);
      for (const e of [slow, refused, failing, healthy])
        expect(e.firedAt).not.toBeNull();

      // Every attempt carried the same Idempotency-Key and its own attempt number.
      for (const execution of [slow, failing]) {
        const attempts = await stack.pretender.requests(execution.id);
        expect(
          attempts.map((r) => r.headers['x-scheduleman-attempt']).sort(),
        ).toEqual(['1', '2', '3']);
        for (const r of attempts)
          expect(r.headers['idempotency-key']).toBe(execution.id);
      }
      expect((await stack.pretender.key(healthy.id))?.count).toBe(1);
    }),
    90_000,
  );
});
