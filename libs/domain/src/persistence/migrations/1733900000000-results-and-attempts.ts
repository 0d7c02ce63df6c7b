import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13, attempts and task results:
 * - `execution_attempts`: one row per attempt whose outcome was recorded, written by the
 *   scheduler in the statement that records the outcome (COMPLETE_FIRES); they go with
 *   their execution (on delete cascade, so pruning and deleting a schedule need nothing
 *   new). Keyed by (execution_id, number), which is also the order of the attempts page.
 * - `schedules.result_timeout` (ISO text as given, and in ms);
 * - the reported result on the execution (`result_*` columns), and `result_deadline_at`:
 *   set when a schedule with a `result_timeout` is delivered, cleared by a report; the
 *   housekeeping sweep finds overdue ones through executions_result_deadline_idx.
 * - status `result_timeout` (final).
 */
export class ResultsAndAttempts1733900000000 implements MigrationInterface {
  name = 'ResultsAndAttempts1733900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
create table execution_attempts (
  execution_id uuid not null references executions (id) on delete cascade,
  number int not null,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  outcome text not null,
  response_status int,
  response text,
  initiation_latency_ms int,
  error_class text,
  error_message text,
  scheduler_id text not null,
  constraint execution_attempts_pkey primary key (execution_id, number),
  constraint execution_attempts_outcome_check check (outcome in ('succeeded', 'retryable_failure', 'permanent_failure'))
)`);
    // As given (an ISO-8601 duration, echoed in answers) and in ms (for the deliveries).
    await q.query(
      `alter table schedules add column result_timeout text, add column result_timeout_ms bigint`,
    );
    await q.query(`
alter table executions
  add column result_deadline_at timestamptz,
  add column result_status text,
  add column result_output jsonb,
  add column result_error text,
  add column result_reported_at timestamptz,
  add constraint executions_result_status_check check (result_status in ('succeeded', 'failed'))`);
    await q.query(
      `alter table executions drop constraint executions_status_check`,
    );
    await q.query(
      `alter table executions add constraint executions_status_check check (status in ('pending', 'succeeded', 'failed', 'cancelled', 'skipped', 'result_timeout'))`,
    );
    // The result-timeout sweep (EXPIRE_RESULT_DEADLINES): delivered executions still
    // awaiting a report, by deadline. Partial: everything else costs nothing.
    await q.query(
      `create index executions_result_deadline_idx on executions (result_deadline_at) where result_deadline_at is not null`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index executions_result_deadline_idx`);
    await q.query(
      `update executions set status = 'succeeded' where status = 'result_timeout'`,
    );
    await q.query(
      `alter table executions drop constraint executions_status_check`,
    );
    await q.query(
      `alter table executions add constraint executions_status_check check (status in ('pending', 'succeeded', 'failed', 'cancelled', 'skipped'))`,
    );
    await q.query(`
alter table executions
  drop constraint executions_result_status_check,
  drop column result_deadline_at,
  drop column result_status,
  drop column result_output,
  drop column result_error,
  drop column result_reported_at`);
    await q.query(
      `alter table schedules drop column result_timeout, drop column result_timeout_ms`,
    );
    await q.query(`drop table execution_attempts`);
  }
}
