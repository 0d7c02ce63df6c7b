import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-schedule time policies (issue 13, docs/time.md), each column's default being
 * today's behaviour, so existing rows keep firing as before:
 * - `catch_up_window`, `flexible_window`: ISO-8601 durations as the user sent them
 *   (validated by the API), null for none;
 * - `exclusions`: a JSON array of periods; `calendar_ids`: the calendars (same owner)
 *   whose exclusions apply too;
 * - `paused_until`: the end of a pause, null for none (only meaningful while paused);
 * - `overlap_policy`; `skip_next_at`: the scheduled time of the occurrence skip-next marked.
 * `calendars` are owned like connections: one name per owner.
 */
export class SchedulePolicies1734000000000 implements MigrationInterface {
  name = 'SchedulePolicies1734000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
create table calendars (
  id uuid primary key,
  owner text,
  name text not null,
  exclusions jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint calendars_exclusions_check check (jsonb_typeof(exclusions) = 'array')
)`);
    await q.query(
      `create unique index calendars_owner_name_key on calendars (coalesce(owner, ''), name)`,
    );
    // GET /calendars: keyset pagination, all owners or one.
    await q.query(
      `create index calendars_owner_list_idx on calendars (owner, created_at, id)`,
    );
    await q.query(
      `create index calendars_list_idx on calendars (created_at, id)`,
    );
    await q.query(`
alter table schedules
  add column catch_up_window text,
  add column exclusions jsonb not null default '[]',
  add column calendar_ids uuid[] not null default '{}',
  add column flexible_window text,
  add column paused_until timestamptz,
  add column overlap_policy text not null default 'allow',
  add column skip_next_at timestamptz,
  add constraint schedules_overlap_policy_check check (overlap_policy in ('allow', 'skip', 'buffer_one')),
  add constraint schedules_exclusions_check check (jsonb_typeof(exclusions) = 'array')`);
    // "Which schedules use this calendar" (DELETE /calendars/:id refuses while any does).
    // Partial: most schedules name no calendar and cost nothing here.
    await q.query(
      `create index schedules_calendar_ids_idx on schedules using gin (calendar_ids) where calendar_ids <> '{}'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index schedules_calendar_ids_idx`);
    await q.query(`
alter table schedules
  drop constraint schedules_exclusions_check,
  drop constraint schedules_overlap_policy_check,
  drop column skip_next_at,
  drop column overlap_policy,
  drop column paused_until,
  drop column flexible_window,
  drop column calendar_ids,
  drop column exclusions,
  drop column catch_up_window`);
    await q.query(`drop table calendars`);
  }
}
