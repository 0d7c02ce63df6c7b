import type { DataSource, EntityManager } from 'typeorm';

/**
 * A hot statement that PostgreSQL parses and plans once per connection instead of on
 * every call: a named prepared statement of the extended protocol. node-postgres sends
 * Parse for a name the first time a connection sees it and only Bind/Execute after, and
 * TypeORM's PostgreSQL query runner hands the query to node-postgres as it is, so a
 * `{ name, text, values }` QueryConfig goes through `query()` with TypeORM's
 * transactions, error wrapping and logging unchanged. Measured in docs/performance.md
 * ("Single creation"): the creation statement's server CPU fell from ~1.1 to ~0.5 ms.
 *
 * Named statements are session state: a PgBouncer in transaction mode before 1.21
 * (Debian's 1.18) would run the Bind on a server connection that never saw the Parse.
 * `DB_PREPARED_STATEMENTS=false` sends the same text as an unnamed statement instead.
 */
export interface PreparedStatement {
  /** Unique per text in a process: node-postgres refuses one name for two texts. */
  readonly name: string;
  readonly text: string;
}

/** Anything that runs SQL: the DataSource, or the manager of an open transaction. */
export type SqlRunner = Pick<EntityManager, 'query'>;

/** Whether each DataSource made by DatabaseModule uses named statements (true for any other). */
const PREPARED = new WeakMap<DataSource, boolean>();

export function setPreparedStatements(
  dataSource: DataSource,
  enabled: boolean,
): void {
  PREPARED.set(dataSource, enabled);
}

export function preparedStatementsOf(dataSource: DataSource): boolean {
  return PREPARED.get(dataSource) ?? true;
}

/**
 * Named statements for a set of texts: `{ CLAIM_DUE: text }` with prefix `scheduler`
 * names CLAIM_DUE's `scheduler_claim_due`, so a repository keeps its statements under
 * the names of their texts and no two texts share a name.
 */
export function namedStatements<K extends string>(
  prefix: string,
  texts: Record<K, string>,
): Record<K, PreparedStatement> {
  const named = {} as Record<K, PreparedStatement>;
  for (const key of Object.keys(texts) as K[])
    named[key] = { name: `${prefix}_${key.toLowerCase()}`, text: texts[key] };
  return named;
}

/**
 * What to hand to a TypeORM or node-postgres `query()`: the statement as a named
 * QueryConfig when `prepared`, else its plain text (a fresh parse and plan, as every
 * other statement). TypeORM types the query as a string; node-postgres also takes a
 * QueryConfig, and the parameters given beside it become its values.
 */
export function preparedQuery(
  statement: PreparedStatement,
  prepared: boolean,
): string {
  if (!prepared) return statement.text;
  const config = { name: statement.name, text: statement.text };
  return config as unknown as string;
}

/** Runs `statement` on `db` with `params`: named when `prepared`, else as plain text. */
export function queryPrepared<T>(
  db: SqlRunner,
  statement: PreparedStatement,
  params: unknown[],
  prepared: boolean,
): Promise<T> {
  return db.query(preparedQuery(statement, prepared), params);
}
