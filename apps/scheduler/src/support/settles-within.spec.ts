import { FakeClock } from '@scheduleman/domain/testing';
import { settlesWithin } from './settles-within';
import { ManualTimers } from '../testing/manual-timers';

describe('settlesWithin', () => {
  it('is true when the promise settles in time, resolved or rejected', async () => {
    const timers = new ManualTimers(new FakeClock());
    await expect(settlesWithin(Promise.resolve(1), 100, timers)).resolves.toBe(
      true,
    );
    await expect(
      settlesWithin(Promise.reject(new Error('x')), 100, timers),
    ).resolves.toBe(true);
    expect(timers.pendingCount).toBe(0);
  });

  it('is false once the time is up', async () => {
    const timers = new ManualTimers(new FakeClock());
    const waiting = settlesWithin(new Promise(() => undefined), 100, timers);
    await timers.advance(100);
    await expect(waiting).resolves.toBe(false);
  });
});
