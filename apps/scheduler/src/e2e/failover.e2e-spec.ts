import { type AppProcess, waitFor } from '@scheduleman/testkit';
import {
  allArrived,
  everySecond,
  occurrence,
  type Occurrence,
  reportDeliveries,
} from './deliveries';
import { databaseNow, EVERY_SECOND, useStack } from './stack';

/**
 * Scheduler deaths, with three built schedulers behind the built API: a SIGKILLed holder
 * of leased work loses nothing (its leases expire and survivors fire within 10 s), and a
 * SIGTERMed one hands over without a gap and exits 0.
 */
describe('scheduler processes survive the death of a scheduler', () => {
  const ids = ['failover-s1', 'failover-s2', 'failover-s3'];
  const stack = useStack('e2e_failover', ids);
  const { cluster } = stack;
  const scheduler = (id: string) => stack.schedulers.find((p) => p.name === id);

  /** Pending executions currently leased, per live scheduler. */
  async function leasesByOwner(): Promise<Map<string, string[]>> {
    const { rows } = await stack.sql.query<{
      lease_owner: string;
      ids: string[];
    }>(
      `select lease_owner, array_agg(id::text) as ids from executions
        where status = 'pending' and lease_owner is not null and lease_expires_at > now()
        group by lease_owner`,
    );
    return new Map(
      rows
        .filter((r) => scheduler(r.lease_owner)?.running)
        .map((r) => [r.lease_owner, r.ids]),
    );
  }

  it(
    'delivers every occurrence a SIGKILLed scheduler was holding within 10 s of its time',
    cluster.withLogs(async () => {
      // 30 one-shots due 2.5 to 5.4 s from now: planned (and leased) 1.5 s ahead, so at any
      // moment several are held in memory, unfired, by the schedulers.
      const now = (await databaseNow(stack.sql)).getTime();
      const expected: Occurrence[] = [];
      for (let i = 0; i < 30; i++) {
        const at = new Date(now + 2_500 + i * 100);
        const s = await stack.createHookSchedule(
          `one-shot-${i}`,
          { type: 'at', at: at.toISOString() },
          '/tasks/kill',
        );
        expected.push(occurrence(s.id, at));
      }

      const [victimId, held] = await waitFor(
        'a scheduler to hold leased, unfired executions',
        async () => {
          const owners = [...(await leasesByOwner()).entries()].sort(
            (a, b) => b[1].length - a[1].length,
          );
          return owners.length > 0 && owners[0][1].length >= 2
            ? owners[0]
            : false;
        },
        { timeoutMs: 15_000, intervalMs: 25 },
      );
      const victim = scheduler(victimId) as AppProcess;
      victim.signal('SIGKILL');
      await victim.waitExit(5_000);

      await waitFor(
        'every occurrence to arrive',
        () => allArrived(stack.pretender, expected),
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      const report = await reportDeliveries(stack.pretender, expected);
      expect(report.missing).toEqual([]);
      expect(report.offTime).toEqual([]);
      // The victim's executions were taken over and recorded by a survivor.
      const finished = await waitFor(
        "the victim's executions to be recorded",
        async () => {
          const { rows } = await stack.sql.query<{
            status: string;
            scheduler_id: string | null;
          }>(
            `select status, scheduler_id from executions where id = any($1::uuid[])`,
            [held],
          );
          return rows.every((r) => r.status !== 'pending') ? rows : false;
        },
        { timeoutMs: 20_000 },
      );
      expect(finished.length).toBe(held.length);
      for (const row of finished) expect(row.status).toBe('succeeded');
      expect(finished.some((r) => r.scheduler_id !== victimId)).toBe(true);
    }),
    90_000,
  );

  it(
    'hands over on SIGTERM without a gap, and the terminated scheduler exits 0',
    cluster.withLogs(async () => {
      const cron = await stack.createHookSchedule(
        'every-second',
        EVERY_SECOND,
        '/tasks/term',
      );
      const first = new Date(cron.nextRunAt as string);
      await waitFor(
        'three occurrences',
        () =>
          allArrived(
            stack.pretender,
            everySecond(cron.id, first, new Date(first.getTime() + 2_000)),
          ),
        { timeoutMs: 20_000 },
      );

      // Terminate the scheduler holding the cron's next occurrences (any live one if none is held yet).
      const owners = await leasesByOwner();
      const live = stack.schedulers.filter((p) => p.running);
      const leaving = live.find((p) => owners.has(p.name)) ?? live[0];
      const leavingId = leaving.name;
      const terminatedAt = await databaseNow(stack.sql);
      leaving.signal('SIGTERM');
      const exit = await leaving.waitExit(15_000);
      expect(exit).toEqual({ code: 0, signal: null });

      // Keep going for a few seconds on the survivors, then stop the schedule.
      await waitFor(
        'occurrences after the hand-over',
        async () =>
          (await databaseNow(stack.sql)).getTime() >
          terminatedAt.getTime() + 5_000,
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      const history = await stack.api.pauseAndSettle(cron.id);
      const fired = history
        .filter((e) => e.status === 'succeeded')
        .map((e) => Date.parse(e.scheduledAt));
      const last = new Date(Math.max(...fired));
      expect(last.getTime()).toBeGreaterThan(terminatedAt.getTime() + 3_000);

      const expected = everySecond(cron.id, first, last);
      const report = await reportDeliveries(stack.pretender, expected);
      expect(report.missing).toEqual([]);
      expect(report.offTime).toEqual([]);
      expect(history.filter((e) => e.status === 'succeeded')).toHaveLength(
        expected.length,
      );
      // After the hand-over the occurrences were fired by the survivors only.
      const after = history.filter(
        (e) => Date.parse(e.scheduledAt) > terminatedAt.getTime() + 2_000,
      );
      expect(after.length).toBeGreaterThan(0);
      for (const e of after) expect(e.schedulerId).not.toBe(leavingId);
    }),
    90_000,
  );
});
