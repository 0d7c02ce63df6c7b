import { FakeClock } from '@scheduleman/domain/testing';
import type { Claim } from '../claims/claim';
import type { HeldExecution } from '../leases/held-execution';
import { type DropReason, HeldExecutions } from '../leases/held-executions';
import { ManualTimers } from '../testing/manual-timers';
import { TimerQueue } from './timer-queue';

const T0 = new Date('2031-05-01T08:00:00.000Z');

function claimOf(
  id: string,
  dueInMs: number,
  leaseForMs = 4_000,
  leaseVersion = 1,
): Claim {
  return {
    executionId: id,
    scheduleId: `schedule-${id}`,
    scheduleName: null,
    scheduleOwner: null,
    scheduleMetadata: null,
    scheduledAt: new Date(T0.getTime() + dueInMs),
    dueAt: new Date(T0.getTime() + dueInMs),
    attempts: 0,
    maxAttempts: 5,
    leaseVersion,
    leaseExpiresAt: new Date(T0.getTime() + leaseForMs),
    trigger: { type: 'webhook' },
    recoveredFrom: null,
  };
}

function setup(
  options: { maxInFlight?: number; hold?: boolean; coalesceMs?: number } = {},
) {
  const clock = new FakeClock(T0);
  const timers = new ManualTimers(clock);
  const fired: { id: string; atMs: number; version: number }[] = [];
  const dropped: { id: string; reason: DropReason }[] = [];
  const inFlight = new Map<string, () => void>();
  const held = new HeldExecutions({
    clock,
    onDrop: (h, reason) => dropped.push({ id: h.claim.executionId, reason }),
  });
  const queue = new TimerQueue({
    clock,
    timers,
    held,
    maxInFlight: options.maxInFlight ?? 256,
    coalesceMs: options.coalesceMs,
    leaseSafetyMarginMs: 100,
    fire: (held: HeldExecution) => {
      fired.push({
        id: held.claim.executionId,
        atMs: clock.now().getTime() - T0.getTime(),
        version: held.leaseVersion,
      });
      if (!options.hold) return Promise.resolve();
      return new Promise<void>((resolve) =>
        inFlight.set(held.claim.executionId, resolve),
      );
    },
  });
  return { clock, timers, held, queue, fired, dropped, inFlight };
}

/** What fired and when (ms after T0), in order. */
function firedAt(fired: { id: string; atMs: number }[]): [string, number][] {
  return fired.map((f) => [f.id, f.atMs]);
}

describe('TimerQueue', () => {
  it('fires each execution at its own due time, earliest first', async () => {
    const { timers, queue, fired } = setup();
    queue.add([claimOf('c', 300), claimOf('a', 100), claimOf('b', 200)]);

    await timers.advance(99);
    expect(fired).toEqual([]);
    await timers.advance(1);
    expect(fired).toEqual([{ id: 'a', atMs: 100, version: 1 }]);
    await timers.advance(500);
    expect(fired.map((f) => [f.id, f.atMs])).toEqual([
      ['a', 100],
      ['b', 200],
      ['c', 300],
    ]);
  });

  describe('with a coalescing window', () => {
    it("holds a due execution back for those due within the window, and fires the clump at the window's end", async () => {
      const { timers, queue, fired } = setup({ coalesceMs: 10 });
      queue.add([
        claimOf('a', 100),
        claimOf('b', 104),
        claimOf('c', 108),
        claimOf('d', 111),
        claimOf('e', 125),
      ]);

      await timers.advance(109);
      expect(fired).toHaveLength(0);
      await timers.advance(1);
      expect(firedAt(fired)).toEqual([
        ['a', 110],
        ['b', 110],
        ['c', 110],
      ]);
      // d is 11 ms after a, outside a's clump; nothing is due within 10 ms after it.
      await timers.advance(1);
      expect(firedAt(fired).slice(3)).toEqual([['d', 111]]);
      await timers.advance(13);
      expect(fired).toHaveLength(4);
      await timers.advance(1);
      expect(firedAt(fired).slice(4)).toEqual([['e', 125]]);
    });

    it.each([
      ['with a window of 10 ms', 10],
      ['without a window (0)', 0],
    ])(
      'fires a lone execution at its due time %s',
      async (_label, coalesceMs) => {
        const { timers, queue, fired } = setup({ coalesceMs });
        queue.add([claimOf('a', 100), claimOf('b', 111)]);
        await timers.advance(100);
        expect(firedAt(fired)).toEqual([['a', 100]]);
        await timers.advance(11);
        expect(firedAt(fired)).toEqual([
          ['a', 100],
          ['b', 111],
        ]);
      },
    );

    it('never fires before the due time, nor more than the window after it', async () => {
      const { timers, queue, fired } = setup({ coalesceMs: 25 });
      // A trickle with gaps: due times from a fixed pseudo-random sequence.
      const due = new Map<string, number>();
      let x = 7;
      for (let i = 0, at = 50; i < 300; i += 1) {
        x = (x * 48_271) % 2_147_483_647;
        at += x % 40;
        due.set(`e${i}`, at);
      }
      queue.add([...due].map(([id, at]) => claimOf(id, at, 60_000)));
      await timers.advance(20_000);
      expect(fired).toHaveLength(due.size);
      const clumped = fired.filter((f) => f.atMs > (due.get(f.id) ?? 0));
      expect(clumped.length).toBeGreaterThan(0);
      for (const f of fired) {
        expect(f.atMs).toBeGreaterThanOrEqual(due.get(f.id) ?? Infinity);
        expect(f.atMs).toBeLessThanOrEqual((due.get(f.id) ?? 0) + 25);
      }
    });

    it("fires a clump at its window's end when what it waited for was taken back", async () => {
      const { timers, queue, fired, held } = setup({ coalesceMs: 10 });
      queue.add([claimOf('a', 100), claimOf('b', 105)]);
      await timers.advance(102);
      expect(fired).toHaveLength(0);
      held.takeBack(
        held.waitingByDue().filter((h) => h.claim.executionId === 'b'),
      );
      // A clock-offset change re-arms the timer: it must still come for a.
      queue.reschedule();
      await timers.advance(8);
      expect(firedAt(fired)).toEqual([['a', 110]]);
    });
  });

  it('fires executions that are already overdue at once', async () => {
    const { timers, queue, fired } = setup();
    queue.add([claimOf('late', -2_000)]);
    await timers.advance(0);
    expect(fired).toEqual([{ id: 'late', atMs: 0, version: 1 }]);
  });

  it('keeps one timer however many executions it holds, re-armed for an earlier arrival', async () => {
    const { timers, queue, fired } = setup();
    queue.add(
      Array.from({ length: 1_000 }, (_, i) => claimOf(`e${i}`, 1_000 + i)),
    );
    expect(timers.pendingCount).toBe(1);
    queue.add([claimOf('early', 10)]);
    expect(timers.pendingCount).toBe(1);
    await timers.advance(10);
    expect(fired.map((f) => f.id)).toEqual(['early']);
    await timers.advance(2_000);
    expect(fired).toHaveLength(1_001);
  });

  it('drops instead of firing when the lease ran out while the process was frozen', async () => {
    const { clock, timers, queue, fired, dropped } = setup();
    queue.add([claimOf('frozen', 500, 4_000)]);
    // SIGSTOP: time passes but no timer runs; SIGCONT: the overdue timer runs at once.
    clock.advance(4_000);
    await timers.advance(0);
    expect(fired).toEqual([]);
    expect(dropped).toEqual([{ id: 'frozen', reason: 'lease_expired' }]);
    expect(queue.heldCount).toBe(0);
  });

  it('drops when less than the safety margin of the lease is left, fires when more is', async () => {
    const { timers, queue, fired, dropped } = setup();
    queue.add([claimOf('tight', 1_000, 1_099), claimOf('ok', 1_000, 1_101)]);
    await timers.advance(1_000);
    expect(fired.map((f) => f.id)).toEqual(['ok']);
    expect(dropped.map((d) => d.id)).toEqual(['tight']);
  });

  it('drops a waiting execution whose lease a renewal found lost, and only that one', async () => {
    const { timers, held, queue, fired, dropped } = setup();
    queue.add([claimOf('lost', 200), claimOf('kept', 200)]);
    held.markLost([
      { executionId: 'lost', leaseVersion: 1 },
      { executionId: 'kept', leaseVersion: 0 },
    ]);
    await timers.advance(200);
    expect(fired.map((f) => f.id)).toEqual(['kept']);
    expect(dropped).toEqual([{ id: 'lost', reason: 'lease_lost' }]);
  });

  it('fires with a renewed lease that would otherwise have expired', async () => {
    const { timers, held, queue, fired } = setup();
    queue.add([claimOf('long', 3_000, 2_000)]);
    held.extendLeases([
      {
        executionId: 'long',
        leaseVersion: 1,
        expiresAt: new Date(T0.getTime() + 6_000),
      },
    ]);
    await timers.advance(3_000);
    expect(fired.map((f) => f.id)).toEqual(['long']);
  });

  it('bounds the calls in flight and starts the next one as soon as a slot frees', async () => {
    const { timers, queue, fired, inFlight } = setup({
      maxInFlight: 2,
      hold: true,
    });
    queue.add(['a', 'b', 'c', 'd'].map((id) => claimOf(id, 100)));
    await timers.advance(100);
    expect(fired.map((f) => f.id)).toEqual(['a', 'b']);
    expect(queue.inFlightCount).toBe(2);
    inFlight.get('a')?.();
    await timers.advance(5);
    expect(fired.map((f) => [f.id, f.atMs])).toEqual([
      ['a', 100],
      ['b', 100],
      ['c', 100],
    ]);
    expect(queue.inFlightCount).toBe(2);
  });

  it('updates the lease in place when it re-claims an execution it holds, firing it once', async () => {
    const { timers, queue, fired } = setup();
    queue.add([claimOf('x', 100, 4_000, 1)]);
    queue.add([claimOf('x', 150, 9_000, 2)]);
    await timers.advance(1_000);
    expect(fired).toEqual([{ id: 'x', atMs: 150, version: 2 }]);
  });

  it('keeps holding a fired execution until its outcome is settled', async () => {
    const { timers, held, queue } = setup();
    queue.add([claimOf('x', 100)]);
    await timers.advance(100);
    expect(queue.heldCount).toBe(1);
    expect(
      held.leasesEndingWithin(4_000).map((h) => [h.claim.executionId, h.state]),
    ).toEqual([['x', 'recording']]);
    held.settle('x');
    expect(queue.heldCount).toBe(0);
  });

  it('stops holding an execution whose fire failed without an outcome, so its lease can run out', async () => {
    const clock = new FakeClock(T0);
    const timers = new ManualTimers(clock);
    const errors: unknown[] = [];
    const queue = new TimerQueue({
      clock,
      timers,
      held: new HeldExecutions({ clock }),
      maxInFlight: 1,
      leaseSafetyMarginMs: 100,
      fire: () => Promise.reject(new Error('bug')),
      onError: (e) => errors.push(e),
    });
    queue.add([claimOf('x', 0)]);
    await timers.advance(0);
    expect(errors).toHaveLength(1);
    expect(queue.heldCount).toBe(0);
  });

  it('never fires a lost lease waiting in the ready line, and fires the next one instead', async () => {
    const { timers, held, queue, fired, dropped, inFlight } = setup({
      maxInFlight: 1,
      hold: true,
    });
    queue.add(['a', 'b', 'c'].map((id) => claimOf(id, 100)));
    await timers.advance(100);
    expect(fired.map((f) => f.id)).toEqual(['a']);
    // b waits in the ready line (out of the heap) when a renewal finds its lease gone.
    held.markLost([{ executionId: 'b', leaseVersion: 1 }]);
    inFlight.get('a')?.();
    await timers.advance(0);
    expect(fired.map((f) => f.id)).toEqual(['a', 'c']);
    expect(dropped).toEqual([{ id: 'b', reason: 'lease_lost' }]);
  });

  it('hands back unfired executions on shutdown and lets calls in flight finish', async () => {
    const { timers, queue, fired, inFlight } = setup({ hold: true });
    queue.add([claimOf('running', 0), claimOf('later', 1_000)]);
    await timers.advance(0);
    const unfired = queue.takeUnfired();
    expect(unfired.map((h) => h.claim.executionId)).toEqual(['later']);
    await timers.advance(2_000);
    expect(fired.map((f) => f.id)).toEqual(['running']);

    let idle = false;
    void queue.whenIdle().then(() => (idle = true));
    await timers.advance(0);
    expect(idle).toBe(false);
    inFlight.get('running')?.();
    await timers.advance(0);
    expect(idle).toBe(true);
    expect(timers.pendingCount).toBe(0);
  });
});
