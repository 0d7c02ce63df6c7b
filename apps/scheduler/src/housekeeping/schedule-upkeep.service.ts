import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { type Clock, errorMessage, LATE_AFTER_MS } from '@scheduleman/domain';
import { DATABASE_CLOCK } from '../claims/claims.providers';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { ScheduleUpkeepRepository } from './schedule-upkeep.repository';

/** How often ended pauses are resumed, ms: how late after pausedUntil a schedule resumes at most (plus a plan round). */
export const PAUSE_END_SWEEP_INTERVAL_MS = 1_000;
/** How often buffered occurrences whose previous execution finished are released, ms. */
export const BUFFER_RELEASE_INTERVAL_MS = 1_000;
/** Rows per sweep statement, and statements per sweep (bounded work, short locks). */
export const UPKEEP_BATCH_SIZE = 500;
export const UPKEEP_MAX_BATCHES_PER_RUN = 10;
/** How often the health gauge is counted, ms. */
export const HEALTH_REFRESH_INTERVAL_MS = 15_000;
/** The health count reads at most this many candidate schedules. */
export const HEALTH_COUNT_CAP = 100_000;

/**
 * The sweeps that keep schedules' time policies going without anyone calling the API:
 * a `pausedUntil` that passed resumes its schedule (with a history entry), a buffered
 * occurrence (overlapPolicy buffer_one) whose previous execution finished becomes due
 * (the API also releases at once after a result report; this catches every other way an
 * execution finishes: a failed delivery, a result timeout), and the health gauge.
 * Every scheduler runs them; each is bounded, index-backed and SKIP LOCKED. A failure is
 * logged and the next run tries again.
 */
@Injectable()
export class ScheduleUpkeepService {
  private readonly logger = new Logger(ScheduleUpkeepService.name);
  private readonly busy = new Set<string>();

  constructor(
    private readonly upkeep: ScheduleUpkeepRepository,
    /** Database time (the engine's calibrated clock). */
    @Inject(DATABASE_CLOCK) private readonly clock: Clock,
    private readonly metrics: SchedulerMetrics,
  ) {}

  /** Resumes schedules whose pausedUntil passed; returns how many. */
  @Interval('pause-ends', PAUSE_END_SWEEP_INTERVAL_MS)
  resumeEndedPauses(): Promise<number> {
    return this.sweep('pause_ends', async () => {
      const n = await this.upkeep.resumeEndedPauses(
        this.clock.now(),
        UPKEEP_BATCH_SIZE,
      );
      this.metrics.pausesEndedTotal.inc(n);
      return n;
    });
  }

  /** Makes due the buffered occurrences whose previous execution finished; returns how many. */
  @Interval('buffer-release', BUFFER_RELEASE_INTERVAL_MS)
  releaseBuffered(): Promise<number> {
    return this.sweep('buffer_release', async () => {
      const n = await this.upkeep.releaseBuffered(
        this.clock.now(),
        UPKEEP_BATCH_SIZE,
      );
      this.metrics.bufferedReleasedTotal.inc(n);
      return n;
    });
  }

  /** Counts schedules by health into scheduleman_schedules{health}. */
  @Interval('schedule-health', HEALTH_REFRESH_INTERVAL_MS)
  async refreshHealth(): Promise<void> {
    try {
      const counts = await this.upkeep.countHealth(
        this.clock.now(),
        HEALTH_COUNT_CAP,
        LATE_AFTER_MS,
      );
      this.metrics.schedulesByHealth.set({ health: 'silent' }, counts.silent);
      this.metrics.schedulesByHealth.set({ health: 'failing' }, counts.failing);
      this.metrics.schedulesByHealth.set({ health: 'late' }, counts.late);
    } catch (error) {
      this.metrics.databaseErrorsTotal.inc({ operation: 'schedule_health' });
      this.logger.debug({
        msg: 'could not count schedule health',
        error: errorMessage(error),
      });
    }
  }

  /** Runs `batch` until it returns less than a full batch (at most UPKEEP_MAX_BATCHES_PER_RUN times), one run at a time. */
  private async sweep(
    operation: string,
    batch: () => Promise<number>,
  ): Promise<number> {
    if (this.busy.has(operation)) return 0;
    this.busy.add(operation);
    let total = 0;
    try {
      for (let i = 0; i < UPKEEP_MAX_BATCHES_PER_RUN; i++) {
        const n = await batch();
        total += n;
        if (n < UPKEEP_BATCH_SIZE) break;
      }
    } catch (error) {
      this.metrics.databaseErrorsTotal.inc({ operation });
      this.logger.warn({
        msg: `${operation} sweep failed; will retry at the next run`,
        error: errorMessage(error),
      });
    } finally {
      this.busy.delete(operation);
    }
    return total;
  }
}
