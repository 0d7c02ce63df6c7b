/**
 * The one table of database errors that are not bugs: what "try again" means for
 * PostgreSQL (SQLSTATE codes), for node-postgres (socket errnos) and for the pool (its
 * own messages). Two questions are asked of it:
 *
 * - `isTransientDatabaseError`: will it go away by itself? Every entry. The scheduler's
 *   loops retry everything (a loop must not die) and use this only to log an outage
 *   quietly but a bug loudly; the API reruns a transaction that failed this way.
 * - `isDatabaseUnavailable`: should the API answer 503 + Retry-After (the client may try
 *   again) instead of 500? Only the `unavailable` entries. A `conflict` that reaches the
 *   exception filter has survived the API's own transaction reruns: a race that keeps
 *   recurring is a bug to log as an error (500), not an outage.
 *
 * Why each code is here:
 * - conflict: the server rolled the transaction back because it lost a race, and
 *   running it again is the documented remedy: 40001 serialization failure, 40P01
 *   deadlock.
 * - unavailable: the database cannot serve right now: the whole class 08 (connection
 *   exceptions), 53300 too many connections, 57P01 admin shutdown, 57P02 crash shutdown,
 *   57P03 cannot connect now (starting up or shutting down), and 57014 query cancelled
 *   (statement timeout or pg_cancel_backend: the server was too slow, not the query
 *   wrong). Socket errors and the pool's connect timeout mean the same.
 */
export type DatabaseErrorKind = 'conflict' | 'unavailable';

const SQLSTATE_KINDS: ReadonlyMap<string, DatabaseErrorKind> = new Map([
  ['40001', 'conflict'],
  ['40P01', 'conflict'],
  ['53300', 'unavailable'],
  ['57014', 'unavailable'],
  ['57P01', 'unavailable'],
  ['57P02', 'unavailable'],
  ['57P03', 'unavailable'],
]);
/** SQLSTATE class 08: connection exception (08000, 08001, 08003, 08004, 08006, …). */
const CONNECTION_EXCEPTION_CLASS = '08';
const UNAVAILABLE_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
/** node-postgres and TypeORM say "connection lost" in words, without a code. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established/i;

/**
 * What kind of passing trouble `error` is, or undefined for anything else (a bug, bad
 * SQL, a constraint). Looks through TypeORM's `driverError` and any `cause` chain.
 */
export function databaseErrorKind(
  error: unknown,
): DatabaseErrorKind | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (
    current !== null &&
    typeof current === 'object' &&
    !seen.has(current)
  ) {
    seen.add(current);
    const { code, message, driverError, cause } = current as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string') {
      const kind = SQLSTATE_KINDS.get(code);
      if (kind) return kind;
      if (
        code.startsWith(CONNECTION_EXCEPTION_CLASS) ||
        UNAVAILABLE_ERRNOS.has(code)
      )
        return 'unavailable';
    }
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message))
      return 'unavailable';
    current = driverError ?? cause;
  }
  return undefined;
}

/** Whether a database error goes away by itself (see the table above): retry it. */
export function isTransientDatabaseError(error: unknown): boolean {
  return databaseErrorKind(error) !== undefined;
}

/** Whether the database cannot serve right now: the API answers 503 + Retry-After. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return databaseErrorKind(error) === 'unavailable';
}
