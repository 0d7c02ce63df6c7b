import { MigrationInterface, QueryRunner } from 'typeorm';
import { CREATE_LOCKS_TABLE } from '../database-features';

/**
 * scheduleman_locks: named locks without advisory-lock functions (database-features.ts),
 * so the same SQL runs on servers that have none (docs/scaling.md). `if not exists`:
 * in the portable mode the migration lock has created it before any migration ran.
 * Its first user: the per-owner serialisation of signing-secret creation.
 */
export class NamedLocks1734500000000 implements MigrationInterface {
  name = 'NamedLocks1734500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(CREATE_LOCKS_TABLE);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table scheduleman_locks`);
  }
}
