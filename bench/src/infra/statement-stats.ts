import * as persistence from '@scheduleman/domain/persistence';
import { Client } from 'pg';

export interface StatementRow {
  /** The claims.sql.ts constant this statement is, or its first words. */
  name: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
}

export interface StatementSummary {
  /** Every statement the apps ran on the run's database since the reset. */
  calls: number;
  totalMs: number;
  top: StatementRow[];
}

function normalise(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

/**
 * pg_stat_statements replaces literals (strings, numbers, null, true, false) with $n,
 * numbered after the statement's own parameters ('pending' becomes $6), so both sides
 * are compared with every parameter and literal blanked out.
 */
export function canonical(sql: string): string {
  return normalise(
    sql
      .replace(/'(?:[^']|'')*'/g, '?')
      .replace(/\$\d+/g, '?')
      .replace(/\b(\d+|null|true|false)\b/gi, '?'),
  );
}

/**
 * The scheduler's statements by the name of their constant in claims.sql.ts, so the
 * tables say `CLAIM_DUE` rather than a truncated query. The benchmark imports the same
 * constants the scheduler runs, so the text pg_stat_statements records matches exactly.
 */
const KNOWN_STATEMENTS = new Map<string, string>();
for (const [name, value] of Object.entries(persistence) as [
  string,
  unknown,
][]) {
  if (
    typeof value === 'string' &&
    /^\s*(with|select|insert|update|delete)\b/i.test(value)
  )
    KNOWN_STATEMENTS.set(canonical(value), name);
}

function nameOf(query: string): string {
  const text = normalise(query);
  return (
    KNOWN_STATEMENTS.get(canonical(query)) ??
    (text.length > 70 ? `${text.slice(0, 67)}...` : text)
  );
}

/**
 * pg_stat_statements for one database, when the server has it loaded (the harness's
 * embedded server does; a plain server usually does not, and then the tables say n/a).
 */
export class StatementStats {
  private constructor(private readonly databaseUrl: string) {}

  static async open(databaseUrl: string): Promise<StatementStats | undefined> {
    const stats = new StatementStats(databaseUrl);
    try {
      await stats.query('create extension if not exists pg_stat_statements');
      await stats.query('select 1 from pg_stat_statements limit 1');
      return stats;
    } catch {
      return undefined;
    }
  }

  /** Forgets everything counted so far (server-wide: runs never overlap). */
  async reset(): Promise<void> {
    await this.query('select pg_stat_statements_reset()');
  }

  async summary(top = 8): Promise<StatementSummary> {
    const rows = await this.query<{
      query: string;
      calls: string;
      total_ms: number;
      mean_ms: number;
      rows: string;
    }>(`
select query, calls, total_exec_time as total_ms, mean_exec_time as mean_ms, rows
from pg_stat_statements
where dbid = (select oid from pg_database where datname = current_database())
and query not ilike '%pg_stat_statements%'
order by total_exec_time desc`);
    const all = rows.map((r) => ({
      name: nameOf(r.query),
      calls: Number(r.calls),
      totalMs: r.total_ms,
      meanMs: r.mean_ms,
      rows: Number(r.rows),
    }));
    return {
      calls: all.reduce((sum, r) => sum + r.calls, 0),
      totalMs: all.reduce((sum, r) => sum + r.totalMs, 0),
      top: all.slice(0, top),
    };
  }

  private async query<T>(sql: string): Promise<T[]> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }
}
