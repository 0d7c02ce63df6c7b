import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys (docs/security.md). A key is stored only as its SHA-256 (`key_hash`, looked
 * up on every request through its unique index) and the first characters of its text
 * (`key_prefix`), to tell keys apart in lists. Revoking sets `revoked_at`: the row stays
 * for the audit trail, and the next request with the key is refused.
 */
export class ApiKeys1733100000000 implements MigrationInterface {
  name = 'ApiKeys1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
create table api_keys (
  id uuid primary key,
  name text,
  owner text not null,
  scopes text[] not null,
  key_hash bytea not null,
  key_prefix text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  constraint api_keys_hash_key unique (key_hash),
  constraint api_keys_scopes_check check (cardinality(scopes) > 0)
)`);
    // GET /api-keys: keyset pagination, all owners or one.
    await q.query(
      `create index api_keys_list_idx on api_keys (created_at, id)`,
    );
    await q.query(
      `create index api_keys_owner_list_idx on api_keys (owner, created_at, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table api_keys`);
  }
}
