import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (docs/security.md, "Audit log"): one row per change made through the
 * API, written in the transaction of the change. No foreign keys: a deleted schedule,
 * key or connection keeps its history. Kept forever unless an operator deletes rows.
 * `at` is the change's transaction time; `id` breaks ties in the keyset pages.
 */
export class AuditEvents1733700000000 implements MigrationInterface {
  name = 'AuditEvents1733700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
create table audit_events (
  id uuid primary key default gen_random_uuid(),
  at timestamptz not null default now(),
  action text not null,
  actor_key_id uuid,
  actor_owner text,
  owner text,
  resource_type text not null,
  resource_id uuid not null,
  schedule_id uuid,
  details jsonb not null default '{}'::jsonb
)`);
    // GET /audit-events: newest first, keyset on (at, id), all events, one owner's or one schedule's.
    await q.query(
      `create index audit_events_list_idx on audit_events (at desc, id desc)`,
    );
    await q.query(
      `create index audit_events_owner_list_idx on audit_events (owner, at desc, id desc)`,
    );
    await q.query(
      `create index audit_events_schedule_list_idx on audit_events (schedule_id, at desc, id desc) where schedule_id is not null`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table audit_events`);
  }
}
