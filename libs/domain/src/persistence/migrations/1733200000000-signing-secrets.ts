import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-owner signing secrets (docs/security.md, "Signed deliveries and rotating signing
 * secrets"). `secret` is the `whsec_…` text sealed with SECRETS_KEY (SecretBox, context
 * `signing-secret:<id>`), or the text as given when the API runs without SECRETS_KEY
 * (AUTH_DISABLED). `fingerprint` is a short hash of the text, to tell secrets apart in
 * lists without opening them. Retiring sets `retired_at`: the row stays for the audit
 * trail and stops signing.
 */
export class SigningSecrets1733200000000 implements MigrationInterface {
  name = 'SigningSecrets1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
create table signing_secrets (
  id uuid primary key,
  owner text not null,
  secret text not null,
  fingerprint text not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
)`);
    // The schedulers' lookup of an owner's active secrets (and the API's cap on them):
    // only active rows, so retired ones never slow it down.
    await q.query(
      `create index signing_secrets_active_idx on signing_secrets (owner, created_at, id) where retired_at is null`,
    );
    // GET /signing-secrets: keyset pagination, all owners or one.
    await q.query(
      `create index signing_secrets_list_idx on signing_secrets (created_at, id)`,
    );
    await q.query(
      `create index signing_secrets_owner_list_idx on signing_secrets (owner, created_at, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table signing_secrets`);
  }
}
