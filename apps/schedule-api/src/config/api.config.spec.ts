import { networkPolicyOf } from '@scheduleman/domain';
import { ConfigError } from '@scheduleman/runtime';
import { loadApiConfig } from './api.config';

describe('loadApiConfig', () => {
  const SECRETS_KEY = Buffer.alloc(32, 1).toString('base64');

  it('needs only DATABASE_URL and SECRETS_KEY and fills in documented defaults', () => {
    const config = loadApiConfig({
      DATABASE_URL: 'postgres://u@db:5432/scheduleman',
      SECRETS_KEY,
    });
    expect(config.secretBox).not.toBeNull();
    expect({ ...config, secretBox: undefined }).toEqual({
      secretBox: undefined,
      databaseUrl: 'postgres://u@db:5432/scheduleman',
      port: 3000,
      logLevel: 'info',
      dbPoolSize: 10,
      dbStatementTimeoutMs: 10_000,
      dbReadTimeoutMs: 12_000,
      dbIdleInTransactionTimeoutMs: 5_000,
      dbStartupRetryMs: 60_000,
      databaseFeatures: 'full',
      dbPreparedStatements: true,
      apiKeyCacheTtlMs: 1_000,
      requestBodyLimitBytes: 262_144,
      webhookNetworkPolicy: { allowedNetworks: [] },
      host: '0.0.0.0',
      authDisabled: false,
      adminApiKey: null,
      metricsRequireKey: false,
      rateLimit: { perSecond: 50, burst: 100 },
      quotas: {
        maxSchedulesPerOwner: 100_000,
        minCronIntervalMs: 1_000,
        maxFiresPerMinutePerOwner: 1_000_000,
      },
    });
  });

  it('reads the prepared-statement switch and the key cache; 0 turns the cache off', () => {
    const config = loadApiConfig({
      DATABASE_URL: 'postgres://u@db:5432/scheduleman',
      SECRETS_KEY,
      DB_PREPARED_STATEMENTS: 'false',
      API_KEY_CACHE_TTL_MS: '0',
    });
    expect(config.dbPreparedStatements).toBe(false);
    expect(config.apiKeyCacheTtlMs).toBe(0);
    expect(() =>
      loadApiConfig({
        DATABASE_URL: 'postgres://u@db:5432/scheduleman',
        SECRETS_KEY,
        API_KEY_CACHE_TTL_MS: '2m',
      }),
    ).toThrow(/API_KEY_CACHE_TTL_MS/);
  });

  it('reads the rate limit and the quotas; 0 turns each off', () => {
    const base = {
      DATABASE_URL: 'postgres://u@db:5432/scheduleman',
      SECRETS_KEY,
    };
    const config = loadApiConfig({
      ...base,
      RATE_LIMIT_PER_SECOND: '5',
      RATE_LIMIT_BURST: '20',
      QUOTA_MAX_SCHEDULES_PER_OWNER: '500',
      QUOTA_MIN_CRON_INTERVAL: '1m',
      QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER: '0',
    });
    expect(config.rateLimit).toEqual({ perSecond: 5, burst: 20 });
    expect(config.quotas).toEqual({
      maxSchedulesPerOwner: 500,
      minCronIntervalMs: 60_000,
      maxFiresPerMinutePerOwner: 0,
    });
    expect(
      loadApiConfig({ ...base, RATE_LIMIT_PER_SECOND: '0' }).rateLimit,
    ).toBeNull();
  });

  it('refuses rate limits and quotas it cannot apply, naming each variable', () => {
    let error: unknown;
    try {
      loadApiConfig({
        DATABASE_URL: 'postgres://u@db:5432/scheduleman',
        SECRETS_KEY,
        RATE_LIMIT_PER_SECOND: '2.5',
        RATE_LIMIT_BURST: '0',
        QUOTA_MAX_SCHEDULES_PER_OWNER: '-1',
        QUOTA_MIN_CRON_INTERVAL: '2h',
        QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER: 'lots',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'RATE_LIMIT_PER_SECOND: must be an integer between 0 and 1000000 (got "2.5")',
      'RATE_LIMIT_BURST: must be between 1 and 1000000 (got 0)',
      'QUOTA_MAX_SCHEDULES_PER_OWNER: must be between 0 and 1000000000 (got -1)',
      'QUOTA_MIN_CRON_INTERVAL: must be between 0 and 3600000 ms (got 7200000)',
      'QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER: must be an integer between 0 and 1000000000 (got "lots")',
    ]);
  });

  it('refuses to start without SECRETS_KEY unless AUTH_DISABLED=true', () => {
    const base = { DATABASE_URL: 'postgres://u@db:5432/scheduleman' };
    expect(() => loadApiConfig(base)).toThrow(/SECRETS_KEY: is required/);
    expect(() => loadApiConfig({ ...base, SECRETS_KEY: 'c2hvcnQ=' })).toThrow(
      /SECRETS_KEY: must be the base64 of 32 random bytes/,
    );
    expect(
      loadApiConfig({ ...base, AUTH_DISABLED: 'true' }).secretBox,
    ).toBeNull();
  });

  it('reads the authentication switches and refuses a short ADMIN_API_KEY', () => {
    const base = {
      DATABASE_URL: 'postgres://u@db:5432/scheduleman',
      SECRETS_KEY,
    };
    const config = loadApiConfig({
      ...base,
      AUTH_DISABLED: 'true',
      ADMIN_API_KEY: 'k'.repeat(32),
      METRICS_REQUIRE_KEY: '1',
    });
    expect(config).toMatchObject({
      authDisabled: true,
      adminApiKey: 'k'.repeat(32),
      metricsRequireKey: true,
    });
    expect(() => loadApiConfig({ ...base, ADMIN_API_KEY: 'short' })).toThrow(
      /ADMIN_API_KEY: must be at least 32 characters/,
    );
    expect(() => loadApiConfig({ ...base, AUTH_DISABLED: 'maybe' })).toThrow(
      /AUTH_DISABLED: must be true or false/,
    );
  });

  it('reads WEBHOOK_ALLOWED_NETWORKS and fails naming it on a bad entry', () => {
    const config = loadApiConfig({
      DATABASE_URL: 'postgres://u@db:5432/scheduleman',
      SECRETS_KEY,
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8, ::1/128',
    });
    expect(config.webhookNetworkPolicy).toEqual(
      networkPolicyOf('127.0.0.0/8,::1/128'),
    );
    expect(() =>
      loadApiConfig({
        DATABASE_URL: 'postgres://u@db:5432/scheduleman',
        SECRETS_KEY,
        WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,localhost',
      }),
    ).toThrow(/WEBHOOK_ALLOWED_NETWORKS: "localhost" is not a network/);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadApiConfig({
        PORT: 'http',
        LOG_LEVEL: 'chatty',
        REQUEST_BODY_LIMIT_BYTES: '10',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(
      [
        'DATABASE_URL',
        'PORT',
        'LOG_LEVEL',
        'REQUEST_BODY_LIMIT_BYTES',
        'SECRETS_KEY',
      ],
    );
  });
});
