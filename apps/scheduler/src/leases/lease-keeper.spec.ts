import { FakeClock } from '@scheduleman/domain/testing';
import type { Claim } from '../claims/claim';
import type { HeldLease } from '../claims/claims.repository';
import { LeaseKeeper, renewIntervalFor } from './lease-keeper';
import { ManualTimers } from '../testing/manual-timers';
import { TimerQueue } from '../firing/timer-queue';
import { HeldExecutions } from './held-executions';

const T0 = new Date('2031-05-01T08:00:00.000Z');

function claimOf(id: string, dueInMs: number): Claim {
  return {
    executionId: id,
    scheduleId: 's',
    scheduleName: null,
    scheduleOwner: null,
    scheduleMetadata: null,
    scheduledAt: new Date(T0.getTime() + dueInMs),
    dueAt: new Date(T0.getTime() + dueInMs),
    attempts: 0,
    maxAttempts: 5,
    leaseVersion: 1,
    leaseExpiresAt: new Date(T0.getTime() + 4_000),
    trigger: { type: 'webhook' },
    recoveredFrom: null,
  };
}

function setup(beforeRenew?: () => void) {
  const clock = new FakeClock(T0);
  const timers = new ManualTimers(clock);
  const fired: string[] = [];
  const held = new HeldExecutions({ clock });
  const queue = new TimerQueue({
    clock,
    timers,
    held,
    maxInFlight: 10,
    leaseSafetyMarginMs: 100,
    fire: (held) => {
      fired.push(held.claim.executionId);
      return Promise.resolve();
    },
  });
  const renewals: string[][] = [];
  let gone = new Set<string>();
  let down = false;
  const keeper = new LeaseKeeper({
    held,
    clock,
    timers,
    leaseDurationMs: 4_000,
    beforeRenew,
    renew: (leases: readonly HeldLease[], now: Date) => {
      if (down)
        return Promise.reject(
          Object.assign(new Error('connect ECONNREFUSED'), {
            code: 'ECONNREFUSED',
          }),
        );
      renewals.push(leases.map((l) => l.executionId));
      return Promise.resolve(
        new Map(
          leases
            .filter((l) => !gone.has(l.executionId))
            .map((l) => [l.executionId, new Date(now.getTime() + 4_000)]),
        ),
      );
    },
  });
  return {
    clock,
    timers,
    queue,
    keeper,
    fired,
    renewals,
    lose: (ids: string[]) => (gone = new Set(ids)),
    setDown: (d: boolean) => (down = d),
  };
}

describe('LeaseKeeper', () => {
  it('renews every quarter lease, at most once a second', () => {
    expect(renewIntervalFor(4_000)).toBe(1_000);
    expect(renewIntervalFor(2_000)).toBe(500);
    expect(renewIntervalFor(30_000)).toBe(1_000);
  });

  it('renews only leases held for an interval already, keeping long waits fireable', async () => {
    const { timers, queue, keeper, fired, renewals } = setup();
    keeper.start();
    queue.add([claimOf('far', 6_000)]);
    await timers.advance(500);
    queue.add([
      {
        ...claimOf('fresh', 6_000),
        leaseExpiresAt: new Date(T0.getTime() + 4_500),
      },
    ]);
    await timers.advance(500);
    expect(renewals).toEqual([['far']]);
    await timers.advance(5_500);
    await keeper.stop();
    expect(fired.sort()).toEqual(['far', 'fresh']);
  });

  it('drops a waiting execution whose lease the renewal found gone (e.g. cancelled by a pause)', async () => {
    const { timers, queue, keeper, fired, lose } = setup();
    queue.add([claimOf('cancelled', 3_000), claimOf('kept', 3_000)]);
    lose(['cancelled']);
    keeper.start();
    await timers.advance(3_000);
    await keeper.stop();
    expect(fired).toEqual(['kept']);
  });

  it('keeps renewing after the database failed, and the unrenewed lease then lapses locally', async () => {
    const { timers, queue, keeper, fired, setDown } = setup();
    queue.add([claimOf('x', 5_000)]);
    setDown(true);
    keeper.start();
    await timers.advance(5_000);
    // No renewal got through: the lease (4 s) ended before the due time, so no fire.
    expect(fired).toEqual([]);
    expect(queue.heldCount).toBe(0);
    setDown(false);
    queue.add([claimOf('y', 5_500)]);
    await timers.advance(1_000);
    await keeper.stop();
  });

  it('renews even when taking back the surplus before it throws', async () => {
    const { timers, queue, keeper, renewals } = setup(() => {
      throw new Error('surplus could not be taken back');
    });
    queue.add([claimOf('x', 6_000)]);
    keeper.start();
    await timers.advance(1_000);
    expect(renewals).toEqual([['x']]);
    await keeper.stop();
  });
});
