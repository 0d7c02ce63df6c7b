import { OffsetClock } from '@scheduleman/domain';
import { FakeClock } from '@scheduleman/domain/testing';
import type { Claim, ClaimResult, PlanResult } from '../claims/claim';
import type { ClaimWindow } from '../claims/claims.repository';
import { ClaimLoop, MAX_BATCHES_PER_ROUND } from './claim-loop';
import { ManualTimers, settle } from '../testing/manual-timers';
import { TimerQueue } from '../firing/timer-queue';
import { HeldExecutions } from '../leases/held-executions';

const HOST_T0 = new Date('2031-05-01T08:00:00.000Z');

function claimOf(
  id: string,
  dueAt: Date,
  recoveredFrom: string | null = null,
): Claim {
  return {
    executionId: id,
    scheduleId: 's',
    scheduleName: null,
    scheduleOwner: null,
    scheduleMetadata: null,
    scheduledAt: dueAt,
    dueAt,
    attempts: 0,
    maxAttempts: 5,
    leaseVersion: 1,
    leaseExpiresAt: new Date(dueAt.getTime() + 4_000),
    trigger: { type: 'webhook' },
    recoveredFrom,
  };
}

/** A repository double: plan and claim results are scripted; calls are recorded. */
class ScriptedRepository {
  plans: PlanResult[] = [];
  claims: Claim[][] = [];
  databaseOffsetMs = 0;
  failures = 0;
  readonly calls: { op: string; window?: ClaimWindow }[] = [];

  constructor(private readonly host: FakeClock) {}

  readDatabaseClock(): Promise<Date> {
    this.calls.push({ op: 'clock' });
    return Promise.resolve(this.dbNow());
  }

  planDue(window: ClaimWindow): Promise<PlanResult> {
    this.calls.push({ op: 'plan', window });
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(
        Object.assign(new Error('connect ECONNREFUSED'), {
          code: 'ECONNREFUSED',
        }),
      );
    }
    return Promise.resolve(
      this.plans.shift() ?? {
        schedules: 0,
        claims: [],
        skippedExecutions: 0,
        skippedOccurrences: 0,
        skippedByReason: new Map(),
        unfinished: 0,
      },
    );
  }

  claimDue(window: ClaimWindow): Promise<ClaimResult> {
    this.calls.push({ op: 'claim', window });
    return Promise.resolve({
      claims: this.claims.shift() ?? [],
      databaseNow: this.dbNow(),
    });
  }

  private dbNow(): Date {
    return new Date(this.host.now().getTime() + this.databaseOffsetMs);
  }
}

function setup(
  options: {
    claimBatchSize?: number;
    maxHeld?: number;
    pollIntervalMs?: number;
    backpressured?: () => boolean;
    claimBudget?: () => number;
  } = {},
) {
  const host = new FakeClock(HOST_T0);
  const clock = new OffsetClock(host);
  const repository = new ScriptedRepository(host);
  const timers = new ManualTimers(host);
  const queue = new TimerQueue({
    clock,
    timers,
    held: new HeldExecutions({ clock }),
    maxInFlight: 10,
    leaseSafetyMarginMs: 100,
    fire: () => Promise.resolve(),
  });
  const loop = new ClaimLoop({
    repository,
    queue,
    clock,
    hostClock: host,
    pollIntervalMs: options.pollIntervalMs ?? 500,
    lookaheadMs: 1_500,
    claimBatchSize: options.claimBatchSize ?? 2,
    maxHeld: options.maxHeld ?? 1_000,
    isBackpressured: options.backpressured,
    claimBudget: options.claimBudget,
    timers,
    random: () => 0.5,
  });
  return { host, clock, repository, queue, loop, timers };
}

const plan = (claims: Claim[], schedules = claims.length): PlanResult => ({
  schedules,
  claims,
  skippedExecutions: 0,
  skippedOccurrences: 0,
  skippedByReason: new Map(),
  unfinished: 0,
});

describe('ClaimLoop.runOnce', () => {
  it('plans while batches come back full, then claims, and holds everything it got', async () => {
    const { repository, queue, loop } = setup({ claimBatchSize: 2 });
    const due = new Date(HOST_T0.getTime() + 1_000);
    repository.plans = [
      plan([claimOf('p1', due), claimOf('p2', due)]),
      plan([claimOf('p3', due)]),
    ];
    repository.claims = [[claimOf('c1', due, 'dead-scheduler')]];

    const result = await loop.runOnce();

    expect(repository.calls.map((c) => c.op)).toEqual([
      'clock',
      'plan',
      'plan',
      'claim',
    ]);
    expect(result).toEqual({
      planned: 3,
      skipped: 0,
      claimed: 1,
      recovered: 1,
      more: false,
      capped: false,
    });
    expect(queue.heldCount).toBe(4);
    queue.close();
  });

  it('stops after a bounded number of full batches and asks for another round at once', async () => {
    const { repository, loop, queue } = setup({ claimBatchSize: 1 });
    repository.plans = Array.from(
      { length: MAX_BATCHES_PER_ROUND + 5 },
      (_, i) => plan([claimOf(`p${i}`, HOST_T0)]),
    );
    const result = await loop.runOnce();
    expect(result.planned).toBe(MAX_BATCHES_PER_ROUND);
    expect(result.more).toBe(true);
    queue.close();
  });

  it('decides due-ness on the database clock even when the host clock is a minute off', async () => {
    const { repository, loop, clock, host } = setup();
    repository.databaseOffsetMs = 60_000;
    await loop.runOnce();
    const planWindow = repository.calls.find((c) => c.op === 'plan')?.window;
    expect(planWindow?.now).toEqual(new Date(host.now().getTime() + 60_000));
    expect(clock.getOffsetMs()).toBe(60_000);

    // The database clock moves (e.g. the host was adjusted): the next claim re-measures it.
    repository.databaseOffsetMs = 59_000;
    await loop.runOnce();
    expect(clock.getOffsetMs()).toBe(59_000);
  });

  it('takes no work while it holds as much as allowed, or while outcomes pile up', async () => {
    let backpressured = true;
    const { repository, loop } = setup({ backpressured: () => backpressured });
    await loop.runOnce();
    expect(repository.calls.map((c) => c.op)).toEqual(['clock']);
    backpressured = false;
    await loop.runOnce();
    expect(repository.calls.map((c) => c.op)).toEqual([
      'clock',
      'plan',
      'claim',
    ]);
  });
});

describe('ClaimLoop and the cap on held work', () => {
  it('plans and claims no more than the budget, and says it stopped at the cap', async () => {
    const due = new Date(HOST_T0.getTime() + 1_000);
    let heldNow = () => 0;
    const { repository, loop, queue } = setup({
      claimBatchSize: 2,
      claimBudget: () => 3 - heldNow(),
    });
    heldNow = () => queue.heldCount;
    repository.plans = [
      plan([claimOf('p1', due), claimOf('p2', due)]),
      plan([claimOf('p3', due)]),
    ];
    const result = await loop.runOnce();
    // Budget 3: a batch of 2, then a batch of 1 (the remaining room), then no room.
    expect(
      repository.calls
        .filter((c) => c.op !== 'clock')
        .map((c) => c.window?.limit),
    ).toEqual([2, 1]);
    expect(result).toMatchObject({ planned: 3, claimed: 0, capped: true });
    expect(queue.heldCount).toBe(3);
    queue.close();
  });

  it('makes no round trip at all while there is no room', async () => {
    const { repository, loop, queue } = setup({ claimBudget: () => 0 });
    const result = await loop.runOnce();
    expect(repository.calls.map((c) => c.op)).toEqual(['clock']);
    expect(result.capped).toBe(true);
    queue.close();
  });
});

// The loop's sleeps run on ManualTimers: time passes only when a test advances it.
describe('ClaimLoop running', () => {
  const count = (repository: ScriptedRepository, op: string) =>
    repository.calls.filter((c) => c.op === op).length;

  it('survives failing rounds, backing off, and carries on when the database returns', async () => {
    const { repository, loop, timers } = setup({ pollIntervalMs: 10 });
    repository.failures = 3;
    loop.start();
    await settle();
    expect(count(repository, 'plan')).toBe(1);
    expect(loop.consecutiveFailures).toBe(1);
    // Backoff with random 0.5: 75, 150 and 300 ms after the 1st, 2nd and 3rd failure.
    await timers.advance(74);
    expect(count(repository, 'plan')).toBe(1);
    await timers.advance(1 + 150 + 300);
    expect(count(repository, 'plan')).toBe(4);
    expect(count(repository, 'claim')).toBe(1);
    expect(loop.consecutiveFailures).toBe(0);
    await timers.advance(10);
    expect(count(repository, 'claim')).toBe(2);
    await loop.stop();
    expect(loop.running).toBe(false);
  });

  it('runs a round at once when woken instead of waiting for the poll interval', async () => {
    const { repository, loop } = setup({ pollIntervalMs: 60_000 });
    loop.start();
    await settle();
    expect(count(repository, 'claim')).toBe(1);
    loop.wake();
    await settle();
    expect(count(repository, 'claim')).toBe(2);
    await loop.stop();
  });

  it('stops at once, without sleeping out the poll interval', async () => {
    const { repository, loop, timers } = setup({ pollIntervalMs: 60_000 });
    loop.start();
    await settle();
    expect(count(repository, 'claim')).toBe(1);
    let done = false;
    void loop.stop().then(() => (done = true));
    await settle();
    expect(done).toBe(true);
    expect(timers.pendingCount).toBe(0);
  });
});
