import { DataSource, MigrationExecutor } from 'typeorm';

/** Arbitrary but fixed: every scheduleman process takes this lock to migrate. */
export const MIGRATION_LOCK_KEY = 7_312_504_118;

/**
 * Applies pending migrations exactly once even when many processes start at the same
 * moment: all of them in one transaction that first takes a transaction-level advisory
 * lock, so the first process in migrates while the others wait, then find nothing left to
 * do. Returns the names of the migrations this process applied.
 *
 * Transaction-scoped on purpose: the lock, and the lifted statement timeout (a migration
 * may rewrite a big table), end with the transaction, so this also works through PgBouncer
 * in transaction mode, where a session-level lock or SET would stay behind on whichever
 * server connection ran it. A failed migration rolls back every one of this run. Run it on
 * a data source without a read timeout (a long statement sends nothing meanwhile).
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    try {
      await runner.query('set local statement_timeout = 0');
      await runner.query('set local idle_in_transaction_session_timeout = 0');
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
