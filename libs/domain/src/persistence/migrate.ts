import { DataSource, type QueryRunner } from 'typeorm';
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

/** SQLSTATEs of a `create table if not exists` that lost a race with another one. */
const CREATE_RACE_CODES = new Set(['23505', '42P07']);

/**
 * Applies pending migrations exactly once even when many processes start at the same
 * moment: the first one in migrates while the others wait, then find nothing left to do.
 * With `full` database features the lock is a session-level advisory lock on one pooled
 * connection; with `portable` ones (no advisory locks: docs/scaling.md) it is the row
 * of MIGRATION_LOCK_NAME in scheduleman_locks, held by a transaction left open on that
 * connection until the migrations are done (a process that dies mid-way loses its
 * connection, and with it the lock, as with the advisory lock).
 * Returns the names of the migrations this process applied.
 */
export async function runMigrations(
  dataSource: DataSource,
  features: DatabaseFeatures = DEFAULT_DATABASE_FEATURES,
): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const release =
      features === 'portable'
        ? await takeRowLock(runner)
        : await takeAdvisoryLock(runner);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await release();
    }
  } finally {
    await runner.release();
  }
}

async function takeAdvisoryLock(
  runner: QueryRunner,
): Promise<() => Promise<void>> {
  await runner.query('select pg_advisory_lock($1::bigint)', [
    MIGRATION_LOCK_KEY,
  ]);
  return async () => {
    await runner.query('select pg_advisory_unlock($1::bigint)', [
      MIGRATION_LOCK_KEY,
    ]);
  };
}

async function takeRowLock(runner: QueryRunner): Promise<() => Promise<void>> {
  try {
    await runner.query(CREATE_LOCKS_TABLE);
  } catch (error) {
    // Two processes creating it at the same moment: one wins, the table exists.
    const code = (error as { code?: string }).code;
    if (!code || !CREATE_RACE_CODES.has(code)) throw error;
  }
  await runner.query('begin');
  try {
    await runner.query(TAKE_NAMED_LOCK, [MIGRATION_LOCK_NAME]);
  } catch (error) {
    await runner.query('rollback');
    throw error;
  }
  return async () => {
    await runner.query('commit');
  };
}
