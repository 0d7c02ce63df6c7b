import {
  type AppProcess,
  requestJson,
  TEST_SECRETS_KEY,
  skewClock,
  waitFor,
} from '@scheduleman/testkit';
import {
  allArrived,
  everySecond,
  occurrence,
  reportDeliveries,
} from './deliveries';
import { databaseNow, EVERY_SECOND, LOOPBACK_ALLOWED, useStack } from './stack';

/**
 * Promise 6, one clock: a scheduler whose host clock is a minute off still fires on the
 * database's time. Each test runs ONE scheduler with a shifted clock (so no correct
 * scheduler can mask it). A scheduler that trusted its host clock would fire 60 s late
 * (clock behind) or up to its whole horizon early (clock ahead); both are caught.
 */
describe('a scheduler with a skewed host clock', () => {
  const stack = useStack('e2e_clock', []);
  const { cluster } = stack;

  async function startSkewedScheduler(shiftMs: number): Promise<AppProcess> {
    const skew = skewClock(shiftMs);
    const scheduler = await cluster.start('scheduler', {
      name: `scheduler-shifted-${shiftMs}`,
      env: {
        ...LOOPBACK_ALLOWED,
        SECRETS_KEY: TEST_SECRETS_KEY,
        DATABASE_URL: stack.db.url,
        SCHEDULER_ID: `shifted-${shiftMs}`,
        ...skew.env,
      },
      nodeArgs: skew.nodeArgs,
    });
    await scheduler.waitReady();
    return scheduler;
  }

  /** The scheduler's measured offset to the database clock, from its readiness details. */
  async function measuredOffsetMs(scheduler: AppProcess): Promise<number> {
    const res = await requestJson<{
      details: { claimLoop?: { clockOffsetMs?: number } };
    }>('GET', scheduler.url('/health/ready'));
    const offset = res.body.details.claimLoop?.clockOffsetMs;
    if (typeof offset !== 'number')
      throw new Error(`no clockOffsetMs in ${JSON.stringify(res.body)}`);
    return offset;
  }

  it.each([
    ['behind', -60_000],
    ['ahead', 60_000],
  ])(
    'fires on time when its clock is a minute %s',
    (_label, shiftMs) =>
      cluster.withLogs(async () => {
        const scheduler = await startSkewedScheduler(shiftMs);
        try {
          const now = (await databaseNow(stack.sql)).getTime();
          // An `at` 4 s ahead: with the clock a minute ahead, a naive scheduler fires it at once, 4 s early.
          const at = new Date(now + 4_000);
          const oneShot = await stack.createHookSchedule(
            'at',
            { type: 'at', at: at.toISOString() },
            '/tasks/skew',
          );
          const cron = await stack.createHookSchedule(
            'cron',
            EVERY_SECOND,
            '/tasks/skew',
          );
          const first = new Date(cron.nextRunAt as string);
          const cronExpected = everySecond(
            cron.id,
            first,
            new Date(first.getTime() + 4_000),
          );
          const expected = [occurrence(oneShot.id, at), ...cronExpected];

          await waitFor(
            'the one-shot and five cron occurrences',
            () => allArrived(stack.pretender, expected),
            { timeoutMs: 30_000, intervalMs: 200 },
          );
          await stack.api.pauseAndSettle(cron.id);

          const report = await reportDeliveries(stack.pretender, expected);
          expect(report.missing).toEqual([]);
          expect(report.offTime).toEqual([]);
          // Never early: the receiver is on the database's host, so its clock is the reference.
          for (const o of expected)
            expect(
              (await stack.pretender.key(o.key))?.latenessMs,
            ).toBeGreaterThanOrEqual(-500);
          // The scheduler saw its own skew: offset = database minus host ≈ -shift.
          expect(
            Math.abs((await measuredOffsetMs(scheduler)) + shiftMs),
          ).toBeLessThan(5_000);
        } finally {
          await scheduler.stop('SIGTERM', 15_000);
        }
      })(),
    90_000,
  );
});
