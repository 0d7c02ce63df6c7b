import { ConfigError, EnvReader } from './env-reader';

function problemsOf(
  read: (env: EnvReader) => unknown,
  vars: Record<string, string>,
): readonly string[] {
  const env = new EnvReader(vars);
  read(env);
  try {
    env.finish(null);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('EnvReader', () => {
  it('returns typed values and defaults when everything is valid', () => {
    const env = new EnvReader({
      PORT: '3001',
      LEVEL: 'DEBUG',
      LEASE: '2s',
      DB: 'postgres://u@h:5432/d',
    });
    const config = env.finish({
      port: env.int('PORT', { default: 3000, min: 1, max: 65535 }),
      level: env.oneOf('LEVEL', ['error', 'warn', 'info', 'debug'] as const, {
        default: 'info',
      }),
      leaseMs: env.durationMs('LEASE', { default: 4000 }),
      pollMs: env.durationMs('POLL', { default: 500 }),
      db: env.url('DB', { protocols: ['postgres:', 'postgresql:'] }),
      name: env.string('NAME', { default: 'x' }),
    });
    expect(config).toEqual({
      port: 3001,
      level: 'debug',
      leaseMs: 2000,
      pollMs: 500,
      db: 'postgres://u@h:5432/d',
      name: 'x',
    });
  });

  it('collects every problem instead of stopping at the first', () => {
    const problems = problemsOf(
      (env) => {
        env.int('PORT', { min: 1, max: 65535 });
        env.url('DATABASE_URL', { protocols: ['postgres:'] });
        env.oneOf('LOG_LEVEL', ['error', 'info'] as const);
        env.durationMs('LEASE_DURATION_MS', { max: 10_000 });
        env.string('SCHEDULER_ID');
      },
      {
        PORT: '70000',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        LEASE_DURATION_MS: '1 fortnight',
      },
    );
    expect(problems).toEqual([
      'PORT: must be between 1 and 65535 (got 70000)',
      'DATABASE_URL: must use one of postgres:// (got mysql://)',
      'LOG_LEVEL: must be one of error, info (got "loud")',
      'LEASE_DURATION_MS: must be a duration such as 1500, 1500ms, 1.5s, 2m or 1h (got "1 fortnight")',
      'SCHEDULER_ID: is required',
    ]);
  });

  it('rejects integers written with decimals or trailing garbage', () => {
    expect(problemsOf((env) => env.int('N'), { N: '1.5' })).toEqual([
      'N: must be an integer (got "1.5")',
    ]);
    expect(problemsOf((env) => env.int('N'), { N: '10abc' })).toEqual([
      'N: must be an integer (got "10abc")',
    ]);
  });

  it('treats a blank variable as unset', () => {
    expect(problemsOf((env) => env.int('N'), { N: '  ' })).toEqual([
      'N: is required',
    ]);
    const env = new EnvReader({ N: '' });
    expect(env.int('N', { default: 7 })).toBe(7);
  });

  it('does not echo a URL it cannot parse, since it may hold a password', () => {
    expect(
      problemsOf((env) => env.url('DATABASE_URL'), {
        DATABASE_URL: 'secret@nowhere',
      }),
    ).toEqual(['DATABASE_URL: must be an absolute URL']);
  });

  it('checks bounds on durations in milliseconds', () => {
    expect(
      problemsOf((env) => env.durationMs('T', { max: 3000 }), { T: '4s' }),
    ).toEqual(['T: must be at most 3000 ms (got 4000)']);
  });

  it('reads a value with the given parser and names the variable when it throws', () => {
    const parse = (raw: string) => {
      if (raw !== 'ok') throw new Error(`"${raw}" is not ok`);
      return 1;
    };
    expect(new EnvReader({}).parsed('X', parse, 0)).toBe(0);
    expect(new EnvReader({ X: ' ok ' }).parsed('X', parse, 0)).toBe(1);
    expect(problemsOf((env) => env.parsed('X', parse, 0), { X: 'no' })).toEqual(
      ['X: "no" is not ok'],
    );
  });
});
