/**
 * What the apps ask of the database server beyond plain SQL (docs/scaling.md):
 * - `full` (the default): PostgreSQL's LISTEN/NOTIFY wakes the schedulers when the API
 *   stores work due within seconds, and migrations are serialised by a session-level
 *   advisory lock.
 * - `portable`: neither. The API sends no NOTIFY and the schedulers hold no LISTEN
 *   connection (they find work by polling, every POLL_INTERVAL_MS, which the look-ahead
 *   already covers), and migrations are serialised by a row lock in scheduleman_locks.
 *   For servers that speak PostgreSQL's protocol without those features (CockroachDB,
 *   YugabyteDB) and for transaction-pooling proxies.
 * Set by `DATABASE_FEATURES` on the API and the schedulers, the same value on all.
 */
export const DATABASE_FEATURES = ['full', 'portable'] as const;
export type DatabaseFeatures = (typeof DATABASE_FEATURES)[number];
export const DEFAULT_DATABASE_FEATURES: DatabaseFeatures = 'full';

/**
 * Named locks that need no advisory-lock functions: a transaction that upserts the row
 * of a name holds that row's lock until it ends, so transactions taking the same name
 * run one after another and other names never wait. Created by the migration lock
 * (before any migration runs) and by migration 1734500000000, whichever comes first.
 */
export const CREATE_LOCKS_TABLE = `
create table if not exists scheduleman_locks (
  name text primary key,
  taken_at timestamptz not null default now()
)
`;

/** Takes the lock of $1 until the transaction ends (waits while another holds it). */
export const TAKE_NAMED_LOCK = `
insert into scheduleman_locks (name) values ($1::text)
on conflict (name) do update set taken_at = now()
`;
