import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type DataSourceOptions } from 'typeorm';

/** How long a process keeps trying to reach the database at start-up before giving up. */
export const DEFAULT_STARTUP_RETRY_MS = 60_000;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

const logger = new Logger('Database');

/**
 * Opens a DataSource, retrying with exponential backoff for at most `budgetMs`.
 *
 * Why not crash and let the orchestrator restart us: when the database and the apps
 * start together (docker compose up, a fresh cluster), a crash loop floods the logs
 * and backs off unpredictably. A bounded wait with one clear line per attempt says
 * exactly what is wrong, and still ends in a non-zero exit if the database never comes.
 *
 * A fresh DataSource per attempt: a failed `initialize()` may leave a half-built pool.
 */
export async function connectWithRetry(
  options: DataSourceOptions,
  budgetMs = DEFAULT_STARTUP_RETRY_MS,
): Promise<DataSource> {
  // performance.now() is monotonic: wall-clock jumps must not stretch or cut the budget.
  const deadline = performance.now() + budgetMs;
  let backoffMs = FIRST_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    const dataSource = new DataSource(options);
    try {
      await dataSource.initialize();
      if (attempt > 1) logger.log({ msg: 'database reachable', attempt });
      return dataSource;
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      const remainingMs = deadline - performance.now();
      const reason = error instanceof Error ? error.message : String(error);
      if (remainingMs <= 0) {
        logger.error({
          msg: 'database unreachable, giving up',
          attempt,
          budgetMs,
          reason,
        });
        throw error;
      }
      const waitMs = Math.min(backoffMs, remainingMs);
      logger.warn({
        msg: 'database not reachable yet, retrying',
        attempt,
        retryInMs: Math.round(waitMs),
        reason,
      });
      await sleep(waitMs);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
  }
}
