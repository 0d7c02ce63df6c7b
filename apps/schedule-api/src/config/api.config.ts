import {
  DEFAULT_API_KEY_CACHE_TTL_MS,
  DEFAULT_SCHEDULE_QUOTAS,
  MIN_ADMIN_API_KEY_LENGTH,
  type NetworkPolicy,
  type RateLimitPolicy,
  type ScheduleQuotas,
  type SecretBox,
  networkPolicyOf,
  PUBLIC_ONLY_NETWORK_POLICY,
} from '@scheduleman/domain';
import {
  DATABASE_FEATURES,
  type DatabaseFeatures,
  DEFAULT_DATABASE_FEATURES,
  DEFAULT_POOL_SIZE,
} from '@scheduleman/domain/persistence';
import {
  type DatabaseTimeouts,
  DEFAULT_STARTUP_RETRY_MS,
  type Env,
  EnvReader,
  LOG_LEVELS,
  type LogLevel,
  readDatabaseTimeouts,
  readSecretBox,
} from '@scheduleman/runtime';
import { DEFAULT_REQUEST_BODY_LIMIT_BYTES } from '../http/json-http';

/** Configuration of the schedule API, read once at boot from environment variables. */
export interface ApiConfig extends DatabaseTimeouts {
  /** `DATABASE_URL` (required): PostgreSQL connection URL, `postgres://user:pass@host:5432/db`. */
  databaseUrl: string;
  /** `PORT`: TCP port of the HTTP server. Default 3000. */
  port: number;
  /** `LOG_LEVEL`: error | warn | info | debug. Default info. */
  logLevel: LogLevel;
  /** `DB_POOL_SIZE`: connections in the pool. Default 10. */
  dbPoolSize: number;
  /** `DB_STARTUP_RETRY_MS`: how long to keep retrying the first database connection at start-up, in ms. Default 60 000. */
  dbStartupRetryMs: number;
  /**
   * `DATABASE_FEATURES`: `full` (default) or `portable`: no NOTIFY to the schedulers and
   * no advisory locks, for servers without them (docs/scaling.md). Same value on all apps.
   */
  databaseFeatures: DatabaseFeatures;
  /**
   * `DB_PREPARED_STATEMENTS`: the hot statements (a creation, a key lookup) as named
   * prepared statements, parsed and planned once per connection. Default true; false
   * behind a transaction-mode PgBouncer older than 1.21 (docs/reliability.md).
   */
  dbPreparedStatements: boolean;
  /**
   * `API_KEY_CACHE_TTL_MS`: how long an authenticated key is remembered by this process,
   * in ms; 0 disables the cache. Default 1000. Revocation still refuses the key at once
   * (docs/security.md "API keys").
   */
  apiKeyCacheTtlMs: number;
  /** `REQUEST_BODY_LIMIT_BYTES`: largest accepted request body, in bytes; larger ones get 413. Default 262 144 (256 KiB). */
  requestBodyLimitBytes: number;
  /**
   * `WEBHOOK_ALLOWED_NETWORKS`: comma-separated CIDRs (IPv4 and IPv6) that a trigger URL
   * may name as a literal address although they are not public, e.g.
   * `10.20.0.0/16,fd00::/8`. Default none: public addresses only (docs/security.md).
   */
  webhookNetworkPolicy: NetworkPolicy;
  /** `HOST`: the address to listen on. Default `0.0.0.0` (every interface); `npm start` uses `127.0.0.1`. */
  host: string;
  /**
   * `AUTH_DISABLED=true`: no authentication at all, every caller is an admin. For local
   * development only; a warning is logged at start. Default false.
   */
  authDisabled: boolean;
  /** `ADMIN_API_KEY`: the installation's admin key, at least 32 characters; every owner, every route. Default none. */
  adminApiKey: string | null;
  /** `METRICS_REQUIRE_KEY=true`: `/metrics` needs a key with the admin scope. Default false (open, like /health). */
  metricsRequireKey: boolean;
  /**
   * `SECRETS_KEY` (base64 of 32 random bytes; required unless AUTH_DISABLED=true) seals
   * every stored secret; `SECRETS_KEY_PREVIOUS` (comma-separated) still opens values
   * sealed before a rotation. Null without SECRETS_KEY.
   */
  secretBox: SecretBox | null;
  /**
   * `RATE_LIMIT_PER_SECOND` (default 50; 0 = no limit) requests per second per API key,
   * with bursts of `RATE_LIMIT_BURST` (default 100) after a pause; over it, 429 with
   * Retry-After. Counted per API process; ADMIN_API_KEY is exempt (docs/security.md).
   * Null when off.
   */
  rateLimit: RateLimitPolicy | null;
  /**
   * Per-owner quotas, 0 = unlimited for each (docs/security.md):
   * `QUOTA_MAX_SCHEDULES_PER_OWNER` stored schedules (default 100 000),
   * `QUOTA_MIN_CRON_INTERVAL` shortest time between two occurrences of any cron, a
   * duration such as `1s` or `5m` (default 1 s, at most 1 h),
   * `QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER` summed rate of an owner's schedules that are
   * not paused (default 1 000 000).
   */
  quotas: ScheduleQuotas;
}

export const DEFAULT_API_PORT = 3000;
export const DEFAULT_RATE_LIMIT_PER_SECOND = 50;
export const DEFAULT_RATE_LIMIT_BURST = 100;

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadApiConfig(env: Env): ApiConfig {
  const reader = new EnvReader(env);
  const authDisabled = reader.bool('AUTH_DISABLED', { default: false });
  const adminApiKey = reader.optionalString('ADMIN_API_KEY') ?? null;
  if (adminApiKey !== null && adminApiKey.length < MIN_ADMIN_API_KEY_LENGTH)
    reader.addProblem(
      `ADMIN_API_KEY: must be at least ${MIN_ADMIN_API_KEY_LENGTH} characters (generate one with: openssl rand -base64 32)`,
    );
  if (adminApiKey !== null && !/^[\x21-\x7e]+$/.test(adminApiKey))
    reader.addProblem(
      'ADMIN_API_KEY: must be printable ASCII without spaces (it travels in an Authorization header)',
    );
  return reader.finish({
    databaseUrl: reader.databaseUrl('DATABASE_URL'),
    port: reader.int('PORT', {
      default: DEFAULT_API_PORT,
      min: 0,
      max: 65_535,
    }),
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS, { default: 'info' }),
    dbPoolSize: reader.int('DB_POOL_SIZE', {
      default: DEFAULT_POOL_SIZE,
      min: 1,
      max: 200,
    }),
    ...readDatabaseTimeouts(reader),
    dbStartupRetryMs: reader.durationMs('DB_STARTUP_RETRY_MS', {
      default: DEFAULT_STARTUP_RETRY_MS,
      min: 0,
      max: 3_600_000,
    }),
    databaseFeatures: reader.oneOf('DATABASE_FEATURES', DATABASE_FEATURES, {
      default: DEFAULT_DATABASE_FEATURES,
    }),
    dbPreparedStatements: reader.bool('DB_PREPARED_STATEMENTS', {
      default: true,
    }),
    apiKeyCacheTtlMs: reader.durationMs('API_KEY_CACHE_TTL_MS', {
      default: DEFAULT_API_KEY_CACHE_TTL_MS,
      min: 0,
      max: 60_000,
    }),
    requestBodyLimitBytes: reader.int('REQUEST_BODY_LIMIT_BYTES', {
      default: DEFAULT_REQUEST_BODY_LIMIT_BYTES,
      min: 1024,
      max: 10 * 1024 * 1024,
    }),
    webhookNetworkPolicy: reader.parsed(
      'WEBHOOK_ALLOWED_NETWORKS',
      networkPolicyOf,
      PUBLIC_ONLY_NETWORK_POLICY,
    ),
    host: reader.string('HOST', { default: '0.0.0.0' }),
    authDisabled,
    adminApiKey,
    metricsRequireKey: reader.bool('METRICS_REQUIRE_KEY', { default: false }),
    secretBox: readSecretBox(reader, authDisabled),
    rateLimit: readRateLimit(reader),
    quotas: readQuotas(reader),
  });
}

function readRateLimit(reader: EnvReader): RateLimitPolicy | null {
  const perSecond = reader.int('RATE_LIMIT_PER_SECOND', {
    default: DEFAULT_RATE_LIMIT_PER_SECOND,
    min: 0,
    max: 1_000_000,
  });
  const burst = reader.int('RATE_LIMIT_BURST', {
    default: DEFAULT_RATE_LIMIT_BURST,
    min: 1,
    max: 1_000_000,
  });
  return perSecond === 0 ? null : { perSecond, burst };
}

function readQuotas(reader: EnvReader): ScheduleQuotas {
  return {
    maxSchedulesPerOwner: reader.int('QUOTA_MAX_SCHEDULES_PER_OWNER', {
      default: DEFAULT_SCHEDULE_QUOTAS.maxSchedulesPerOwner,
      min: 0,
      max: 1_000_000_000,
    }),
    minCronIntervalMs: reader.durationMs('QUOTA_MIN_CRON_INTERVAL', {
      default: DEFAULT_SCHEDULE_QUOTAS.minCronIntervalMs,
      min: 0,
      max: 3_600_000,
    }),
    maxFiresPerMinutePerOwner: reader.int(
      'QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER',
      {
        default: DEFAULT_SCHEDULE_QUOTAS.maxFiresPerMinutePerOwner,
        min: 0,
        max: 1_000_000_000,
      },
    ),
  };
}
