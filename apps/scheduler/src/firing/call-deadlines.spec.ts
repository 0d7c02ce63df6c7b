import { FakeClock } from '@scheduleman/domain/testing';
import { CallAbortedError, CallDeadlines } from './call-deadlines';
import { ManualTimers } from '../testing/manual-timers';

function setup(timeoutMs = 3_000) {
  const clock = new FakeClock(new Date('2031-05-01T08:00:00.000Z'));
  const timers = new ManualTimers(clock);
  const deadlines = new CallDeadlines({
    clock,
    timers,
    timeoutMs,
    windowMs: 50,
  });
  return { clock, timers, deadlines };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('CallDeadlines', () => {
  it('gives calls starting within one window one shared deadline, and later calls a new one', async () => {
    const { timers, deadlines } = setup();
    const first = deadlines.begin();
    await timers.advance(49);
    const sameWindow = deadlines.begin();
    await timers.advance(1);
    const nextWindow = deadlines.begin();

    expect(sameWindow.signal).toBe(first.signal);
    expect(nextWindow.signal).not.toBe(first.signal);
    expect(timers.pendingCount).toBe(2);
  });

  it('aborts a window exactly timeoutMs after it opened, with the reason in the signal and the promise', async () => {
    const { timers, deadlines } = setup();
    const deadline = deadlines.begin();
    const aborted = rejection(deadline.aborted);
    await timers.advance(2_999);
    expect(deadline.signal.aborted).toBe(false);
    await timers.advance(1);

    expect(deadline.signal.aborted).toBe(true);
    const error = await aborted;
    expect(error).toBeInstanceOf(CallAbortedError);
    expect((error as Error).message).toBe('trigger timed out after 3000 ms');
    expect(deadline.signal.reason).toBe(error);
  });

  it('stops the timer once the last call of a window ended', async () => {
    const { timers, deadlines } = setup();
    const a = deadlines.begin();
    const b = deadlines.begin();
    deadlines.end(a);
    expect(timers.pendingCount).toBe(1);
    deadlines.end(b);
    expect(timers.pendingCount).toBe(0);
    await timers.advance(5_000);
    expect(a.signal.aborted).toBe(false);
    // The next call opens a fresh window with a full timeout.
    expect(deadlines.begin().signal).not.toBe(a.signal);
  });

  it('does not hand out a window that has already timed out', async () => {
    const { timers, deadlines } = setup(10);
    const first = deadlines.begin();
    await timers.advance(10);
    expect(first.signal.aborted).toBe(true);
    expect(deadlines.begin().signal.aborted).toBe(false);
  });

  it('aborts every open window at shutdown, and every call begun after it', async () => {
    const { timers, deadlines } = setup();
    const early = deadlines.begin();
    await timers.advance(100);
    const late = deadlines.begin();
    deadlines.abortAll();
    const after = deadlines.begin();

    for (const deadline of [early, late, after]) {
      expect(deadline.signal.aborted).toBe(true);
      expect(((await rejection(deadline.aborted)) as Error).message).toBe(
        'scheduler shutting down',
      );
    }
  });
});
