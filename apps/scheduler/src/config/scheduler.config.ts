import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  DEFAULT_FIRE_RATE_METER,
  InvalidSigningSecretError,
  parseSigningSecret,
  type SigningSecret,
  type NetworkPolicy,
  networkPolicyOf,
  PUBLIC_ONLY_NETWORK_POLICY,
  type SecretBox,
} from '@scheduleman/domain';
import {
  DATABASE_FEATURES,
  type DatabaseFeatures,
  DEFAULT_DATABASE_FEATURES,
} from '@scheduleman/domain/persistence';
import {
  type DatabaseTimeouts,
  type Env,
  EnvReader,
  LOG_LEVELS,
  type LogLevel,
  readDatabaseTimeouts,
  readSecretBox,
} from '@scheduleman/runtime';

/** Default HTTP port of a scheduler (health, metrics); run more schedulers on 3002, 3003, … */
export const DEFAULT_PORT = 3001;
/** How long a claim stays valid without renewal, ms. Bounds the delay a dead scheduler causes. */
export const DEFAULT_LEASE_DURATION_MS = 4_000;
/** Time between claim rounds when nothing wakes the loop, ms. */
export const DEFAULT_POLL_INTERVAL_MS = 500;
/** How far ahead of due time work is claimed and held in memory, ms. */
export const DEFAULT_LOOKAHEAD_MS = 1_500;
/**
 * Upper bound of the look-ahead. After a pause or delete returns, the API cancels pending
 * executions due more than 2 s later; anything due sooner may already be held and fire.
 */
export const MAX_LOOKAHEAD_MS = 2_000;
/** Schedules planned, or executions claimed, per round trip. */
export const DEFAULT_CLAIM_BATCH_SIZE = 500;
/** Trigger calls in flight at once per scheduler. */
export const DEFAULT_MAX_IN_FLIGHT = 256;
/**
 * An execution due with others due within this many ms after it waits for them, and the
 * clump fires at the window's end (never early, at most this late): a trickle goes out
 * in clumps. See docs/design.md.
 */
export const DEFAULT_FIRE_COALESCE_MS = 25;
/** Upper bound of FIRE_COALESCE_MS: later by more would stop being "at its time". */
export const MAX_FIRE_COALESCE_MS = 100;
/** Longest a trigger call may take, ms. */
export const DEFAULT_TRIGGER_TIMEOUT_MS = 3_000;
/** Initiating a task may take at most 3 s (the seed's constraint). */
export const MAX_TRIGGER_TIMEOUT_MS = 3_000;
/** How long finished executions are kept before pruning, ms (7 days). */
export const DEFAULT_EXECUTION_RETENTION_MS = 7 * 24 * 3_600_000;
/** On SIGTERM, how long calls in flight may take to finish before they are aborted, ms. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;
/** Database connections in this scheduler's pool (the LISTEN connection is extra). */
export const DEFAULT_DB_POOL_SIZE = 10;
/** Fires per second a scheduler is assumed to manage before it has measured its rate. */
export const DEFAULT_FIRE_RATE_INITIAL =
  DEFAULT_FIRE_RATE_METER.initialRatePerSecond;
/** The measured fire rate is never taken as lower than this (fires/s). */
export const DEFAULT_FIRE_RATE_FLOOR =
  DEFAULT_FIRE_RATE_METER.floorRatePerSecond;
/** Webhook connections open at once per target origin (undici pool). */
export const DEFAULT_WEBHOOK_MAX_SOCKETS = 256;
/** How long an idle webhook connection is kept for reuse, ms. */
export const DEFAULT_WEBHOOK_KEEP_ALIVE_MS = 30_000;

export interface SchedulerConfig extends DatabaseTimeouts {
  /** `DATABASE_URL` (required): PostgreSQL connection URL; may point at PgBouncer in transaction mode. */
  databaseUrl: string;
  /**
   * `DATABASE_LISTEN_URL`: where the wake-up LISTEN connection goes; it needs a session of
   * its own, so behind a transaction pooler point it at PostgreSQL itself. `off` = no
   * LISTEN, polling only (POLL_INTERVAL_MS). Default DATABASE_URL. Undefined when off.
   */
  databaseListenUrl: string | undefined;
  /** `PORT`: HTTP port for /health and /metrics. Default 3001. */
  port: number;
  /**
   * `SCHEDULER_ID`: this scheduler's lease owner name, shown as executions' schedulerId.
   * Must be unique among running schedulers. Default `<hostname>-<pid>-<random>`.
   */
  schedulerId: string;
  /** `LOG_LEVEL`: error, warn, info or debug. Default info. */
  logLevel: LogLevel;
  /** `LEASE_DURATION_MS`: lease length in ms, 1000..60000. Default 4000. */
  leaseDurationMs: number;
  /** `POLL_INTERVAL_MS`: ms between claim rounds, 50..10000. Default 500. */
  pollIntervalMs: number;
  /** `LOOKAHEAD_MS`: claim work due within this many ms, 0..2000 and below the lease. Default 1500. */
  lookaheadMs: number;
  /** `CLAIM_BATCH_SIZE`: rows per plan or claim round trip, 1..5000. Default 500. */
  claimBatchSize: number;
  /** `MAX_IN_FLIGHT`: concurrent trigger calls, 1..10000. Default 256. */
  maxInFlight: number;
  /** `TRIGGER_TIMEOUT_MS`: per-call timeout in ms, 100..3000. Default 3000. */
  triggerTimeoutMs: number;
  /**
   * `FIRE_COALESCE_MS`: executions due within this many ms of each other fire together at
   * the window's end (never early), 0..100; 0 fires each at its own time. Default 25.
   */
  fireCoalesceMs: number;
  /** `EXECUTION_RETENTION_MS`: keep finished executions this long, ms (≥ 1 minute). Default 7 days. */
  executionRetentionMs: number;
  /** `SHUTDOWN_GRACE_MS`: wait this long for calls in flight on SIGTERM, ms, 0..60000. Default 5000. */
  shutdownGraceMs: number;
  /**
   * `BACKPRESSURE`: hold no more than the measured fire rate fires within the lease, and
   * give back overdue work beyond it (true/false). Default true.
   */
  backpressure: boolean;
  /** `FIRE_RATE_INITIAL`: fires/s assumed before the rate was measured, 1..1000000. Default 500. */
  fireRateInitial: number;
  /** `FIRE_RATE_FLOOR`: lowest fire rate the cap assumes, fires/s, 1..1000000. Default 20. */
  fireRateFloor: number;
  /** `DB_POOL_SIZE`: pooled database connections, 2..100. Default 10. */
  dbPoolSize: number;
  /**
   * `DATABASE_FEATURES`: `full` (default) or `portable`: no LISTEN connection (the claim
   * loop polls every POLL_INTERVAL_MS) and no advisory locks, for servers without them
   * (docs/scaling.md). Same value on all apps.
   */
  databaseFeatures: DatabaseFeatures;
  /**
   * `DB_PREPARED_STATEMENTS`: the hot statements (plan, claim, outcomes, renewals, idle
   * probes) as named prepared statements, parsed and planned once per connection.
   * Default true; false behind a transaction-mode PgBouncer older than 1.21.
   */
  dbPreparedStatements: boolean;
  /** `WEBHOOK_MAX_SOCKETS`: webhook connections per target origin, 1..100000. Default 256. */
  webhookMaxSockets: number;
  /** `WEBHOOK_KEEP_ALIVE_MS`: keep an idle webhook connection for reuse this long, ms, 1..600000. Default 30000. */
  webhookKeepAliveMs: number;
  /**
   * `WEBHOOK_SIGNING_SECRETS`: installation signing secrets, comma-separated `whsec_…`,
   * decoded once here. Every delivery is signed with each of them (Standard Webhooks);
   * none (the default) = unsigned.
   */
  webhookSigningSecrets: readonly SigningSecret[];
  /**
   * `WEBHOOK_ALLOWED_NETWORKS`: comma-separated CIDRs (IPv4 and IPv6) a webhook may connect
   * to although they are not public, e.g. `10.20.0.0/16,fd00::/8`. Default none: public
   * addresses only, checked on every resolved address (docs/security.md).
   */
  webhookNetworkPolicy: NetworkPolicy;
  /**
   * `SECRETS_KEY` / `SECRETS_KEY_PREVIOUS`: the same keys as the API's; they open the
   * secrets it stored (docs/security.md). Required unless `AUTH_DISABLED=true`, which the
   * scheduler reads for this rule only. Null without SECRETS_KEY.
   */
  secretBox: SecretBox | null;
  /**
   * `PUBLIC_API_URL`: the schedule API's address as targets reach it, e.g.
   * `https://scheduleman.example.com`. When set, every delivery carries
   * X-Scheduleman-Result-Url (where to report its result). Default unset: no such header.
   */
  publicApiUrl: string | undefined;
}

/** Reads and validates the scheduler's environment; throws ConfigError naming every bad variable. */
export function loadSchedulerConfig(
  env: Env,
  random: () => string = () => randomBytes(3).toString('hex'),
): SchedulerConfig {
  const read = new EnvReader(env);
  const config: SchedulerConfig = {
    databaseUrl: read.databaseUrl('DATABASE_URL'),
    databaseListenUrl: readListenUrl(read),
    ...readDatabaseTimeouts(read),
    port: read.int('PORT', { default: DEFAULT_PORT, min: 1, max: 65_535 }),
    schedulerId: read.string('SCHEDULER_ID', {
      default: `${hostname()}-${process.pid}-${random()}`,
      maxLength: 200,
    }),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, { default: 'info' }),
    leaseDurationMs: read.durationMs('LEASE_DURATION_MS', {
      default: DEFAULT_LEASE_DURATION_MS,
      min: 1_000,
      max: 60_000,
    }),
    pollIntervalMs: read.durationMs('POLL_INTERVAL_MS', {
      default: DEFAULT_POLL_INTERVAL_MS,
      min: 50,
      max: 10_000,
    }),
    lookaheadMs: read.durationMs('LOOKAHEAD_MS', {
      default: DEFAULT_LOOKAHEAD_MS,
      min: 0,
      max: MAX_LOOKAHEAD_MS,
    }),
    claimBatchSize: read.int('CLAIM_BATCH_SIZE', {
      default: DEFAULT_CLAIM_BATCH_SIZE,
      min: 1,
      max: 5_000,
    }),
    maxInFlight: read.int('MAX_IN_FLIGHT', {
      default: DEFAULT_MAX_IN_FLIGHT,
      min: 1,
      max: 10_000,
    }),
    triggerTimeoutMs: read.durationMs('TRIGGER_TIMEOUT_MS', {
      default: DEFAULT_TRIGGER_TIMEOUT_MS,
      min: 100,
      max: MAX_TRIGGER_TIMEOUT_MS,
    }),
    fireCoalesceMs: read.durationMs('FIRE_COALESCE_MS', {
      default: DEFAULT_FIRE_COALESCE_MS,
      min: 0,
      max: MAX_FIRE_COALESCE_MS,
    }),
    executionRetentionMs: read.durationMs('EXECUTION_RETENTION_MS', {
      default: DEFAULT_EXECUTION_RETENTION_MS,
      min: 60_000,
    }),
    shutdownGraceMs: read.durationMs('SHUTDOWN_GRACE_MS', {
      default: DEFAULT_SHUTDOWN_GRACE_MS,
      min: 0,
      max: 60_000,
    }),
    backpressure: read.bool('BACKPRESSURE', { default: true }),
    fireRateInitial: read.int('FIRE_RATE_INITIAL', {
      default: DEFAULT_FIRE_RATE_INITIAL,
      min: 1,
      max: 1_000_000,
    }),
    fireRateFloor: read.int('FIRE_RATE_FLOOR', {
      default: DEFAULT_FIRE_RATE_FLOOR,
      min: 1,
      max: 1_000_000,
    }),
    dbPoolSize: read.int('DB_POOL_SIZE', {
      default: DEFAULT_DB_POOL_SIZE,
      min: 2,
      max: 100,
    }),
    databaseFeatures: read.oneOf('DATABASE_FEATURES', DATABASE_FEATURES, {
      default: DEFAULT_DATABASE_FEATURES,
    }),
    dbPreparedStatements: read.bool('DB_PREPARED_STATEMENTS', {
      default: true,
    }),
    webhookMaxSockets: read.int('WEBHOOK_MAX_SOCKETS', {
      default: DEFAULT_WEBHOOK_MAX_SOCKETS,
      min: 1,
      max: 100_000,
    }),
    webhookKeepAliveMs: read.durationMs('WEBHOOK_KEEP_ALIVE_MS', {
      default: DEFAULT_WEBHOOK_KEEP_ALIVE_MS,
      min: 1,
      max: 600_000,
    }),
    webhookSigningSecrets: readSigningSecrets(read, 'WEBHOOK_SIGNING_SECRETS'),
    webhookNetworkPolicy: read.parsed(
      'WEBHOOK_ALLOWED_NETWORKS',
      networkPolicyOf,
      PUBLIC_ONLY_NETWORK_POLICY,
    ),
    secretBox: readSecretBox(
      read,
      read.bool('AUTH_DISABLED', { default: false }),
    ),
    publicApiUrl: read.optionalString('PUBLIC_API_URL')
      ? read.url('PUBLIC_API_URL', { protocols: ['http:', 'https:'] })
      : undefined,
  };
  // Held work must be fired before its lease could lapse between two renewals.
  if (config.lookaheadMs >= config.leaseDurationMs) {
    read.addProblem(
      `LOOKAHEAD_MS: must be less than LEASE_DURATION_MS (got ${config.lookaheadMs} and ${config.leaseDurationMs})`,
    );
  }
  return read.finish(config);
}

/** DATABASE_LISTEN_URL: a URL, `off`, or unset for DATABASE_URL. */
function readListenUrl(read: EnvReader): string | undefined {
  const raw = read.optionalString('DATABASE_LISTEN_URL');
  if (raw?.toLowerCase() === 'off') return undefined;
  return raw === undefined
    ? read.optionalString('DATABASE_URL')
    : read.databaseUrl('DATABASE_LISTEN_URL');
}

/**
 * A comma-separated list of signing secrets. A bad entry is named by its position and
 * reason, never by its text: the variable holds secrets.
 */
function readSigningSecrets(
  read: EnvReader,
  name: string,
): readonly SigningSecret[] {
  const raw = read.optionalString(name);
  if (raw === undefined) return [];
  const entries = raw.split(',').map((entry) => entry.trim());
  const secrets: SigningSecret[] = [];
  entries.forEach((entry, index) => {
    const which = `entry ${String(index + 1)} of ${String(entries.length)}`;
    const first = entries.indexOf(entry);
    if (entry === '') {
      read.addProblem(`${name}: ${which} is empty`);
    } else if (first !== index) {
      read.addProblem(`${name}: ${which} repeats entry ${String(first + 1)}`);
    } else {
      try {
        secrets.push(parseSigningSecret(entry));
      } catch (error) {
        if (!(error instanceof InvalidSigningSecretError)) throw error;
        read.addProblem(`${name}: ${which} ${error.message}`);
      }
    }
  });
  return secrets;
}
