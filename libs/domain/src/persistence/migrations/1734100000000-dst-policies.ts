import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The DST policies of a schedule (dst-policy.ts, docs/time.md "DST policies"), their
 * defaults being the behaviour before they existed, so existing rows fire as before:
 * `dst_gap_policy` (shift | skip) and `dst_overlap_policy` (first | second | twice).
 * Adding a column with a constant default rewrites no row (PostgreSQL 11+).
 */
export class DstPolicies1734100000000 implements MigrationInterface {
  name = 'DstPolicies1734100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
alter table schedules
  add column dst_gap_policy text not null default 'shift',
  add column dst_overlap_policy text not null default 'first',
  add constraint schedules_dst_gap_policy_check check (dst_gap_policy in ('shift', 'skip')),
  add constraint schedules_dst_overlap_policy_check check (dst_overlap_policy in ('first', 'second', 'twice'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
alter table schedules
  drop constraint schedules_dst_overlap_policy_check,
  drop constraint schedules_dst_gap_policy_check,
  drop column dst_overlap_policy,
  drop column dst_gap_policy`);
  }
}
