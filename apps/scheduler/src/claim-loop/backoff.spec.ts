import { backoffDelayMs, isTransientDatabaseError } from './backoff';

describe('backoffDelayMs', () => {
  const options = { initialMs: 100, maxMs: 5_000 };

  it('doubles with each failure and stays between half and all of the ceiling', () => {
    expect(backoffDelayMs(1, options, () => 0)).toBe(50);
    expect(backoffDelayMs(1, options, () => 1)).toBe(100);
    expect(backoffDelayMs(3, options, () => 0)).toBe(200);
    expect(backoffDelayMs(3, options, () => 1)).toBe(400);
  });

  it('never exceeds the cap, however many failures', () => {
    expect(backoffDelayMs(10, options, () => 1)).toBe(5_000);
    expect(backoffDelayMs(10_000, options, () => 1)).toBe(5_000);
    expect(backoffDelayMs(10_000, options, () => 0)).toBe(2_500);
  });
});

describe('isTransientDatabaseError', () => {
  it('recognises lost connections and lock conflicts, also when wrapped by TypeORM', () => {
    expect(
      isTransientDatabaseError(
        Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(
      isTransientDatabaseError({
        message: 'query failed',
        driverError: { code: '40P01' },
      }),
    ).toBe(true);
    expect(
      isTransientDatabaseError(new Error('Connection terminated unexpectedly')),
    ).toBe(true);
    expect(isTransientDatabaseError({ code: '08006' })).toBe(true);
  });

  it('does not call a syntax error transient', () => {
    expect(
      isTransientDatabaseError({
        message: 'syntax error',
        driverError: { code: '42601' },
      }),
    ).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
  });
});
