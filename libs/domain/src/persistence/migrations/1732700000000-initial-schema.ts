import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schedules and their executions. Hand-written: every index here exists for one query,
 * named in its comment, and keeps that query's cost proportional to what it returns.
 */
export class InitialSchema1732700000000 implements MigrationInterface {
  name = 'InitialSchema1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
create table schedules (
  id uuid primary key,
  name text,
  owner text,
  metadata jsonb,
  schedule_type text not null,
  schedule jsonb not null,
  trigger_type text not null,
  trigger jsonb not null,
  misfire_policy text not null default 'fire_once',
  max_attempts int not null default 5,
  status text not null default 'active',
  next_run_at timestamptz,
  version int not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint schedules_status_check check (status in ('active', 'paused', 'completed')),
  constraint schedules_type_check check (schedule_type in ('cron', 'at', 'delay')),
  constraint schedules_misfire_policy_check check (misfire_policy in ('fire_once', 'skip', 'fire_all')),
  constraint schedules_max_attempts_check check (max_attempts between 1 and 100)
)`);
    // The plan stage: "active schedules whose next_run_at is within the look-ahead".
    // Partial, so paused and completed schedules cost nothing however many there are.
    await q.query(
      `create index schedules_due_idx on schedules (next_run_at) where status = 'active'`,
    );
    // Keyset pagination of GET /schedules, unfiltered and filtered by owner or status.
    await q.query(
      `create index schedules_list_idx on schedules (created_at, id)`,
    );
    await q.query(
      `create index schedules_owner_list_idx on schedules (owner, created_at, id)`,
    );
    await q.query(
      `create index schedules_status_list_idx on schedules (status, created_at, id)`,
    );

    await q.query(`
create table executions (
  id uuid primary key,
  schedule_id uuid not null references schedules (id) on delete cascade,
  scheduled_at timestamptz not null,
  status text not null default 'pending',
  attempts int not null default 0,
  max_attempts int not null default 5,
  due_at timestamptz not null,
  lease_owner text,
  lease_expires_at timestamptz,
  lease_version int not null default 0,
  scheduler_id text,
  fired_at timestamptz,
  finished_at timestamptz,
  response_status int,
  error text,
  created_at timestamptz not null default now(),
  constraint executions_occurrence_key unique (schedule_id, scheduled_at),
  constraint executions_status_check check (status in ('pending', 'succeeded', 'failed', 'cancelled', 'skipped'))
)`);
    // The fire stage, two sources of claimable work, each with its own small index:
    // pending executions nobody holds (retries, run-now, released on shutdown) ...
    await q.query(
      `create index executions_unleased_due_idx on executions (due_at) where status = 'pending' and lease_owner is null`,
    );
    // ... and pending executions whose holder stopped renewing its lease (a dead scheduler).
    await q.query(
      `create index executions_lease_expiry_idx on executions (lease_expires_at) where status = 'pending' and lease_owner is not null`,
    );
    // Pruning finished executions by age.
    await q.query(
      `create index executions_finished_idx on executions (finished_at) where finished_at is not null`,
    );
    // History (GET /schedules/:id/executions) uses executions_occurrence_key backwards.
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table executions`);
    await q.query(`drop table schedules`);
  }
}
