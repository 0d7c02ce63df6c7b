import type { LoggerService } from '@nestjs/common';
import {
  type BackoffOptions,
  backoffDelayMs,
  errorMessage,
} from '@scheduleman/domain';
import { isTransientDatabaseError } from '@scheduleman/runtime';
import type { SchedulerMetrics } from '../metrics/scheduler.metrics';

/** While an outage lasts, log every this-many-th failure of an operation, not each one. */
const LOG_EVERY_NTH_FAILURE = 20;

/** The scheduler's database retries: 100 ms, 200 ms, … capped at 5 s (with jitter). */
export const DATABASE_RETRY_BACKOFF: BackoffOptions = {
  initialMs: 100,
  maxMs: 5_000,
};

export interface FailureLogOptions {
  /** What failed, in words: "claim round", "renewing leases", … */
  operation: string;
  /** The logger context (the class that runs the operation). */
  context: string;
  logger?: LoggerService;
  metrics?: SchedulerMetrics;
  /**
   * Which failures are an outage (logged quietly) rather than a bug (logged as an error
   * every time). Default: transient database errors (database-errors.ts).
   */
  isOutage?: (error: unknown) => boolean;
  random?: () => number;
}

/**
 * Counts consecutive failures of one periodic database operation and logs them without
 * flooding: the first failure, then every 20th, and the recovery. A failure that is not
 * an outage (a bug) is logged every time, as an error. Also says how long to wait before
 * the next try.
 */
export class FailureLog {
  private failures = 0;

  constructor(private readonly options: FailureLogOptions) {}

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Records a failure; returns the number of consecutive failures so far. */
  failed(error: unknown, fields: Record<string, unknown> = {}): number {
    const { operation, context, logger, metrics } = this.options;
    this.failures += 1;
    metrics?.databaseErrorsTotal.inc({ operation });
    const isOutage = this.options.isOutage ?? isTransientDatabaseError;
    if (!isOutage(error)) {
      logger?.error(
        {
          msg: `${operation} failed; will retry`,
          failures: this.failures,
          error: errorMessage(error),
          ...fields,
        },
        context,
      );
    } else if (
      this.failures === 1 ||
      this.failures % LOG_EVERY_NTH_FAILURE === 0
    ) {
      logger?.warn(
        {
          msg: `${operation} failed (database unreachable?); will retry`,
          failures: this.failures,
          error: errorMessage(error),
          ...fields,
        },
        context,
      );
    }
    return this.failures;
  }

  succeeded(): void {
    if (this.failures > 0)
      this.options.logger?.log(
        {
          msg: `${this.options.operation} works again`,
          afterFailures: this.failures,
        },
        this.options.context,
      );
    this.failures = 0;
  }

  /** How long to wait before the next try: the shared jittered backoff over the failures so far. */
  retryDelayMs(): number {
    return backoffDelayMs(
      this.failures,
      DATABASE_RETRY_BACKOFF,
      this.options.random,
    );
  }
}
