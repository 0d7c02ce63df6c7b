import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's logger for every app: failed queries are logged as one JSON line with the
 * statement (its first 300 characters) and the error, **never the parameters**. The
 * built-in loggers print the parameters of a failed query, and those can be secrets
 * (sealed values, a key hash, a connection URL); docs/security.md promises logs never
 * hold them. Everything else TypeORM would log is off (we log our own events).
 */
export class ParameterFreeQueryLogger implements TypeOrmLogger {
  constructor(
    private readonly write: (line: string) => void = (line) => {
      process.stderr.write(`${line}\n`);
    },
  ) {}

  logQueryError(
    error: string | Error,
    query: string,
    parameters?: unknown[],
  ): void {
    this.write(
      JSON.stringify({
        level: 'error',
        context: 'TypeORM',
        msg: 'query failed',
        error: typeof error === 'string' ? error : error.message,
        query: textOf(query).replace(/\s+/g, ' ').trim().slice(0, 300),
        parameterCount: Array.isArray(parameters) ? parameters.length : 0,
      }),
    );
  }

  logQuery(): void {
    // Off: statements are not logged one by one.
  }

  logQuerySlow(): void {
    // Off: slow statements show in pg_stat_statements and the metrics.
  }

  logSchemaBuild(): void {
    // No schema sync: migrations only.
  }

  logMigration(): void {
    // Migrations report through migrate.ts.
  }

  log(): void {
    // Off.
  }
}

/** A named prepared statement reaches the logger as node-postgres's QueryConfig, not text. */
function textOf(query: unknown): string {
  if (typeof query === 'string') return query;
  const text = (query as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : String(query);
}
