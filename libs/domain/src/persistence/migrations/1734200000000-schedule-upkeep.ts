import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13, what the schedulers keep up by themselves (schedule-upkeep.sql.ts):
 * - the end of a `pausedUntil` pause: schedules_paused_until_idx holds only paused
 *   schedules with an end, so the once-a-second sweep reads what is due and nothing else;
 * - buffered occurrences (overlapPolicy `buffer_one`: pending, unleased, due_at
 *   'infinity'): executions_buffered_idx, at most one row per schedule, for the release;
 * - alerting on silence: `silent_after` (ISO text as given) and `silent_after_ms`, and the
 *   facts health is computed from without reading executions: `last_success_at` (the
 *   latest occurrence that succeeded) and `last_outcome` (`succeeded`, `failed` or
 *   `result_timeout`: how the latest finished occurrence ended). schedules_health_idx
 *   holds the schedules that can be anything but healthy for a reason other than
 *   lateness (silentAfter set, or the latest outcome a failure), so the health gauge
 *   counts them with one bounded index read.
 */
export class ScheduleUpkeep1734200000000 implements MigrationInterface {
  name = 'ScheduleUpkeep1734200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
alter table schedules
  add column silent_after text,
  add column silent_after_ms bigint,
  add column last_success_at timestamptz,
  add column last_outcome text,
  add constraint schedules_last_outcome_check check (last_outcome in ('succeeded', 'failed', 'result_timeout'))`);
    await q.query(
      `create index schedules_paused_until_idx on schedules (paused_until) where status = 'paused' and paused_until is not null`,
    );
    await q.query(
      `create index executions_buffered_idx on executions (schedule_id) where status = 'pending' and due_at = 'infinity'`,
    );
    await q.query(
      `create index schedules_health_idx on schedules (id) where silent_after_ms is not null or last_outcome in ('failed', 'result_timeout')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index schedules_health_idx`);
    await q.query(`drop index executions_buffered_idx`);
    await q.query(`drop index schedules_paused_until_idx`);
    await q.query(`
alter table schedules
  drop constraint schedules_last_outcome_check,
  drop column last_outcome,
  drop column last_success_at,
  drop column silent_after_ms,
  drop column silent_after`);
  }
}
