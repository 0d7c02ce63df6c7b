import type { LoggerService } from '@nestjs/common';
import {
  claimBudget,
  type Clock,
  DEFAULT_FIRE_RATE_METER,
  errorMessage,
  FireRateMeter,
  type HeldCapacity,
  heldCap,
  type OffsetClock,
  type ResultTokens,
  surplusToRelease,
} from '@scheduleman/domain';
import { WAKEUP_CHANNEL } from '@scheduleman/domain/persistence';
import type { FireRecord } from '../claims/claim';
import type { ClaimsRepository } from '../claims/claims.repository';
import type { SchedulerConfig } from '../config/scheduler.config';
import type { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { ClaimLoop, type RoundResult } from '../claim-loop/claim-loop';
import type { EngineStats } from './engine-readiness';
import type { FinishedOutcome } from '../housekeeping/schedule-upkeep.repository';
import { FireExecutor, type TriggerLookup } from '../firing/fire-executor';
import type { HeldExecution } from '../leases/held-execution';
import { type DropReason, HeldExecutions } from '../leases/held-executions';
import { LeaseKeeper } from '../leases/lease-keeper';
import {
  DEFAULT_MAX_QUEUED_OUTCOMES,
  OutcomeRecorder,
} from '../firing/outcome-recorder';
import { settlesWithin } from '../support/settles-within';
import { TimerQueue } from '../firing/timer-queue';
import { WakeupListener } from '../claim-loop/wakeup-listener';

/** Stop taking work while this many executions are held (memory bound). */
export const DEFAULT_MAX_HELD = 50_000;
/** After the grace period, how long aborted calls get to return their outcome, ms. */
const ABORT_SETTLE_MS = 1_000;
/** Floor for writing the last outcomes on shutdown, ms. */
const MIN_FINAL_FLUSH_MS = 2_000;
/** Outcomes that cannot be written mean the database is struggling: take no more work. */
const BACKPRESSURE_QUEUED_OUTCOMES = DEFAULT_MAX_QUEUED_OUTCOMES / 2;

/** What the engine needs from the configuration. */
export type EngineSettings = Pick<
  SchedulerConfig,
  | 'schedulerId'
  | 'leaseDurationMs'
  | 'pollIntervalMs'
  | 'lookaheadMs'
  | 'claimBatchSize'
  | 'maxInFlight'
  | 'triggerTimeoutMs'
  | 'shutdownGraceMs'
> &
  Partial<
    Pick<
      SchedulerConfig,
      'backpressure' | 'fireRateFloor' | 'fireRateInitial' | 'fireCoalesceMs'
    >
  > & {
    /** Connection URL for the LISTEN connection (DATABASE_LISTEN_URL); no listener when absent (polling only). */
    databaseListenUrl?: string;
    /** Stop taking work while this many executions are held. Default DEFAULT_MAX_HELD. */
    maxHeld?: number;
  };

export interface SchedulerEngineOptions {
  settings: EngineSettings;
  /** The claim statements, leasing as settings.schedulerId. */
  repository: ClaimsRepository;
  /** Database time: the host clock plus the offset the claim loop measures each round. */
  clock: OffsetClock;
  /** The host clock (CLOCK) under `clock`: round trips and shutdown are timed on it. */
  hostClock: Clock;
  triggers: TriggerLookup;
  /** Derives the result token of each delivery; none without SECRETS_KEY. */
  resultTokens?: ResultTokens;
  /** PUBLIC_API_URL: deliveries name where to report their result. */
  publicApiUrl?: string;
  metrics?: SchedulerMetrics;
  logger?: LoggerService;
  random?: () => number;
  /**
   * Stores how executions ended in their schedules' health facts, after each batch of
   * outcomes is written (ScheduleUpkeepRepository.recordOutcomes); none: not kept.
   */
  recordScheduleOutcomes?: (
    outcomes: readonly FinishedOutcome[],
  ) => Promise<void>;
}

/**
 * One scheduler: the registry of held executions, the claim loop, the timer queue it
 * feeds, the executor that fires, the recorder that writes outcomes, the lease keeper,
 * and the wake-up listener, wired together on one clock (the database's). Nest only calls
 * start(), stop() and stats().
 *
 * The fire path is a ring, so the parts are built in its order and joined by the named
 * methods below: the loop claims into the queue, which holds each execution in the
 * registry; the queue fires through the executor (fireHeld); the executor records each
 * outcome (recordOutcome); the recorder writes batches (writeOutcomes) and settles each
 * execution back in the registry (settleOutcome). The lease keeper renews what the
 * registry holds, and the registry reports what it drops (dropHeld). The callbacks run
 * only after construction.
 */
export class SchedulerEngine {
  private readonly held: HeldExecutions;
  private readonly queue: TimerQueue;
  private readonly executor: FireExecutor;
  private readonly recorder: OutcomeRecorder;
  private readonly leaseKeeper: LeaseKeeper;
  private readonly loop: ClaimLoop;
  private readonly listener: WakeupListener | undefined;
  private readonly fireRate: FireRateMeter;
  private started = false;
  private stopping: Promise<void> | undefined;
  /** A RELEASE_CLAIMS of surplus work in progress (releaseSurplus). */
  private releasing: Promise<void> | undefined;

  constructor(private readonly options: SchedulerEngineOptions) {
    const { fireRateFloor, fireRateInitial } = options.settings;
    this.fireRate = new FireRateMeter({
      ...DEFAULT_FIRE_RATE_METER,
      floorRatePerSecond:
        fireRateFloor ?? DEFAULT_FIRE_RATE_METER.floorRatePerSecond,
      initialRatePerSecond:
        fireRateInitial ?? DEFAULT_FIRE_RATE_METER.initialRatePerSecond,
    });
    this.held = this.buildHeldExecutions();
    this.queue = this.buildQueue();
    this.executor = this.buildExecutor();
    this.recorder = this.buildRecorder();
    this.leaseKeeper = this.buildLeaseKeeper();
    this.loop = this.buildLoop();
    this.listener = this.buildListener();
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

  /** Between start() and stop(). */
  get running(): boolean {
    return this.started && this.stopping === undefined;
  }

  /**
   * One claim round without the background loop: plan, claim, hand over to the timer
   * queue (which fires at due time). Throws on database errors.
   */
  runOnce(): Promise<RoundResult> {
    return this.loop.runOnce();
  }

  /** The engine's state, for /health and the gauges of /metrics. */
  stats(): EngineStats {
    return {
      running: this.loop.running,
      lastRoundAt: this.loop.lastSuccessAt,
      consecutiveFailures: this.loop.consecutiveFailures,
      held: this.held.count,
      inFlight: this.queue.inFlightCount,
      queuedOutcomes: this.recorder.queuedCount,
      clockOffsetMs: this.options.clock.getOffsetMs(),
      listening: this.listener?.connected ?? false,
    };
  }

  private buildHeldExecutions(): HeldExecutions {
    return new HeldExecutions({
      clock: this.options.clock,
      onDrop: (held, reason) => {
        this.dropHeld(held, reason);
      },
    });
  }

  private buildQueue(): TimerQueue {
    const { clock, settings } = this.options;
    return new TimerQueue({
      clock,
      held: this.held,
      maxInFlight: settings.maxInFlight,
      // Absent (the engine tests): each execution fires at its own time.
      coalesceMs: settings.fireCoalesceMs,
      // Generous against clock-offset error, small against the 2 s+ left in normal operation.
      leaseSafetyMarginMs: this.leaseSafetyMarginMs(),
      fire: (held) => this.fireHeld(held),
      onError: (error) => {
        this.reportFireError(error);
      },
      onPumped: (backlogged, completed) => {
        this.fireRate.recordFires(completed);
        // At the cap counts as saturated too: with a cap below MAX_IN_FLIGHT nothing ever
        // waits for a slot, and the estimate could never climb back from the floor.
        this.fireRate.setBacklogged(
          backlogged || this.atHeldCap(),
          clock.now().getTime(),
        );
      },
    });
  }

  private buildExecutor(): FireExecutor {
    const {
      clock,
      settings,
      triggers,
      resultTokens,
      publicApiUrl,
      metrics,
      logger,
      random,
    } = this.options;
    return new FireExecutor({
      triggers,
      resultTokens,
      publicApiUrl,
      clock,
      triggerTimeoutMs: settings.triggerTimeoutMs,
      record: (record) => {
        this.recordOutcome(record);
      },
      metrics,
      logger,
      random,
    });
  }

  private buildRecorder(): OutcomeRecorder {
    const { metrics, logger, random, hostClock } = this.options;
    return new OutcomeRecorder({
      write: (records) => this.writeOutcomes(records),
      onSettled: (record, written) => {
        this.settleOutcome(record, written);
      },
      // A burst drains first; its outcomes follow (at most DEFAULT_MAX_DEFER_MS later).
      deferWhile: () => this.queue.readyCount > 0,
      clock: hostClock,
      logger,
      metrics,
      random,
    });
  }

  private buildLeaseKeeper(): LeaseKeeper {
    const { clock, settings, repository, metrics, logger } = this.options;
    return new LeaseKeeper({
      held: this.held,
      renew: (leases, now) => repository.renewLeases(leases, now),
      clock,
      leaseDurationMs: settings.leaseDurationMs,
      beforeRenew: () => {
        this.releaseSurplus();
      },
      logger,
      metrics,
    });
  }

  private buildLoop(): ClaimLoop {
    const { clock, hostClock, settings, repository, metrics, logger, random } =
      this.options;
    return new ClaimLoop({
      repository,
      queue: this.queue,
      clock,
      hostClock,
      pollIntervalMs: settings.pollIntervalMs,
      lookaheadMs: settings.lookaheadMs,
      claimBatchSize: settings.claimBatchSize,
      maxHeld: settings.maxHeld ?? DEFAULT_MAX_HELD,
      isBackpressured: () => this.isBackpressured(),
      claimBudget:
        settings.backpressure === false
          ? undefined
          : () => claimBudget(this.held.count, this.capacity()),
      metrics,
      logger,
      random,
    });
  }

  private buildListener(): WakeupListener | undefined {
    const { settings, logger, random } = this.options;
    if (!settings.databaseListenUrl) {
      logger?.log(
        {
          msg: 'no LISTEN connection: polling only',
          pollIntervalMs: settings.pollIntervalMs,
        },
        'SchedulerEngine',
      );
      return undefined;
    }
    return new WakeupListener({
      connectionString: settings.databaseListenUrl,
      channel: WAKEUP_CHANNEL,
      onWake: () => {
        this.loop.wake();
      },
      applicationName: `scheduler:${settings.schedulerId}:listen`,
      logger,
      random,
    });
  }

  /** TimerQueue → FireExecutor: the lease was re-checked, the execution is due. */
  private fireHeld(held: HeldExecution): Promise<void> {
    return this.executor.fire(held);
  }

  /** FireExecutor → OutcomeRecorder: one attempt's row change. */
  private recordOutcome(record: FireRecord): void {
    this.recorder.enqueue(record);
  }

  /** OutcomeRecorder → database: a batch fenced on each lease (COMPLETE_FIRES). */
  private async writeOutcomes(
    records: readonly FireRecord[],
  ): Promise<Set<string>> {
    const written = await this.options.repository.completeFires(records);
    const record = this.options.recordScheduleOutcomes;
    if (record) {
      const finished: FinishedOutcome[] = [];
      for (const r of records)
        if (r.status !== 'pending' && written.has(r.executionId))
          finished.push({
            executionId: r.executionId,
            outcome: r.status,
            at: r.finishedAt ?? r.attempt.finishedAt,
          });
      // The outcomes are written; a failure here only leaves health facts stale until
      // the schedule's next outcome, so it is logged, never retried with the batch.
      await record(finished).catch((error: unknown) => {
        this.options.metrics?.databaseErrorsTotal.inc({
          operation: 'schedule_outcomes',
        });
        this.options.logger?.warn(
          {
            msg: 'could not record schedule health facts',
            error: errorMessage(error),
          },
          'SchedulerEngine',
        );
      });
    }
    return written;
  }

  /** OutcomeRecorder → HeldExecutions: the execution is no longer held, written or not. */
  private settleOutcome(record: FireRecord, written: boolean): void {
    this.held.settle(record.executionId);
    if (!written)
      this.options.logger?.debug?.(
        {
          msg: 'outcome not written: lease gone',
          executionId: record.executionId,
        },
        'OutcomeRecorder',
      );
  }

  /**
   * The registry let go of an execution before it fired: the queue found its lease run out
   * or lost at the re-check, or a renewal found it lost while it waited.
   */
  private dropHeld(held: HeldExecution, reason: DropReason): void {
    this.options.metrics?.droppedTotal.inc({ reason });
    this.options.logger?.warn(
      {
        msg: 'not firing: lease no longer held',
        executionId: held.claim.executionId,
        reason,
      },
      'TimerQueue',
    );
  }

  private reportFireError(error: unknown): void {
    this.options.logger?.error(
      { msg: 'unexpected error while firing', error: errorMessage(error) },
      'TimerQueue',
    );
  }

  /** Generous against clock-offset error, small against the 2 s+ left in normal operation. */
  private leaseSafetyMarginMs(): number {
    return Math.min(500, Math.floor(this.options.settings.leaseDurationMs / 8));
  }

  /** What this scheduler can hold now: its measured fire rate over the lease horizon. */
  private capacity(): HeldCapacity {
    const { clock, metrics } = this.options;
    const capacity = this.capacityAt(
      this.fireRate.sample(clock.now().getTime()),
    );
    metrics?.fireRatePerSecond.set(capacity.ratePerSecond);
    metrics?.heldCap.set(heldCap(capacity));
    return capacity;
  }

  private capacityAt(ratePerSecond: number): HeldCapacity {
    const { settings } = this.options;
    return {
      ratePerSecond,
      leaseDurationMs: settings.leaseDurationMs,
      safetyMarginMs: this.leaseSafetyMarginMs(),
      maxHeld: settings.maxHeld ?? DEFAULT_MAX_HELD,
    };
  }

  /** Holding as much as the current estimate allows (no new sample taken). */
  private atHeldCap(): boolean {
    if (this.options.settings.backpressure === false) return false;
    return (
      this.held.count >= heldCap(this.capacityAt(this.fireRate.ratePerSecond))
    );
  }

  /**
   * Before each renewal: when this scheduler is behind, give back (RELEASE_CLAIMS) the
   * overdue executions it would not fire within a lease at its measured rate, instead of
   * renewing them and firing them late. Others (or this one, once it has room) claim them
   * from the unleased due rows, oldest first.
   */
  private releaseSurplus(): void {
    if (this.options.settings.backpressure === false) return;
    // One release at a time: the next pass looks again once this one is written.
    if (this.releasing) return;
    const nowMs = this.options.clock.now().getTime();
    const waiting = this.held.waitingByDue();
    const surplus = surplusToRelease(
      waiting,
      this.held.count - waiting.length,
      nowMs,
      this.capacity(),
    );
    if (surplus.length === 0) return;
    // Taken back now (no renewal extends them), written in the background on the main
    // pool, so that the renewal this runs before never waits for it.
    const taken = this.held.takeBack(surplus.map((i) => waiting[i]));
    this.releasing = this.release(taken)
      .then((released) => {
        this.options.metrics?.releasedTotal.inc(released);
        this.options.logger?.log(
          {
            msg: 'behind: gave back executions it would not fire within a lease',
            released,
            held: this.held.count,
            fireRatePerSecond: Math.round(this.fireRate.ratePerSecond),
          },
          'SchedulerEngine',
        );
      })
      .finally(() => {
        this.releasing = undefined;
      });
  }

  private isBackpressured(): boolean {
    return this.recorder.queuedCount >= BACKPRESSURE_QUEUED_OUTCOMES;
  }

  private async shutdown(): Promise<void> {
    const { logger, settings, hostClock } = this.options;
    const startedAt = hostClock.now().getTime();
    const elapsed = () => hostClock.now().getTime() - startedAt;
    await this.loop.stop();
    await this.listener?.stop();
    await this.releasing;

    const unfired = this.queue.takeUnfired();
    const released = await this.release(unfired);

    const inFlight = this.queue.inFlightCount;
    if (
      !(await settlesWithin(this.queue.whenIdle(), settings.shutdownGraceMs))
    ) {
      this.executor.abortAll();
      await settlesWithin(this.queue.whenIdle(), ABORT_SETTLE_MS);
    }
    const flushed = await this.recorder.drain(
      Math.max(MIN_FINAL_FLUSH_MS, settings.shutdownGraceMs - elapsed()),
    );
    this.recorder.close();
    await this.leaseKeeper.stop();
    await this.options.repository.closeRenewalConnection();
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

  /** Gives back executions held but not fired; returns how many were released. */
  private async release(unfired: readonly HeldExecution[]): Promise<number> {
    if (unfired.length === 0) return 0;
    try {
      const released = await this.options.repository.releaseClaims(
        unfired.map((h) => ({
          executionId: h.claim.executionId,
          leaseVersion: h.leaseVersion,
        })),
      );
      return released.size;
    } catch (error) {
      // Their leases run out instead, and another scheduler takes them then.
      this.options.logger?.warn(
        {
          msg: 'could not release held executions',
          count: unfired.length,
          error: errorMessage(error),
        },
        'SchedulerEngine',
      );
      return 0;
    }
  }
}
