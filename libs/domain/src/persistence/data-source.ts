import { DataSource, DataSourceOptions } from 'typeorm';
import { parseDatabaseUrl } from './database-url';
import { databaseClientClass } from './failover-client';
import { MIGRATIONS } from './migrations';
import { ParameterFreeQueryLogger } from './query-logger';

export interface DatabaseOptions {
  /** DATABASE_URL; a multi-host URL with target_session_attrs fails over (database-url.ts). */
  url: string;
  /** Shown in pg_stat_activity, e.g. `scheduler:abc123`. */
  applicationName: string;
  /** Pool size. */
  poolSize?: number;
  /** Server-side cap on any statement, in milliseconds. */
  statementTimeoutMs?: number;
}

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

/**
 * TypeORM options shared by every app. Dead connections must be noticed in seconds, not
 * hours: TCP keepalive and a statement timeout on every pooled connection, and a short
 * connect timeout so a database outage surfaces as errors the callers back off on.
 * A multi-host URL gets the failover Client class (failover-client.ts): node-postgres
 * reads one host per URL, so it is given the first host's URL and the class picks the
 * host at each connect.
 */
export function buildDataSourceOptions(
  options: DatabaseOptions,
): DataSourceOptions {
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
    connectTimeoutMS: 5_000,
    extra: {
      ...(url.needsFailover
        ? { Client: databaseClientClass(options.url) }
        : {}),
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
      statement_timeout:
        options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: 30_000,
      idleTimeoutMillis: 30_000,
    },
  };
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource(buildDataSourceOptions(options));
}
