import {
  DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  defaultReadTimeoutMs,
} from '@scheduleman/domain/persistence';
import type { EnvReader } from '../config/env-reader';

/** The database timeouts every app reads the same way (docs/reliability.md, "Connection faults"). */
export interface DatabaseTimeouts {
  /** `DB_STATEMENT_TIMEOUT_MS`: server-side cap on any statement, ms, 100..600000. Default 10 000. */
  dbStatementTimeoutMs: number;
  /**
   * `DB_READ_TIMEOUT_MS`: a connection that waits this long for any byte of a reply is
   * closed as dead, ms, above DB_STATEMENT_TIMEOUT_MS. Default statement timeout + 2 s (12 000).
   */
  dbReadTimeoutMs: number;
  /**
   * `DB_IDLE_IN_TRANSACTION_TIMEOUT_MS`: the server ends a session idle inside a
   * transaction this long, releasing its locks, ms, 1000..600000. Default 5 000.
   */
  dbIdleInTransactionTimeoutMs: number;
}

/** Reads the DB_*_TIMEOUT_MS variables; problems go to `read` like any other. */
export function readDatabaseTimeouts(read: EnvReader): DatabaseTimeouts {
  const dbStatementTimeoutMs = read.durationMs('DB_STATEMENT_TIMEOUT_MS', {
    default: DEFAULT_STATEMENT_TIMEOUT_MS,
    min: 100,
    max: 600_000,
  });
  const dbReadTimeoutMs = read.durationMs('DB_READ_TIMEOUT_MS', {
    default: defaultReadTimeoutMs(dbStatementTimeoutMs),
    min: 1_000,
    max: 3_600_000,
  });
  // A statement the server is still allowed to run must not be cut by the client first.
  if (dbReadTimeoutMs <= dbStatementTimeoutMs)
    read.addProblem(
      `DB_READ_TIMEOUT_MS: must be more than DB_STATEMENT_TIMEOUT_MS (got ${String(dbReadTimeoutMs)} and ${String(dbStatementTimeoutMs)})`,
    );
  return {
    dbStatementTimeoutMs,
    dbReadTimeoutMs,
    dbIdleInTransactionTimeoutMs: read.durationMs(
      'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
      {
        default: DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
        min: 1_000,
        max: 600_000,
      },
    ),
  };
}
