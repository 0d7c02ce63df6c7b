/**
 * Jittered exponential backoff for database calls that failed. "Equal jitter": half the
 * delay is fixed, half random, so a fleet of schedulers that lost the database together
 * neither reconnects in lockstep nor hammers it with near-zero delays.
 */
export interface BackoffOptions {
  /** Delay after the first failure, in milliseconds. */
  initialMs: number;
  /** Upper bound on any delay, in milliseconds. */
  maxMs: number;
}

/** Database retries: 100 ms, 200 ms, … capped at 5 s (each ± jitter). */
export const DEFAULT_DB_BACKOFF: BackoffOptions = {
  initialMs: 100,
  maxMs: 5_000,
};

/** The delay before retrying after `failures` consecutive failures (1 = the first). */
export function backoffDelayMs(
  failures: number,
  options: BackoffOptions = DEFAULT_DB_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

// Serialization failure, deadlock, cannot connect now (starting up / shutting down),
// admin shutdown, crash shutdown, too many connections, connection exceptions (08xxx).
const TRANSIENT_SQLSTATES = new Set([
  '40001',
  '40P01',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/**
 * Whether a database error is the kind that goes away by itself (lost connection,
 * failover, lock conflict) rather than a bug. Callers retry both (a loop must not die),
 * but log a non-transient error loudly.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (
    current !== null &&
    typeof current === 'object' &&
    !seen.has(current)
  ) {
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (TRANSIENT_SQLSTATES.has(code) ||
        code.startsWith('08') ||
        TRANSIENT_NODE_CODES.has(code))
    )
      return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        message,
      )
    )
      return true;
    // TypeORM wraps the driver's error in QueryFailedError.driverError.
    current =
      (current as { driverError?: unknown; cause?: unknown }).driverError ??
      (current as { cause?: unknown }).cause;
  }
  return false;
}
