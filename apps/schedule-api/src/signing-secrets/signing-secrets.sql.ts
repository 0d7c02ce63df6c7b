import { TAKE_NAMED_LOCK } from '@scheduleman/domain/persistence';
import { auditEventCte } from '../audit/audit-events.sql';
import { ownedPageSql } from '../http/owned-page.sql';
/**
 * Every statement of schedule-api on signing_secrets (migration 1733200000000),
 * conventions as in schedules.sql.ts. No statement here selects the `secret` column:
 * the API writes it once and only the schedulers read it back.
 *
 * Owner scoping is in the SQL: `$n::text is null` for a caller that sees every owner,
 * otherwise a row of another owner is not found (a 404, never a 403 that confirms it).
 */

const SIGNING_SECRET_COLUMNS = `id, owner, fingerprint, created_at, retired_at,
to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_at_key`;

/**
 * Serialises the creations of one owner's secrets until the transaction ends, so that
 * the cap below counts every secret committed before this one (two concurrent POSTs
 * cannot both pass it). Keyed on the owner's text, so other owners never wait. A row
 * lock in scheduleman_locks, not an advisory lock, so that it runs on servers without
 * advisory locks too (docs/scaling.md).
 * $1 signingSecretsLockName(owner).
 */
export const LOCK_OWNER_SIGNING_SECRETS = TAKE_NAMED_LOCK;

/** The scheduleman_locks name of one owner's signing secrets. */
export function signingSecretsLockName(owner: string): string {
  return `signing_secrets:${owner}`;
}

/**
 * Inserts a secret unless the owner already has $5 active ones (no row returned then,
 * and no event), with its `signing_secret.created` event.
 * Runs after LOCK_OWNER_SIGNING_SECRETS in the same transaction; the count reads
 * signing_secrets_active_idx.
 * $1 id, $2 owner, $3 secret (sealed), $4 fingerprint, $5 the cap, $6..$10 the event.
 */
export const INSERT_SIGNING_SECRET = `
with inserted as (
insert into signing_secrets (id, owner, secret, fingerprint)
select $1::uuid, $2::text, $3::text, $4::text
where (
select count(*) from signing_secrets
where owner = $2::text and retired_at is null
) < $5::int
returning ${SIGNING_SECRET_COLUMNS}
), ${auditEventCte('inserted', 6, { owner: 'inserted.owner', resourceId: 'inserted.id' })}
select * from inserted
`;

/** $1 id, $2 the caller's owner (null: every owner). */
export const SELECT_SIGNING_SECRET = `
select ${SIGNING_SECRET_COLUMNS}
from signing_secrets
where id = $1::uuid
and ($2::text is null or owner = $2::text)
`;

/**
 * Retires a secret: the schedulers stop signing with it within their cache time
 * (docs/security.md). Retiring twice keeps the first instant, and only the first
 * records `signing_secret.retired` (the lock as in REVOKE_API_KEY).
 * $1 id, $2 the caller's owner (null: every owner), $3..$7 the event.
 */
export const RETIRE_SIGNING_SECRET = `
with target as (
select id as target_id, retired_at is null as first_retire
from signing_secrets
where id = $1::uuid
and ($2::text is null or owner = $2::text)
for update
), retired as (
update signing_secrets
set retired_at = coalesce(retired_at, now())
from target
where id = target_id
returning ${SIGNING_SECRET_COLUMNS}, first_retire
), ${auditEventCte('retired where retired.first_retire', 3, { owner: 'retired.owner', resourceId: 'retired.id' })}
select * from retired
`;

/**
 * One page of GET /signing-secrets, oldest first, keyset on (created_at, id); limit + 1
 * rows. signing_secrets_list_idx, or signing_secrets_owner_list_idx with an owner.
 */
export function listSigningSecretsSql(query: {
  owner?: string;
  cursor?: { at: string; id?: string };
  limit: number;
}): { sql: string; params: unknown[] } {
  return ownedPageSql('signing_secrets', SIGNING_SECRET_COLUMNS, query);
}
