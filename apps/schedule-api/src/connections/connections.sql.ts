import { auditEventCte } from '../audit/audit-events.sql';
import { ownedPageSql } from '../http/owned-page.sql';
/**
 * Every statement on connections (migration 1733600000000), conventions as in
 * schedules.sql.ts. url_sealed is written here and read by the schedulers only: no
 * statement of the API selects it back.
 */

const CONNECTION_COLUMNS = `id, owner, name, type, url_masked, created_at,
to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_at_key`;

/** Most schedule ids a refused DELETE names (the answer also gives their count). */
export const MAX_LISTED_SCHEDULES = 20;

/**
 * $1 id, $2 owner, $3 name, $4 type, $5 sealed URL, $6 masked URL, $7..$11 the
 * `connection.created` event. A name the owner already uses
 * (connections_owner_name_key) inserts nothing, records nothing and returns no row,
 * which the service answers with 409. `on conflict` rather than a caught unique
 * violation: TypeORM logs every failed query with its parameters, the sealed URL
 * among them.
 */
export const INSERT_CONNECTION = `
with inserted as (
insert into connections (id, owner, name, type, url_sealed, url_masked)
values ($1::uuid, $2::text, $3::text, $4::text, $5::text, $6::text)
on conflict ((coalesce(owner, '')), name) do nothing
returning ${CONNECTION_COLUMNS}
), ${auditEventCte('inserted', 7, { owner: 'inserted.owner', resourceId: 'inserted.id' })}
select * from inserted
`;

/** $1 id, $2 the caller's owner or null for every owner (another owner's row reads as absent). */
export const SELECT_CONNECTION = `
select ${CONNECTION_COLUMNS}
from connections
where id = $1::uuid
and ($2::text is null or owner = $2::text)
`;

/**
 * A schedule being created or edited to use a connection: the connection's owner and
 * type, share-locked until the schedule's transaction commits. DELETE_CONNECTION's
 * transaction locks the row FOR UPDATE first, so the two serialise: a delete never
 * misses a schedule committed meanwhile, and a schedule never commits pointing at a
 * deleted connection (its lock finds no row). $1 id.
 */
export const LOCK_CONNECTION_FOR_USE = `
select owner, type
from connections
where id = $1::uuid
for share
`;

/** DELETE starts with this, in its transaction (see LOCK_CONNECTION_FOR_USE). $1 id, $2 owner as in SELECT_CONNECTION. */
export const LOCK_CONNECTION_FOR_DELETE = `
select id
from connections
where id = $1::uuid
and ($2::text is null or owner = $2::text)
for update
`;

/**
 * The schedules that use a connection, oldest first, at most $2, with their total
 * count; through schedules_connection_idx (the expression and predicate are the
 * index's, which also guarantees every stored connectionId casts to uuid). Run after
 * LOCK_CONNECTION_FOR_DELETE, at read committed: it sees every schedule committed
 * before the lock was granted. $1 connection id, $2 limit.
 */
export const SCHEDULES_USING_CONNECTION = `
select id, count(*) over ()::int as total
from schedules
where trigger ? 'connectionId'
and ((trigger ->> 'connectionId')::uuid) = $1::uuid
order by created_at, id
limit $2::int
`;

/**
 * DELETE ?cascade=true: the schedules that use the connection, in the delete's
 * transaction (their executions cascade, as for DELETE /schedules/:id), each with its
 * `schedule.deleted` event, leaving their owner's totals (owner_usage) as DELETE_SCHEDULE
 * does. Returns how many were deleted. $1 id, $2..$6 the event.
 */
export const DELETE_SCHEDULES_USING_CONNECTION = `
with deleted as (
delete from schedules
where trigger ? 'connectionId'
and ((trigger ->> 'connectionId')::uuid) = $1::uuid
returning id, owner, status, fires_per_hour
), totals as (
select owner, count(*)::int as schedules,
sum(case when status = 'paused' then 0 else fires_per_hour end)::bigint as fires_per_hour
from deleted
group by owner
), usage as (
update owner_usage u
set schedules = greatest(u.schedules - t.schedules, 0),
fires_per_hour = greatest(u.fires_per_hour - t.fires_per_hour, 0)
from totals t
where u.owner = t.owner
), ${auditEventCte('deleted', 2, { owner: 'deleted.owner', resourceId: 'deleted.id', scheduleId: 'deleted.id' })}
select count(*)::int as deleted from deleted
`;

/**
 * Locked by LOCK_CONNECTION_FOR_DELETE in the same transaction, with its
 * `connection.deleted` event. $1 id, $2..$6 the event.
 */
export const DELETE_CONNECTION = `
with deleted as (
delete from connections
where id = $1::uuid
returning id, owner
), ${auditEventCte('deleted', 2, { owner: 'deleted.owner', resourceId: 'deleted.id' })}
select id from deleted
`;

/** One page of GET /connections, oldest first, keyset on (created_at, id); limit + 1 rows. */
export function listConnectionsSql(query: {
  owner?: string;
  cursor?: { at: string; id?: string };
  limit: number;
}): { sql: string; params: unknown[] } {
  return ownedPageSql('connections', CONNECTION_COLUMNS, query);
}
