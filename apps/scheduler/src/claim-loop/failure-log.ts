import type { LoggerService } from '@nestjs/common';
import type { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { isTransientDatabaseError } from './backoff';

/** While an outage lasts, log every this-many-th failure of an operation, not each one. */
const LOG_EVERY_NTH_FAILURE = 20;

/**
 * Counts consecutive failures of one periodic database operation and logs them without
 * flooding: the first failure, then every 20th, and the recovery. A failure that is not
 * a transient database error (a bug, not an outage) is logged every time, as an error.
 */
export class FailureLog {
  private failures = 0;

  constructor(
    private readonly operation: string,
    private readonly logger?: LoggerService,
    private readonly metrics?: SchedulerMetrics,
  ) {}

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Records a failure; returns the number of consecutive failures so far. */
  failed(error: unknown, fields: Record<string, unknown> = {}): number {
    this.failures += 1;
    this.metrics?.databaseErrorsTotal.inc({ operation: this.operation });
    const transient = isTransientDatabaseError(error);
    if (!transient) {
      this.logger?.error(
        {
          msg: `${this.operation} failed; will retry`,
          failures: this.failures,
          error: describe(error),
          ...fields,
        },
        'ClaimLoop',
      );
    } else if (
      this.failures === 1 ||
      this.failures % LOG_EVERY_NTH_FAILURE === 0
    ) {
      this.logger?.warn(
        {
          msg: `${this.operation} failed (database unreachable?); will retry`,
          failures: this.failures,
          error: describe(error),
          ...fields,
        },
        'ClaimLoop',
      );
    }
    return this.failures;
  }

  succeeded(): void {
    if (this.failures > 0)
      this.logger?.log(
        { msg: `${this.operation} works again`, afterFailures: this.failures },
        'ClaimLoop',
      );
    this.failures = 0;
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
