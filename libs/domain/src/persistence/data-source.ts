import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { ParameterFreeQueryLogger } from './query-logger';

export interface DatabaseOptions {
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
 */
export function buildDataSourceOptions(
  options: DatabaseOptions,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
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
