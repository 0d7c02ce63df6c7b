import { MigrationInterface, QueryRunner } from 'typeorm';
import { scheduleRate } from '../../schedule/schedule-rate';

/**
 * Quotas per owner (docs/security.md, "Rate limits and quotas").
 *
 * `schedules.fires_per_hour` is the rate of a schedule at its busiest (ScheduleRate),
 * written by the API with every change of the spec; the API never recomputes a stored
 * one, so what is added to and removed from an owner's totals is always the same
 * number. `owner_usage` holds each owner's totals, changed by the API in the same
 * statement or transaction as the schedule itself, so a quota check reads one row
 * instead of counting the owner's schedules: its row lock orders concurrent changes of
 * one owner, and the check cannot overshoot. Schedules without an owner (only an admin
 * creates them) have no totals.
 */
export class OwnerQuotas1733300000000 implements MigrationInterface {
  name = 'OwnerQuotas1733300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `alter table schedules add column fires_per_hour int not null default 0`,
    );
    // Existing crons, by distinct expression (few, however many schedules share one).
    const crons = (await q.query(
      `select distinct schedule->>'expression' as expression from schedules where schedule_type = 'cron'`,
    )) as { expression: string }[];
    const rates = crons.map(({ expression }) => {
      try {
        return scheduleRate({ type: 'cron', expression, timezone: 'UTC' })
          .firesPerHour;
      } catch {
        return 0; // not a cron the API would have accepted: counts as nothing
      }
    });
    await q.query(
      `update schedules s
set fires_per_hour = r.fires_per_hour
from unnest($1::text[], $2::int[]) as r (expression, fires_per_hour)
where s.schedule_type = 'cron'
and s.schedule->>'expression' = r.expression`,
      [crons.map((c) => c.expression), rates],
    );
    await q.query(`
create table owner_usage (
  owner text primary key,
  schedules int not null default 0,
  fires_per_hour bigint not null default 0,
  constraint owner_usage_schedules_check check (schedules >= 0),
  constraint owner_usage_fires_check check (fires_per_hour >= 0)
)`);
    // The totals as the API keeps them: every stored schedule counts, the rate only
    // while it is not paused.
    await q.query(`
insert into owner_usage (owner, schedules, fires_per_hour)
select owner, count(*), coalesce(sum(fires_per_hour) filter (where status <> 'paused'), 0)
from schedules
where owner is not null
group by owner`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table owner_usage`);
    await q.query(`alter table schedules drop column fires_per_hour`);
  }
}
