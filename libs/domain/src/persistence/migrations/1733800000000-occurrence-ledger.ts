import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The occurrence ledger (issue 13, docs/design.md "The occurrence ledger"): every
 * occurrence that was due is an execution row, fired or `skipped` with a `reason`.
 * - `reason`: why a skipped occurrence did not fire (skip-reason.ts); null for every
 *   other status. Existing skipped rows (one-shots missed under `skip`) get
 *   `misfire_policy`, the only reason that existed.
 * - `occurrence_count` / `last_scheduled_at`: a skipped row may stand for a range of
 *   consecutive occurrences, from scheduled_at to last_scheduled_at (both included),
 *   so a long outage costs a bounded number of rows. Every other row stands for one.
 * The checks are added NOT VALID and validated afterwards, so the scan of an existing
 * table does not hold a lock that blocks the schedulers' writes.
 */
export class OccurrenceLedger1733800000000 implements MigrationInterface {
  name = 'OccurrenceLedger1733800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
alter table executions
  add column reason text,
  add column occurrence_count int not null default 1,
  add column last_scheduled_at timestamptz`);
    await q.query(
      `update executions set reason = 'misfire_policy' where status = 'skipped'`,
    );
    await q.query(`
alter table executions
  add constraint executions_reason_check check (
    (status = 'skipped') = (reason is not null)
    and (reason is null or reason in ('misfire_policy', 'dst_policy', 'catch_up_window', 'overlap_policy', 'exclusion', 'skip_next'))
  ) not valid`);
    await q.query(`
alter table executions
  add constraint executions_occurrence_range_check check (
    (last_scheduled_at is null and occurrence_count = 1)
    or (status = 'skipped' and last_scheduled_at > scheduled_at and occurrence_count >= 2)
  ) not valid`);
    await q.query(
      `alter table executions validate constraint executions_reason_check`,
    );
    await q.query(
      `alter table executions validate constraint executions_occurrence_range_check`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
alter table executions
  drop constraint executions_occurrence_range_check,
  drop constraint executions_reason_check,
  drop column last_scheduled_at,
  drop column occurrence_count,
  drop column reason`);
  }
}
