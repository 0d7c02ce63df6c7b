import { DataSource, DataSourceOptions } from 'typeorm';
import { parseDatabaseUrl } from './database-url';
import { databaseClientClass } from './failover-client';
import { MIGRATIONS } from './migrations';
import { ParameterFreeQueryLogger } from './query-logger';
import {
  type SilentConnectionError,
  watchedClientClass,
} from './reply-watchdog';

export interface DatabaseOptions {
  /** DATABASE_URL; a multi-host URL with target_session_attrs fails over (database-url.ts). */
  url: string;
  /** Shown in pg_stat_activity, e.g. `scheduler:abc123`. */
  applicationName: string;
  /** Pool size. */
  poolSize?: number;
  /** Server-side cap on any statement, in milliseconds; 0 = none. */
  statementTimeoutMs?: number;
  /**
   * Client-side: a connection waiting this long for any byte of a reply is closed as
   * dead (see watchReplies); 0 = never. Default: the statement timeout plus
   * READ_TIMEOUT_MARGIN_MS, so a slow statement is cancelled by the server first.
   */
  readTimeoutMs?: number;
  /** Server-side: a session idle inside a transaction this long is ended (its locks released), ms. */
  idleInTransactionTimeoutMs?: number;
  /** Told about each connection closed by the read timeout (for a log line). */
  onSilentConnection?: (error: SilentConnectionError) => void;
}

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
/** How much longer than the statement timeout a reply may take before the connection counts as dead. */
export const READ_TIMEOUT_MARGIN_MS = 2_000;
/**
 * A client gone silent in the middle of a transaction keeps its row locks until the server
 * ends the session; 5 s is about one lease (4 s) and far above any pause between two
 * statements of our transactions (milliseconds).
 */
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 5_000;
/** New connections: TCP connect plus start-up. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Idle time before the first TCP keepalive probe on every connection. */
export const KEEPALIVE_INITIAL_DELAY_MS = 5_000;

/** The read timeout an app gets when it does not choose one. */
export function defaultReadTimeoutMs(statementTimeoutMs: number): number {
  return statementTimeoutMs + READ_TIMEOUT_MARGIN_MS;
}

/**
 * TypeORM options shared by every app. Dead connections must be noticed in seconds, not
 * hours (docs/reliability.md, "Connection faults"): a reply watchdog on every pooled
 * connection (a query that hears nothing for `readTimeoutMs` closes it), TCP keepalive
 * for idle ones, a server-side statement timeout below the read timeout, an
 * idle-in-transaction timeout so a vanished client's locks are released within about a
 * lease, and a short connect timeout so an outage surfaces as errors callers back off on.
 *
 * Nothing here needs a session of its own: every option is a start-up parameter or lives
 * in the client, so the pool also works through PgBouncer in transaction mode (which must
 * be told to ignore the two timeout parameters; docs/operations.md).
 *
 * A multi-host URL gets the failover Client class (failover-client.ts) under the
 * watchdog: node-postgres reads one host per URL, so it is given the first host's URL and
 * the class picks the host at each connect.
 */
export function buildDataSourceOptions(
  options: DatabaseOptions,
): DataSourceOptions {
  const statementTimeoutMs =
    options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const url = parseDatabaseUrl(options.url);
  return {
    type: 'postgres',
    url: url.needsFailover ? url.urlFor(url.endpoints[0]) : options.url,
    // No entities: all data access is hand-written SQL run through query(); the
    // row types are in rows.ts.
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    // Failed queries are logged without their parameters, which can be secrets.
    logging: ['error'],
    logger: new ParameterFreeQueryLogger(),
    applicationName: options.applicationName,
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    extra: {
      Client: watchedClientClass(
        options.readTimeoutMs ?? defaultReadTimeoutMs(statementTimeoutMs),
        options.onSilentConnection,
        databaseClientClass(options.url),
      ),
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
      statement_timeout: statementTimeoutMs,
      idle_in_transaction_session_timeout:
        options.idleInTransactionTimeoutMs ??
        DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
    },
  };
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource(buildDataSourceOptions(options));
}
