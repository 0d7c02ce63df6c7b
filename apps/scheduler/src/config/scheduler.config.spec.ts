import { networkPolicyOf } from '@scheduleman/domain';
import { ConfigError } from '@scheduleman/runtime';
import {
  DEFAULT_EXECUTION_RETENTION_MS,
  loadSchedulerConfig,
} from './scheduler.config';

const URL = 'postgres://u@db:5432/scheduleman';
const SECRETS_KEY = Buffer.alloc(32, 1).toString('base64');

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadSchedulerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('loadSchedulerConfig', () => {
  it('runs with just DATABASE_URL, on documented defaults', () => {
    const config = loadSchedulerConfig(
      { DATABASE_URL: URL, SECRETS_KEY },
      () => 'abc123',
    );
    expect(config).toMatchObject({
      databaseUrl: URL,
      port: 3001,
      logLevel: 'info',
      leaseDurationMs: 4_000,
      pollIntervalMs: 500,
      lookaheadMs: 1_500,
      claimBatchSize: 500,
      maxInFlight: 256,
      triggerTimeoutMs: 3_000,
      fireCoalesceMs: 25,
      executionRetentionMs: DEFAULT_EXECUTION_RETENTION_MS,
      shutdownGraceMs: 5_000,
      dbPoolSize: 10,
      databaseFeatures: 'full',
      dbPreparedStatements: true,
      webhookMaxSockets: 256,
      webhookKeepAliveMs: 30_000,
      webhookSigningSecrets: [],
      webhookNetworkPolicy: { allowedNetworks: [] },
    });
    expect(config.schedulerId).toMatch(new RegExp(`-${process.pid}-abc123$`));
  });

  it('takes SCHEDULER_ID, PORT and durations with units from the environment', () => {
    const config = loadSchedulerConfig({
      DATABASE_URL: URL,
      SECRETS_KEY,
      SCHEDULER_ID: 's-1',
      PORT: '3002',
      LEASE_DURATION_MS: '5s',
      TRIGGER_TIMEOUT_MS: '2500',
    });
    expect(config).toMatchObject({
      schedulerId: 's-1',
      port: 3002,
      leaseDurationMs: 5_000,
      triggerTimeoutMs: 2_500,
    });
  });

  it('reads the webhook pool settings with the rest', () => {
    expect(
      loadSchedulerConfig({
        DATABASE_URL: URL,
        SECRETS_KEY,
        WEBHOOK_MAX_SOCKETS: '64',
        WEBHOOK_KEEP_ALIVE_MS: '5s',
      }),
    ).toMatchObject({ webhookMaxSockets: 64, webhookKeepAliveMs: 5_000 });
    expect(
      problemsOf({
        DATABASE_URL: URL,
        SECRETS_KEY,
        WEBHOOK_MAX_SOCKETS: '0',
      }),
    ).toEqual([expect.stringMatching(/^WEBHOOK_MAX_SOCKETS: /)]);
  });

  it('reads FIRE_COALESCE_MS (0 fires each at its own time) and names it out of 0..100', () => {
    expect(
      loadSchedulerConfig({
        DATABASE_URL: URL,
        SECRETS_KEY,
        FIRE_COALESCE_MS: '0',
      }).fireCoalesceMs,
    ).toBe(0);
    expect(
      loadSchedulerConfig({
        DATABASE_URL: URL,
        SECRETS_KEY,
        FIRE_COALESCE_MS: '25',
      }).fireCoalesceMs,
    ).toBe(25);
    expect(
      problemsOf({ DATABASE_URL: URL, SECRETS_KEY, FIRE_COALESCE_MS: '101' }),
    ).toEqual([expect.stringMatching(/^FIRE_COALESCE_MS: /)]);
  });

  it('reads DB_PREPARED_STATEMENTS, and names it when it is not a boolean', () => {
    expect(
      loadSchedulerConfig({
        DATABASE_URL: URL,
        SECRETS_KEY,
        DB_PREPARED_STATEMENTS: 'false',
      }).dbPreparedStatements,
    ).toBe(false);
    expect(
      problemsOf({
        DATABASE_URL: URL,
        SECRETS_KEY,
        DB_PREPARED_STATEMENTS: 'sometimes',
      }),
    ).toEqual([expect.stringMatching(/^DB_PREPARED_STATEMENTS: /)]);
  });

  it('reads DATABASE_FEATURES: full or portable, and names it when it is neither', () => {
    expect(
      loadSchedulerConfig({
        DATABASE_URL: URL,
        SECRETS_KEY,
        DATABASE_FEATURES: 'portable',
      }).databaseFeatures,
    ).toBe('portable');
    expect(
      problemsOf({
        DATABASE_URL: URL,
        SECRETS_KEY,
        DATABASE_FEATURES: 'cockroach',
      }),
    ).toEqual([expect.stringMatching(/^DATABASE_FEATURES: /)]);
  });

  it('reads WEBHOOK_ALLOWED_NETWORKS and fails naming it on a bad entry', () => {
    expect(
      loadSchedulerConfig({
        DATABASE_URL: URL,
        SECRETS_KEY,
        WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128',
      }).webhookNetworkPolicy,
    ).toEqual(networkPolicyOf('127.0.0.0/8, ::1/128'));
    expect(
      problemsOf({
        DATABASE_URL: URL,
        SECRETS_KEY,
        WEBHOOK_ALLOWED_NETWORKS: '10.0.0.1/8',
      }),
    ).toEqual([
      'WEBHOOK_ALLOWED_NETWORKS: "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?',
    ]);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      PORT: 'x',
      LOOKAHEAD_MS: '2500',
      TRIGGER_TIMEOUT_MS: '5000',
      CLAIM_BATCH_SIZE: '0',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'DATABASE_URL',
      'PORT',
      'LOOKAHEAD_MS',
      'CLAIM_BATCH_SIZE',
      'TRIGGER_TIMEOUT_MS',
      'SECRETS_KEY',
    ]);
  });

  it('refuses to start without SECRETS_KEY unless AUTH_DISABLED=true', () => {
    expect(problemsOf({ DATABASE_URL: URL })).toEqual([
      expect.stringMatching(/^SECRETS_KEY: is required/),
    ]);
    expect(
      loadSchedulerConfig({ DATABASE_URL: URL, AUTH_DISABLED: 'true' })
        .secretBox,
    ).toBeNull();
    expect(
      loadSchedulerConfig({ DATABASE_URL: URL, SECRETS_KEY }).secretBox,
    ).not.toBeNull();
  });

  it('listens on DATABASE_URL unless DATABASE_LISTEN_URL names another server or is off', () => {
    const direct = 'postgres://u@db-primary:5432/scheduleman';
    const base = { DATABASE_URL: URL, SECRETS_KEY };
    expect(loadSchedulerConfig(base).databaseListenUrl).toBe(URL);
    expect(
      loadSchedulerConfig({ ...base, DATABASE_LISTEN_URL: direct })
        .databaseListenUrl,
    ).toBe(direct);
    expect(
      loadSchedulerConfig({ ...base, DATABASE_LISTEN_URL: 'OFF' })
        .databaseListenUrl,
    ).toBeUndefined();
    expect(
      problemsOf({ ...base, DATABASE_LISTEN_URL: 'http://db:5432/x' }),
    ).toEqual([
      'DATABASE_LISTEN_URL: must be a URL of the form postgres://user:password@host:5432/database',
    ]);
  });

  it('reads the database timeouts and keeps the read timeout above the statement timeout', () => {
    const base = { DATABASE_URL: URL, SECRETS_KEY };
    expect(loadSchedulerConfig(base)).toMatchObject({
      dbStatementTimeoutMs: 10_000,
      dbReadTimeoutMs: 12_000,
      dbIdleInTransactionTimeoutMs: 5_000,
    });
    expect(
      loadSchedulerConfig({ ...base, DB_STATEMENT_TIMEOUT_MS: '30s' })
        .dbReadTimeoutMs,
    ).toBe(32_000);
    expect(
      problemsOf({
        ...base,
        DB_STATEMENT_TIMEOUT_MS: '10s',
        DB_READ_TIMEOUT_MS: '10s',
      }),
    ).toEqual([
      'DB_READ_TIMEOUT_MS: must be more than DB_STATEMENT_TIMEOUT_MS (got 10000 and 10000)',
    ]);
  });

  it('refuses a look-ahead as long as the lease', () => {
    expect(
      problemsOf({
        DATABASE_URL: URL,
        SECRETS_KEY,
        LEASE_DURATION_MS: '1500',
        LOOKAHEAD_MS: '1500',
      }),
    ).toEqual([
      'LOOKAHEAD_MS: must be less than LEASE_DURATION_MS (got 1500 and 1500)',
    ]);
  });

  describe('WEBHOOK_SIGNING_SECRETS', () => {
    const first = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    const second = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;

    it('decodes each comma-separated secret once, in order', () => {
      const config = loadSchedulerConfig({
        DATABASE_URL: URL,
        SECRETS_KEY,
        WEBHOOK_SIGNING_SECRETS: ` ${first} , ${second}`,
      });

      expect(
        config.webhookSigningSecrets.map((s) => s.key.export().toString('hex')),
      ).toEqual([
        Buffer.alloc(24, 1).toString('hex'),
        Buffer.alloc(32, 2).toString('hex'),
      ]);
    });

    it('names the variable and each bad entry, never echoing a secret', () => {
      const unprefixed = Buffer.alloc(32, 3).toString('base64');
      const short = `whsec_${Buffer.alloc(8, 4).toString('base64')}`;

      const problems = problemsOf({
        DATABASE_URL: URL,
        SECRETS_KEY,
        WEBHOOK_SIGNING_SECRETS: [first, unprefixed, '', short, first].join(
          ',',
        ),
      });

      expect(problems).toEqual([
        'WEBHOOK_SIGNING_SECRETS: entry 2 of 5 must start with "whsec_"',
        'WEBHOOK_SIGNING_SECRETS: entry 3 of 5 is empty',
        'WEBHOOK_SIGNING_SECRETS: entry 4 of 5 must encode 24 to 64 bytes (got 8)',
        'WEBHOOK_SIGNING_SECRETS: entry 5 of 5 repeats entry 1',
      ]);
      for (const text of [first, unprefixed, short])
        expect(problems.join('\n')).not.toContain(text.slice(6, 20));
    });
  });
});
