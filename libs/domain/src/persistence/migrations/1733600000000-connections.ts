import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Connections to message brokers (architecture.md, "Connections and broker triggers").
 * The URL may carry credentials: `url_sealed` is the SecretBox seal of the full URL
 * (context `connection:<id>:url`; the URL as given when the API runs without
 * SECRETS_KEY), `url_masked` the same URL with any password replaced, for answers and
 * logs. A connection belongs to an owner and is usable only by that owner's schedules.
 */
export class Connections1733600000000 implements MigrationInterface {
  name = 'Connections1733600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
create table connections (
  id uuid primary key,
  owner text,
  name text not null,
  type text not null,
  url_sealed text not null,
  url_masked text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint connections_type_check check (type in ('amqp', 'nats', 'redis', 'mqtt', 'kafka'))
)`);
    // One name per owner (owner-less connections, made by an admin, share one namespace).
    await q.query(
      `create unique index connections_owner_name_key on connections (coalesce(owner, ''), name)`,
    );
    // GET /connections: keyset pagination, all owners or one.
    await q.query(
      `create index connections_owner_list_idx on connections (owner, created_at, id)`,
    );
    await q.query(
      `create index connections_list_idx on connections (created_at, id)`,
    );
    // "Which schedules use this connection" (DELETE refuses while any does).
    await q.query(
      `create index schedules_connection_idx on schedules (((trigger ->> 'connectionId')::uuid)) where trigger ? 'connectionId'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index schedules_connection_idx`);
    await q.query(`drop table connections`);
  }
}
