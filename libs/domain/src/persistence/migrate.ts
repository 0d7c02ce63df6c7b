import { DataSource, MigrationExecutor, type QueryRunner } from 'typeorm';
import {
  CREATE_LOCKS_TABLE,
  type DatabaseFeatures,
  DEFAULT_DATABASE_FEATURES,
  TAKE_NAMED_LOCK,
} from './database-features';

/** Arbitrary but fixed: every scheduleman process takes this lock to migrate. */
export const MIGRATION_LOCK_KEY = 7_312_504_118;
/** The scheduleman_locks row that serialises migrations in the portable mode. */
export const MIGRATION_LOCK_NAME = 'migrations';

/**
 * Applies pending migrations exactly once even when many processes start at the same
 * moment: all of them in one transaction that first takes a lock, so the first process
 * in migrates while the others wait, then find nothing left to do. With `full` database
 * features the lock is a transaction-level advisory lock; with `portable` ones (no
 * advisory locks: docs/scaling.md) it is the row of MIGRATION_LOCK_NAME in
 * scheduleman_locks, locked by the same transaction. Returns the names of the
 * migrations this process applied.
 *
 * Transaction-scoped on purpose: the lock, and the lifted statement timeout (a migration
 * may rewrite a big table), end with the transaction, so this also works through PgBouncer
 * in transaction mode, where a session-level lock or SET would stay behind on whichever
 * server connection ran it; a process that dies mid-way loses its connection, and with it
 * the transaction and the lock. A failed migration rolls back every one of this run. Run
 * it on a data source without a read timeout (a long statement sends nothing meanwhile).
 */
export async function runMigrations(
  dataSource: DataSource,
  features: DatabaseFeatures = DEFAULT_DATABASE_FEATURES,
): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    if (features === 'portable') await createLocksTable(runner);
    await runner.startTransaction();
    try {
      await runner.query('set local statement_timeout = 0');
      await runner.query('set local idle_in_transaction_session_timeout = 0');
      if (features === 'portable')
        await runner.query(TAKE_NAMED_LOCK, [MIGRATION_LOCK_NAME]);
      else
        await runner.query('select pg_advisory_xact_lock($1::bigint)', [
          MIGRATION_LOCK_KEY,
        ]);
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      const applied = await executor.executePendingMigrations();
      await runner.commitTransaction();
      return applied.map((m) => m.name);
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  } finally {
    await runner.release();
  }
}

/**
 * The table of the portable lock, before any migration (which also creates it). Two
 * processes creating it at the same moment race inside PostgreSQL's catalog, and the
 * loser's `if not exists` fails with one of several errors (23505 on pg_type, 42710
 * "type already exists", 42P07) depending on where the race fell; so any failure is
 * judged by its outcome: if the table now exists, this process's work is done.
 */
export async function createLocksTable(runner: QueryRunner): Promise<void> {
  // Looked up first, so that an ordinary restart neither races nor logs a failed query.
  if (await locksTablePresent(runner)) return;
  try {
    await runner.query(CREATE_LOCKS_TABLE);
  } catch (error) {
    if (!(await locksTablePresent(runner))) throw error;
  }
}

async function locksTablePresent(runner: QueryRunner): Promise<boolean> {
  const rows = (await runner.query(
    `select to_regclass('scheduleman_locks') is not null as present`,
  )) as { present: boolean }[];
  return rows[0]?.present ?? false;
}
