import { auditEventCte } from '../audit/audit-events.sql';
import { ownedPageSql } from '../http/owned-page.sql';

/**
 * Every statement on calendars (migration 1734000000000), conventions as in
 * schedules.sql.ts. A calendar is owned like a connection: one name per owner, usable
 * only by that owner's schedules, refused for deletion while a schedule names it.
 */

const CALENDAR_COLUMNS = `id, owner, name, exclusions, created_at,
to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_at_key`;

/** Most schedule ids a refused DELETE names (the answer also gives their count). */
export const MAX_LISTED_SCHEDULES = 20;

/**
 * $1 id, $2 owner, $3 name, $4 exclusions (JSON text), $5..$9 the `calendar.created`
 * event. A name the owner already uses (calendars_owner_name_key) inserts nothing and
 * returns no row, which the service answers with 409.
 */
export const INSERT_CALENDAR = `
with inserted as (
insert into calendars (id, owner, name, exclusions)
values ($1::uuid, $2::text, $3::text, $4::jsonb)
on conflict ((coalesce(owner, '')), name) do nothing
returning ${CALENDAR_COLUMNS}
), ${auditEventCte('inserted', 5, { owner: 'inserted.owner', resourceId: 'inserted.id' })}
select * from inserted
`;

/** $1 id, $2 the caller's owner or null for every owner (another owner's row reads as absent). */
export const SELECT_CALENDAR = `
select ${CALENDAR_COLUMNS}
from calendars
where id = $1::uuid
and ($2::text is null or owner = $2::text)
`;

/**
 * The calendars a schedule being created or edited names, share-locked until its
 * transaction commits: DELETE_CALENDAR's transaction locks the row FOR UPDATE first,
 * so a delete never misses a schedule committed meanwhile, and a schedule never
 * commits naming a deleted calendar. $1 the ids.
 */
export const LOCK_CALENDARS_FOR_USE = `
select id, owner, name, exclusions
from calendars
where id = any($1::uuid[])
for share
`;

/** The preview reads calendars without locking them: nothing is written. $1 the ids. */
export const SELECT_CALENDARS = `
select id, owner, name, exclusions
from calendars
where id = any($1::uuid[])
`;

/** DELETE starts with this, in its transaction. $1 id, $2 owner as in SELECT_CALENDAR. */
export const LOCK_CALENDAR_FOR_DELETE = `
select id
from calendars
where id = $1::uuid
and ($2::text is null or owner = $2::text)
for update
`;

/**
 * The schedules that name a calendar, oldest first, at most $2, with their count;
 * through schedules_calendar_ids_idx (the `<> '{}'` is the index's predicate). Run
 * after LOCK_CALENDAR_FOR_DELETE. $1 calendar id, $2 limit.
 */
export const SCHEDULES_USING_CALENDAR = `
select id, count(*) over ()::int as total
from schedules
where calendar_ids <> '{}'
and calendar_ids @> array[$1::uuid]
order by created_at, id
limit $2::int
`;

/** Locked by LOCK_CALENDAR_FOR_DELETE, with its `calendar.deleted` event. $1 id, $2..$6 the event. */
export const DELETE_CALENDAR = `
with deleted as (
delete from calendars
where id = $1::uuid
returning id, owner
), ${auditEventCte('deleted', 2, { owner: 'deleted.owner', resourceId: 'deleted.id' })}
select id from deleted
`;

/** One page of GET /calendars, oldest first, keyset on (created_at, id); limit + 1 rows. */
export function listCalendarsSql(query: {
  owner?: string;
  cursor?: { at: string; id?: string };
  limit: number;
}): { sql: string; params: unknown[] } {
  return ownedPageSql('calendars', CALENDAR_COLUMNS, query);
}
