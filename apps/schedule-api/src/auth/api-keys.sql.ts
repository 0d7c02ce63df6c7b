import { auditEventCte } from '../audit/audit-events.sql';
import { ownedPageSql } from '../http/owned-page.sql';
/**
 * Every statement on api_keys (migration 1733100000000), conventions as in
 * schedules.sql.ts. A key is found by its SHA-256 through api_keys_hash_key.
 */

const API_KEY_COLUMNS = `id, name, owner, scopes, key_prefix, created_at, expires_at, revoked_at,
to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_at_key`;

/**
 * With its `api_key.created` event. $1 id, $2 name, $3 owner, $4 scopes, $5 key hash,
 * $6 key prefix, $7 expires at, $8..$12 the event.
 */
export const INSERT_API_KEY = `
with inserted as (
insert into api_keys (id, name, owner, scopes, key_hash, key_prefix, expires_at)
values ($1::uuid, $2::text, $3::text, $4::text[], $5::bytea, $6::text, $7::timestamptz)
returning ${API_KEY_COLUMNS}
), ${auditEventCte('inserted', 8, { owner: 'inserted.owner', resourceId: 'inserted.id' })}
select * from inserted
`;

/**
 * Authentication, once per request: the key with this hash and whether it is usable
 * now by the database clock (the clock every expiry is compared with). $1 key hash.
 */
export const AUTHENTICATE_API_KEY = `
select id, owner, scopes, expires_at,
revoked_at is not null as revoked,
expires_at is not null and expires_at <= now() as expired
from api_keys
where key_hash = $1::bytea
`;

/**
 * Revokes at once; revoking twice keeps the first instant, and only the first records
 * `api_key.revoked`. `target` locks the row and reads whether it was still usable: a
 * concurrent revoke waits for the lock, then reads the committed revoked_at, so only
 * one of two racing revokes records the event. $1 id, $2..$6 the event.
 */
export const REVOKE_API_KEY = `
with target as (
select id as target_id, revoked_at is null as first_revoke
from api_keys
where id = $1::uuid
for update
), revoked as (
update api_keys
set revoked_at = coalesce(revoked_at, now())
from target
where id = target_id
returning ${API_KEY_COLUMNS}, first_revoke
), ${auditEventCte('revoked where revoked.first_revoke', 2, { owner: 'revoked.owner', resourceId: 'revoked.id' })}
select * from revoked
`;

export const SELECT_API_KEY = `
select ${API_KEY_COLUMNS}
from api_keys
where id = $1::uuid
`;

/** One page of GET /api-keys, oldest first, keyset on (created_at, id); limit + 1 rows. */
export function listApiKeysSql(query: {
  owner?: string;
  cursor?: { at: string; id?: string };
  limit: number;
}): { sql: string; params: unknown[] } {
  return ownedPageSql('api_keys', API_KEY_COLUMNS, query);
}
