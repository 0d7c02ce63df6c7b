import type { LoggerService } from '@nestjs/common';
import { type Clock, OffsetClock, SystemClock } from '@scheduleman/domain';
import { WAKEUP_CHANNEL } from '@scheduleman/domain/persistence';
import type { DataSource } from 'typeorm';
import { ClaimsRepository } from '../claims/claims.repository';
import type { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { ClaimLoop } from './claim-loop';
import { errorMessage } from '@scheduleman/domain';
import { FireExecutor, type TriggerLookup } from './fire-executor';
import { LeaseKeeper } from './lease-keeper';
import {
  DEFAULT_MAX_QUEUED_OUTCOMES,
  OutcomeRecorder,
} from './outcome-recorder';
import { TimerQueue } from './timer-queue';
import { WakeupListener } from './wakeup-listener';

/** Stop taking work while this many executions are held (memory bound). */
export const DEFAULT_MAX_HELD = 50_000;
/** After the grace period, how long aborted calls get to return their outcome, ms. */
const ABORT_SETTLE_MS = 1_000;
/** Floor for writing the last outcomes on shutdown, ms. */
const MIN_FINAL_FLUSH_MS = 2_000;

/** What the engine needs from the configuration (see SchedulerConfig). */
export interface EngineSettings {
  schedulerId: string;
  leaseDurationMs: number;
  pollIntervalMs: number;
  lookaheadMs: number;
  claimBatchSize: number;
  maxInFlight: number;
  triggerTimeoutMs: number;
  shutdownGraceMs: number;
  /** Connection URL for the LISTEN connection; no listener when absent (polling only). */
  databaseUrl?: string;
  maxHeld?: number;
}

export interface SchedulerEngineOptions {
  dataSource: DataSource;
  settings: EngineSettings;
  triggers: TriggerLookup;
  metrics?: SchedulerMetrics;
  logger?: LoggerService;
  /** The host clock (SystemClock); the engine follows the database clock on top of it. */
  hostClock?: Clock;
  random?: () => number;
}

/** What /health reports about the claim loop. */
export interface EngineReadiness {
  ready: boolean;
  details: Record<string, unknown>;
}

/**
 * One scheduler: the claim loop, the timer queue it feeds, the executor that fires, the
 * recorder that writes outcomes, the lease keeper, and the wake-up listener, wired
 * together with one clock (the database's). Nest only calls start() and stop().
 */
export class SchedulerEngine {
  readonly clock: OffsetClock;
  readonly repository: ClaimsRepository;
  readonly queue: TimerQueue;
  readonly executor: FireExecutor;
  readonly recorder: OutcomeRecorder;
  readonly leaseKeeper: LeaseKeeper;
  readonly loop: ClaimLoop;
  private readonly listener: WakeupListener | undefined;
  private readonly hostClock: Clock;
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: SchedulerEngineOptions) {
    const { settings, metrics, logger } = options;
    this.hostClock = options.hostClock ?? new SystemClock();
    this.clock = new OffsetClock(this.hostClock);
    this.repository = new ClaimsRepository(options.dataSource, {
      owner: settings.schedulerId,
      leaseDurationMs: settings.leaseDurationMs,
    });
    this.recorder = new OutcomeRecorder({
      write: (records) => this.repository.completeFires(records),
      onSettled: (record, written) => {
        this.queue.settle(record.executionId);
        if (!written)
          logger?.debug?.(
            {
              msg: 'outcome not written: lease gone',
              executionId: record.executionId,
            },
            'OutcomeRecorder',
          );
      },
      logger,
      metrics,
      random: options.random,
    });
    this.executor = new FireExecutor({
      triggers: options.triggers,
      clock: this.clock,
      triggerTimeoutMs: settings.triggerTimeoutMs,
      record: (record) => this.recorder.enqueue(record),
      metrics,
      logger,
      random: options.random,
    });
    this.queue = new TimerQueue({
      clock: this.clock,
      maxInFlight: settings.maxInFlight,
      // Generous against clock-offset error, small against the 2 s+ left in normal operation.
      leaseSafetyMarginMs: Math.min(
        500,
        Math.floor(settings.leaseDurationMs / 8),
      ),
      fire: (held) => this.executor.fire(held),
      onDrop: (held, reason) => {
        metrics?.droppedTotal.inc({ reason });
        logger?.warn(
          {
            msg: 'not firing: lease no longer held',
            executionId: held.claim.executionId,
            reason,
          },
          'TimerQueue',
        );
      },
      onError: (error) =>
        logger?.error(
          { msg: 'unexpected error while firing', error: errorMessage(error) },
          'TimerQueue',
        ),
    });
    this.leaseKeeper = new LeaseKeeper({
      queue: this.queue,
      renew: (leases, now) => this.repository.renewLeases(leases, now),
      clock: this.clock,
      leaseDurationMs: settings.leaseDurationMs,
      logger,
      metrics,
    });
    const maxQueuedOutcomes = DEFAULT_MAX_QUEUED_OUTCOMES;
    this.loop = new ClaimLoop({
      repository: this.repository,
      queue: this.queue,
      clock: this.clock,
      hostClock: this.hostClock,
      pollIntervalMs: settings.pollIntervalMs,
      lookaheadMs: settings.lookaheadMs,
      claimBatchSize: settings.claimBatchSize,
      maxHeld: settings.maxHeld ?? DEFAULT_MAX_HELD,
      // Outcomes that cannot be written mean the database is struggling: take no more work.
      isBackpressured: () => this.recorder.queuedCount >= maxQueuedOutcomes / 2,
      metrics,
      logger,
      random: options.random,
    });
    if (settings.databaseUrl) {
      this.listener = new WakeupListener({
        connectionString: settings.databaseUrl,
        channel: WAKEUP_CHANNEL,
        onWake: () => this.loop.wake(),
        applicationName: `scheduler:${settings.schedulerId}:listen`,
        logger,
        random: options.random,
      });
    }
  }

  /** Starts claiming and firing. Returns at once; the first round runs in the background. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.leaseKeeper.start();
    this.loop.start();
    this.listener?.start();
    this.options.logger?.log(
      {
        msg: 'scheduler started',
        schedulerId: this.options.settings.schedulerId,
      },
      'SchedulerEngine',
    );
  }

  /**
   * Graceful shutdown: stop claiming; give back what was not fired yet (others take it at
   * their next round instead of waiting for the lease to run out); let calls in flight
   * finish within the grace period (then abort them); write the remaining outcomes; stop
   * renewing. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  readiness(): EngineReadiness {
    const last = this.loop.lastSuccessAt;
    const sinceMs = last
      ? this.hostClock.now().getTime() - last.getTime()
      : undefined;
    // A round normally ends every poll interval; allow a few missed ones (a slow round).
    const freshMs = Math.max(5_000, 10 * this.options.settings.pollIntervalMs);
    const ready =
      this.loop.running && sinceMs !== undefined && sinceMs <= freshMs;
    return {
      ready,
      details: {
        running: this.loop.running,
        lastRoundAgoMs: sinceMs ?? null,
        consecutiveFailures: this.loop.consecutiveFailures,
        held: this.queue.heldCount,
        inFlight: this.queue.inFlightCount,
        queuedOutcomes: this.recorder.queuedCount,
        clockOffsetMs: Math.round(this.clock.getOffsetMs()),
        listening: this.listener?.connected ?? false,
      },
    };
  }

  private async shutdown(): Promise<void> {
    const { logger, settings } = this.options;
    const startedAt = this.hostClock.now().getTime();
    const elapsed = () => this.hostClock.now().getTime() - startedAt;
    await this.loop.stop();
    await this.listener?.stop();

    const unfired = this.queue.takeUnfired();
    let released = 0;
    if (unfired.length > 0) {
      try {
        released = (
          await this.repository.releaseClaims(
            unfired.map((h) => ({
              executionId: h.claim.executionId,
              leaseVersion: h.leaseVersion,
            })),
          )
        ).size;
      } catch (error) {
        // Their leases run out instead, and another scheduler takes them then.
        logger?.warn(
          {
            msg: 'could not release held executions',
            count: unfired.length,
            error: errorMessage(error),
          },
          'SchedulerEngine',
        );
      }
    }

    const inFlight = this.queue.inFlightCount;
    if (!(await this.within(this.queue.whenIdle(), settings.shutdownGraceMs))) {
      this.executor.abortAll();
      await this.within(this.queue.whenIdle(), ABORT_SETTLE_MS);
    }
    const flushed = await this.recorder.drain(
      Math.max(MIN_FINAL_FLUSH_MS, settings.shutdownGraceMs - elapsed()),
    );
    this.recorder.close();
    await this.leaseKeeper.stop();
    this.queue.close();
    logger?.log(
      {
        msg: 'scheduler stopped',
        released,
        unfired: unfired.length,
        inFlightAtStop: inFlight,
        outcomesLeft: this.recorder.queuedCount,
        flushed,
        tookMs: elapsed(),
      },
      'SchedulerEngine',
    );
  }

  /** Waits for `promise` at most `ms`; true when it settled in time. */
  private async within(
    promise: Promise<unknown>,
    ms: number,
  ): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>(
      (resolve) => (timer = setTimeout(() => resolve(false), ms)),
    );
    try {
      return await Promise.race([promise.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
