import {
  claimBudget,
  FireRateMeter,
  heldCap,
  surplusToRelease,
} from './fire-capacity';

const meterOptions = {
  timeConstantMs: 1_000,
  minWindowMs: 250,
  initialRatePerSecond: 500,
  floorRatePerSecond: 100,
};

const capacity = {
  ratePerSecond: 1_000,
  leaseDurationMs: 4_000,
  safetyMarginMs: 500,
  maxHeld: 50_000,
};

describe('FireRateMeter', () => {
  it('starts at the initial rate before any busy spell was measured', () => {
    const meter = new FireRateMeter(meterOptions);
    expect(meter.ratePerSecond).toBe(500);
    expect(meter.measured).toBe(false);
  });

  it('takes the first busy spell as the estimate', () => {
    const meter = new FireRateMeter(meterOptions);
    meter.setBacklogged(true, 0);
    meter.recordFires(600);
    expect(meter.sample(500)).toBe(1_200);
    expect(meter.measured).toBe(true);
  });

  it('counts fires per busy second, not per wall-clock second', () => {
    const meter = new FireRateMeter(meterOptions);
    meter.setBacklogged(true, 0);
    meter.recordFires(1_500);
    meter.setBacklogged(false, 300);
    // Idle for the rest of the second: 5,000/s, not 1,500/s.
    expect(meter.sample(1_000)).toBe(5_000);
  });

  it('ignores fires while not backlogged: they say nothing about capacity', () => {
    const meter = new FireRateMeter(meterOptions);
    meter.setBacklogged(true, 0);
    meter.recordFires(1_000);
    meter.sample(1_000);
    meter.setBacklogged(false, 1_000);
    meter.recordFires(3);
    expect(meter.sample(2_000)).toBe(1_000);
  });

  it('keeps accumulating busy time shorter than the minimum', () => {
    const meter = new FireRateMeter(meterOptions);
    meter.setBacklogged(true, 0);
    meter.recordFires(100);
    expect(meter.sample(100)).toBe(500);
    meter.recordFires(200);
    expect(meter.sample(300)).toBe(1_000);
  });

  it('moves towards a new rate with the time constant', () => {
    const meter = new FireRateMeter(meterOptions);
    meter.setBacklogged(true, 0);
    meter.recordFires(1_000);
    meter.sample(1_000);
    meter.recordFires(200);
    // One time constant later the estimate has moved 1 - 1/e of the way to 200/s.
    expect(meter.sample(2_000)).toBeCloseTo(1_000 - 800 * (1 - Math.exp(-1)));
  });

  it('never reports less than the floor, so a starved scheduler still claims', () => {
    const meter = new FireRateMeter(meterOptions);
    meter.setBacklogged(true, 0);
    meter.recordFires(5);
    expect(meter.sample(1_000)).toBe(100);
  });
});

describe('heldCap and claimBudget', () => {
  it('holds what the measured rate fires within the lease minus the margin', () => {
    expect(heldCap(capacity)).toBe(3_500);
    expect(claimBudget(1_000, capacity)).toBe(2_500);
  });

  it('gives no budget at or over the cap', () => {
    expect(claimBudget(3_500, capacity)).toBe(0);
    expect(claimBudget(9_000, capacity)).toBe(0);
  });

  it('is bounded by maxHeld however fast the scheduler fires', () => {
    expect(heldCap({ ...capacity, ratePerSecond: 1e6 })).toBe(50_000);
  });

  it('holds at least one execution', () => {
    expect(heldCap({ ...capacity, ratePerSecond: 0 })).toBe(1);
    expect(heldCap({ ...capacity, safetyMarginMs: 10_000 })).toBe(1);
  });
});

describe('surplusToRelease', () => {
  const due = (...times: number[]) => times.map((dueAtMs) => ({ dueAtMs }));
  const small = { ...capacity, ratePerSecond: 1, leaseDurationMs: 3_500 };

  it('releases nothing while everything fits within the cap', () => {
    expect(surplusToRelease(due(0, 0, 0), 0, 1_000, small)).toEqual([]);
  });

  it('releases the overdue executions beyond the cap, counting those started', () => {
    // Cap 3; one started, so two of the waiting stay and the overdue rest goes back.
    expect(surplusToRelease(due(0, 0, 0, 0, 0), 1, 1_000, small)).toEqual([
      2, 3, 4,
    ]);
  });

  it('keeps work that is not due yet: it is not late', () => {
    expect(
      surplusToRelease(due(0, 0, 0, 900, 5_000, 6_000), 0, 1_000, small),
    ).toEqual([3]);
  });

  it('releases every overdue one when what was started already fills the cap', () => {
    expect(surplusToRelease(due(0, 0), 10, 1_000, small)).toEqual([0, 1]);
  });
});
