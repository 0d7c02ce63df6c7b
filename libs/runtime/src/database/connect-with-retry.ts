import { Logger } from '@nestjs/common';
import {
  type BackoffOptions,
  backoffDelayMs,
  errorMessage,
} from '@scheduleman/domain';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type DataSourceOptions } from 'typeorm';

/** How long a process keeps trying to reach the database at start-up before giving up. */
export const DEFAULT_STARTUP_RETRY_MS = 60_000;
/** Start-up reconnects: 250 ms, 500 ms, … capped at 5 s, each with the shared jitter. */
const STARTUP_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 5_000 };

const logger = new Logger('Database');

/**
 * Opens a DataSource, retrying with jittered exponential backoff for at most `budgetMs`
 * (the jitter keeps a fleet that lost the database together from reconnecting in step).
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
  for (let attempt = 1; ; attempt++) {
    const dataSource = new DataSource(options);
    try {
      await dataSource.initialize();
      if (attempt > 1) logger.log({ msg: 'database reachable', attempt });
      return dataSource;
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      const remainingMs = deadline - performance.now();
      const reason = errorMessage(error);
      if (remainingMs <= 0) {
        logger.error({
          msg: 'database unreachable, giving up',
          attempt,
          budgetMs,
          reason,
        });
        throw error;
      }
      const waitMs = Math.min(
        backoffDelayMs(attempt, STARTUP_BACKOFF),
        remainingMs,
      );
      logger.warn({
        msg: 'database not reachable yet, retrying',
        attempt,
        retryInMs: Math.round(waitMs),
        reason,
      });
      await sleep(waitMs);
    }
  }
}
