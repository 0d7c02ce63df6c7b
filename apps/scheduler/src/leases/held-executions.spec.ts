import { FakeClock } from '@scheduleman/domain/testing';
import type { Claim } from '../claims/claim';
import { type DropReason, HeldExecutions } from './held-executions';

const T0 = new Date('2031-05-01T08:00:00.000Z');

function claimOf(id: string, leaseForMs = 4_000, leaseVersion = 1): Claim {
  return {
    executionId: id,
    scheduleId: `schedule-${id}`,
    scheduleName: null,
    scheduleOwner: null,
    scheduleMetadata: null,
    scheduledAt: new Date(T0.getTime() + 1_000),
    dueAt: new Date(T0.getTime() + 1_000),
    attempts: 0,
    maxAttempts: 5,
    leaseVersion,
    leaseExpiresAt: new Date(T0.getTime() + leaseForMs),
    trigger: { type: 'webhook' },
    recoveredFrom: null,
  };
}

function setup() {
  const clock = new FakeClock(T0);
  const dropped: { id: string; reason: DropReason }[] = [];
  const held = new HeldExecutions({
    clock,
    onDrop: (h, reason) => dropped.push({ id: h.claim.executionId, reason }),
  });
  const ids = (list: readonly { claim: Claim }[]) =>
    list.map((h) => h.claim.executionId);
  return { clock, held, dropped, ids };
}

describe('HeldExecutions', () => {
  it('holds a new claim as waiting, with its lease version and expiry', () => {
    const { held } = setup();
    const entry = held.hold(claimOf('x', 4_000, 3));
    expect(entry).toMatchObject({
      state: 'waiting',
      lost: false,
      leaseVersion: 3,
      leaseExpiresAtMs: T0.getTime() + 4_000,
      dueAtMs: T0.getTime() + 1_000,
    });
    expect(held.count).toBe(1);
    expect(held.isHeld(entry)).toBe(true);
  });

  it('updates the lease in place when it re-claims an execution it holds, clearing lost', () => {
    const { held } = setup();
    const first = held.hold(claimOf('x', 4_000, 1));
    first.state = 'firing';
    held.markLost([{ executionId: 'x', leaseVersion: 1 }]);
    expect(first.lost).toBe(true);

    const again = held.hold(claimOf('x', 9_000, 2));
    expect(again).toBe(first);
    expect(again).toMatchObject({
      leaseVersion: 2,
      leaseExpiresAtMs: T0.getTime() + 9_000,
      lost: false,
      state: 'firing',
    });
    expect(held.count).toBe(1);
  });

  it('lists for renewal only leases ending within the window, and never lost ones', () => {
    const { clock, held, ids } = setup();
    held.hold(claimOf('soon', 1_000));
    held.hold(claimOf('later', 3_500));
    const lost = held.hold(claimOf('lost', 1_000));
    lost.state = 'firing';
    held.markLost([{ executionId: 'lost', leaseVersion: 1 }]);

    expect(ids(held.leasesEndingWithin(3_000))).toEqual(['soon']);
    clock.advance(500);
    expect(ids(held.leasesEndingWithin(3_000))).toEqual(['soon', 'later']);
  });

  it('extends only the lease version that was renewed, never shortening it', () => {
    const { held } = setup();
    const x = held.hold(claimOf('x', 4_000, 2));
    const at = (ms: number) => new Date(T0.getTime() + ms);
    held.extendLeases([
      { executionId: 'x', leaseVersion: 1, expiresAt: at(20_000) },
      { executionId: 'gone', leaseVersion: 1, expiresAt: at(20_000) },
    ]);
    expect(x.leaseExpiresAtMs).toBe(T0.getTime() + 4_000);
    held.extendLeases([
      { executionId: 'x', leaseVersion: 2, expiresAt: at(3_000) },
    ]);
    expect(x.leaseExpiresAtMs).toBe(T0.getTime() + 4_000);
    held.extendLeases([
      { executionId: 'x', leaseVersion: 2, expiresAt: at(8_000) },
    ]);
    expect(x.leaseExpiresAtMs).toBe(T0.getTime() + 8_000);
  });

  it('drops a waiting execution whose lease was lost, and keeps one in flight held but lost', () => {
    const { held, dropped } = setup();
    const waiting = held.hold(claimOf('waiting'));
    const firing = held.hold(claimOf('firing'));
    firing.state = 'firing';
    held.markLost([
      { executionId: 'waiting', leaseVersion: 1 },
      { executionId: 'firing', leaseVersion: 1 },
    ]);
    expect(dropped).toEqual([{ id: 'waiting', reason: 'lease_lost' }]);
    expect(held.isHeld(waiting)).toBe(false);
    expect(held.isHeld(firing)).toBe(true);
    expect(firing.lost).toBe(true);
  });

  it('ignores a lost report for another lease version of the execution', () => {
    const { held, dropped } = setup();
    const x = held.hold(claimOf('x', 4_000, 2));
    held.markLost([
      { executionId: 'x', leaseVersion: 1 },
      { executionId: 'unknown', leaseVersion: 1 },
    ]);
    expect(dropped).toEqual([]);
    expect(x.lost).toBe(false);
    expect(held.isHeld(x)).toBe(true);
  });

  it('stops holding on settle, and forgets only the entry it still holds', () => {
    const { held } = setup();
    const old = held.hold(claimOf('x'));
    held.settle('x');
    expect(held.count).toBe(0);
    const current = held.hold(claimOf('x', 4_000, 2));
    held.forget(old);
    expect(held.isHeld(current)).toBe(true);
    held.forget(current);
    expect(held.count).toBe(0);
  });

  it('hands back only the executions not fired yet on shutdown', () => {
    const { held, ids } = setup();
    held.hold(claimOf('waiting'));
    held.hold(claimOf('firing')).state = 'firing';
    held.hold(claimOf('recording')).state = 'recording';
    expect(ids(held.takeWaiting())).toEqual(['waiting']);
    expect(held.count).toBe(2);
  });
});
