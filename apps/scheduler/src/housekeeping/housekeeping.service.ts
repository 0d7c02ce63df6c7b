import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { type Clock, errorMessage } from '@scheduleman/domain';
import { DATABASE_CLOCK } from '../claims/claims.providers';
import { ClaimsRepository } from '../claims/claims.repository';
import type { SchedulerConfig } from '../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../config/scheduler-config.token';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { ScheduleUpkeepRepository } from './schedule-upkeep.repository';

/** How often finished executions past the retention are pruned, ms. */
export const PRUNE_INTERVAL_MS = 5 * 60_000;
/** Rows deleted per statement (bounded work, short locks). */
export const PRUNE_BATCH_SIZE = 1_000;
/**
 * How long one pruning run may keep deleting full batches, ms. A bound in time, not in
 * batches: 50 batches per run capped retention at 167 rows/s per scheduler, below what
 * one primary fires (docs/scaling.md); at the ~5,000 rows/s a batch runs at there, a
 * fifth of each interval keeps up with about 1,000 fires/s per scheduler.
 */
export const PRUNE_TIME_BUDGET_MS = 60_000;
/** How often overdue result deadlines are swept (resultTimeout), ms: the timeout's precision. */
export const RESULT_TIMEOUT_SWEEP_INTERVAL_MS = 1_000;
/** Rows per sweep statement, and statements per sweep. */
export const RESULT_TIMEOUT_BATCH_SIZE = 1_000;
export const RESULT_TIMEOUT_MAX_BATCHES_PER_RUN = 20;
/** How often the due-backlog gauges are refreshed, ms. */
export const BACKLOG_REFRESH_INTERVAL_MS = 5_000;
/** Each backlog count stops here, so a huge backlog costs no more than a large one. */
export const BACKLOG_COUNT_CAP = 100_000;

/**
 * Periodic jobs beside the claim loop, on @nestjs/schedule: pruning old executions,
 * marking delivered executions whose result did not come in time as result_timeout, and
 * measuring the due backlog for autoscaling. Every scheduler runs them; both are cheap
 * and safe to run concurrently (SKIP LOCKED, read-only). A failure is logged and the
 * next run simply tries again.
 */
@Injectable()
export class HousekeepingService {
  private readonly logger = new Logger(HousekeepingService.name);
  private pruning = false;
  private sweeping = false;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly repository: ClaimsRepository,
    /** Database time (the engine's calibrated clock): retention and ages are measured on it. */
    @Inject(DATABASE_CLOCK) private readonly clock: Clock,
    private readonly metrics: SchedulerMetrics,
    private readonly upkeep: ScheduleUpkeepRepository,
  ) {}

  /** Deletes full batches until one comes back short or `budgetMs` (host time) is spent. */
  @Interval('prune-executions', PRUNE_INTERVAL_MS)
  async pruneExecutions(budgetMs = PRUNE_TIME_BUDGET_MS): Promise<number> {
    if (this.pruning) return 0;
    this.pruning = true;
    let deleted = 0;
    const started = performance.now();
    try {
      for (;;) {
        const n = await this.repository.pruneExecutions(
          this.clock.now(),
          this.config.executionRetentionMs,
          PRUNE_BATCH_SIZE,
        );
        deleted += n;
        if (n < PRUNE_BATCH_SIZE || performance.now() - started >= budgetMs)
          break;
      }
      if (deleted > 0)
        this.logger.log({
          msg: 'pruned finished executions',
          deleted,
          retentionMs: this.config.executionRetentionMs,
        });
    } catch (error) {
      this.metrics.databaseErrorsTotal.inc({ operation: 'prune' });
      this.logger.warn({
        msg: 'pruning failed; will retry at the next run',
        deleted,
        error: errorMessage(error),
      });
    } finally {
      this.pruning = false;
    }
    return deleted;
  }

  /**
   * Executions delivered longer than their schedule's resultTimeout ago without a
   * report become result_timeout (EXPIRE_RESULT_DEADLINES, index-backed, SKIP LOCKED so
   * every scheduler may sweep at once). Returns how many timed out.
   */
  @Interval('result-timeouts', RESULT_TIMEOUT_SWEEP_INTERVAL_MS)
  async expireResultDeadlines(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let timedOut = 0;
    try {
      for (let batch = 0; batch < RESULT_TIMEOUT_MAX_BATCHES_PER_RUN; batch++) {
        const now = this.clock.now();
        const ids = await this.repository.expireResultDeadlines(
          now,
          RESULT_TIMEOUT_BATCH_SIZE,
        );
        timedOut += ids.length;
        this.metrics.resultTimeoutsTotal.inc(ids.length);
        // The schedules' health: their latest outcome is now a result_timeout.
        await this.upkeep.recordOutcomes(
          ids.map((executionId) => ({
            executionId,
            outcome: 'result_timeout',
            at: now,
          })),
        );
        if (ids.length < RESULT_TIMEOUT_BATCH_SIZE) break;
      }
    } catch (error) {
      this.metrics.databaseErrorsTotal.inc({ operation: 'result_timeouts' });
      this.logger.warn({
        msg: 'result timeout sweep failed; will retry at the next run',
        error: errorMessage(error),
      });
    } finally {
      this.sweeping = false;
    }
    return timedOut;
  }

  @Interval('due-backlog', BACKLOG_REFRESH_INTERVAL_MS)
  async refreshDueBacklog(): Promise<void> {
    try {
      const now = this.clock.now();
      const backlog = await this.repository.countDueBacklog(
        now,
        BACKLOG_COUNT_CAP,
      );
      this.metrics.dueBacklog.set(
        { kind: 'executions' },
        backlog.overdueExecutions,
      );
      this.metrics.dueBacklog.set(
        { kind: 'expired_leases' },
        backlog.expiredLeases,
      );
      this.metrics.dueBacklog.set(
        { kind: 'schedules' },
        backlog.overdueSchedules,
      );
      const ageMs = backlog.oldestDueAt
        ? Math.max(0, now.getTime() - backlog.oldestDueAt.getTime())
        : 0;
      this.metrics.oldestOverdueAgeSeconds.set(ageMs / 1_000);
    } catch (error) {
      this.metrics.databaseErrorsTotal.inc({ operation: 'backlog' });
      this.logger.debug({
        msg: 'could not measure the due backlog',
        error: errorMessage(error),
      });
    }
  }
}
