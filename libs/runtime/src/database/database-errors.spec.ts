import {
  databaseErrorKind,
  isDatabaseUnavailable,
  isTransientDatabaseError,
} from './database-errors';

function pgError(code: string, message = 'pg error'): Error {
  return Object.assign(new Error(message), { code });
}

/** TypeORM's QueryFailedError keeps the driver's error in `driverError`. */
function queryFailed(driverError: unknown): Error {
  return Object.assign(new Error('query failed'), { driverError });
}

describe('database error table', () => {
  it.each(['40001', '40P01'])(
    'calls %s a conflict: transient, but not a reason for 503',
    (code) => {
      const error = queryFailed(pgError(code));
      expect(databaseErrorKind(error)).toBe('conflict');
      expect(isTransientDatabaseError(error)).toBe(true);
      expect(isDatabaseUnavailable(error)).toBe(false);
    },
  );

  it.each([
    '08000',
    '08001',
    '08003',
    '08004',
    '08006',
    '53300',
    '57014',
    '57P01',
    '57P02',
    '57P03',
  ])('calls SQLSTATE %s unavailable: transient and 503', (code) => {
    const error = queryFailed(pgError(code));
    expect(databaseErrorKind(error)).toBe('unavailable');
    expect(isTransientDatabaseError(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH'])(
    'calls the socket error %s unavailable',
    (code) => {
      expect(isDatabaseUnavailable(pgError(code))).toBe(true);
    },
  );

  it('recognises the pool’s messages and a cause chain', () => {
    expect(
      isDatabaseUnavailable(new Error('Connection terminated unexpectedly')),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        new Error('timeout exceeded when trying to connect'),
      ),
    ).toBe(true);
    expect(
      isTransientDatabaseError(
        new Error('outer', { cause: pgError('ECONNREFUSED') }),
      ),
    ).toBe(true);
  });

  it('does not excuse a bug: syntax errors, constraint violations, plain errors', () => {
    for (const error of [
      queryFailed(pgError('42601')),
      queryFailed(pgError('23505')),
      new Error('boom'),
      undefined,
      null,
      'text',
    ]) {
      expect(databaseErrorKind(error)).toBeUndefined();
      expect(isTransientDatabaseError(error)).toBe(false);
      expect(isDatabaseUnavailable(error)).toBe(false);
    }
  });

  it('stops on a cycle of causes', () => {
    const a: { cause?: unknown } = {};
    const b = { cause: a };
    a.cause = b;
    expect(isTransientDatabaseError(a)).toBe(false);
  });
});
