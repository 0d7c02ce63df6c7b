import { DataSource } from 'typeorm';

/** Arbitrary but fixed: every scheduleman process takes this lock to migrate. */
export const MIGRATION_LOCK_KEY = 7_312_504_118;

/**
 * Applies pending migrations exactly once even when many processes start at the same
 * moment: each takes a session-level advisory lock on one pooled connection, and the
 * first one in migrates while the others wait, then find nothing left to do.
 * Returns the names of the migrations this process applied.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('select pg_advisory_lock($1::bigint)', [
      MIGRATION_LOCK_KEY,
    ]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('select pg_advisory_unlock($1::bigint)', [
        MIGRATION_LOCK_KEY,
      ]);
    }
  } finally {
    await runner.release();
  }
}
