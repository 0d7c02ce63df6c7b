import type { LoggerService } from '@nestjs/common';
import type { Clock, OffsetClock } from '@scheduleman/domain';
import type { ClaimsRepository } from '../claims/claims.repository';
import type { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { AbortableSleep } from './abortable-sleep';
import { FailureLog } from '../support/failure-log';
import type { TimerQueue } from '../firing/timer-queue';
import type { Timers } from '../support/timers';

/*
 * The claim loop and the lease lifecycle of an execution
 * ======================================================
 *
 *            plan (PLAN_DUE_SCHEDULES + INSERT_PLANNED_EXECUTIONS, one transaction)
 *   schedule ───────────────────────────────────────────────┐
 *                                                           ▼
 *   unleased pending ──CLAIM_DUE──▶ LEASED to S (version v, expires now + lease)
 *   (retry, run-now,                 │  held in S's TimerQueue; LeaseKeeper renews
 *    released)          ▲            │  (RENEW_LEASES) while it waits, fires, records
 *        ▲              │            │
 *        │     lease expired: any    ├─ due: fire outside any transaction ─▶ outcome
 *        │     scheduler's CLAIM_DUE │     COMPLETE_FIRES fenced on (S, v):
 *        │     (v+1, "recovered") ◀──┤       delivered → succeeded (final)
 *        │                           │       retryable, attempts left → unleased pending, due later
 *        └── RELEASE_CLAIMS ◀────────┤       otherwise → failed (final)
 *            (S shuts down)          │     0 rows = lease lost: outcome dropped, the new holder decides
 *                                    └─ lease ran out locally (S frozen) or renewal found it
 *                                       gone (taken over, cancelled, deleted): drop, never fire
 *
 * Invariants: only pending rows are claimed; every claim bumps lease_version; every write
 * after a claim is fenced on owner + version + pending; no transaction or row lock is
 * held across a trigger call. So at most one scheduler believes it holds a lease at any
 * database instant, a frozen or cut-off scheduler cannot overwrite a survivor's work, and
 * the worst case of any race is a duplicate fire with the same execution id
 * (Idempotency-Key), never a lost occurrence.
 *
 * A round: plan (repeat while batches come back full, bounded), then claim (same), hand
 * everything to the TimerQueue. Each batch is shrunk to the room under the cap on held
 * work (claimBudget: the measured fire rate over the lease horizon, fire-capacity.ts);
 * with no room the round stops without a round trip and the loop looks again soon, and
 * the work stays unleased in the database for schedulers with room. Rounds run every POLL_INTERVAL_MS (jittered), at once on
 * a NOTIFY (wake()), and back to back while there is more work. A failed round is logged
 * and retried with jittered exponential backoff; the loop never dies of a database error.
 * Every CLAIM_DUE round trip re-measures the database clock for the OffsetClock.
 */

/** Most batches per stage in one round, so that planning a flood never starves claiming. */
export const MAX_BATCHES_PER_ROUND = 10;
/**
 * While at capacity, how often to look again (ms). No round trip happens while there is
 * no room, so this costs nothing; it only bounds how long freed room stays unused.
 */
export const CAPPED_RECHECK_MS = 50;
/** Round trips slower than this give a clock reading too imprecise to use (ms). */
const MAX_CLOCK_READING_RTT_MS = 1_000;
/** Offset changes beyond this re-arm the timer queue (ms). */
const OFFSET_CHANGE_REARM_MS = 5;

export interface ClaimLoopOptions {
  repository: Pick<
    ClaimsRepository,
    'planDue' | 'claimDue' | 'readDatabaseClock'
  >;
  queue: TimerQueue;
  /** Database time: the host clock plus an offset measured on every claim round trip. */
  clock: OffsetClock;
  /** The OffsetClock's base, to time the round trips. */
  hostClock: Clock;
  pollIntervalMs: number;
  lookaheadMs: number;
  claimBatchSize: number;
  /** Stop taking work while this many executions are held. */
  maxHeld: number;
  /** Further reason to take no work this round, e.g. outcomes piling up unwritten. */
  isBackpressured?: () => boolean;
  /**
   * How many more executions may be planned or claimed now (the fire-rate cap, see
   * fire-capacity.ts); unbounded (maxHeld only) when absent.
   */
  claimBudget?: () => number;
  /** The poll and backoff sleeps run on these (real timers by default). */
  timers?: Timers;
  metrics?: SchedulerMetrics;
  logger?: LoggerService;
  random?: () => number;
}

export interface RoundResult {
  /** Executions planned (inserted and leased to us). */
  planned: number;
  /** Occurrences recorded as skipped (the ledger; a range row counts its occurrences). */
  skipped: number;
  /** Executions claimed by CLAIM_DUE (includes recovered). */
  claimed: number;
  /** Of those, taken over from an expired lease. */
  recovered: number;
  /** A stage hit its batch limit: run the next round without sleeping. */
  more: boolean;
  /** The round stopped at the cap on held work: look again soon (CAPPED_RECHECK_MS). */
  capped: boolean;
}

export class ClaimLoop {
  private readonly sleep: AbortableSleep;
  private readonly failures: FailureLog;
  private readonly random: () => number;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private calibrated = false;
  private lastSuccess: Date | undefined;

  constructor(private readonly options: ClaimLoopOptions) {
    this.random = options.random ?? Math.random;
    this.sleep = new AbortableSleep(options.timers);
    this.failures = new FailureLog({
      operation: 'claim round',
      context: 'ClaimLoop',
      logger: options.logger,
      metrics: options.metrics,
      random: this.random,
    });
  }

  get running(): boolean {
    return this.loop !== undefined && !this.stopping;
  }

  /** Host time of the end of the last successful round. */
  get lastSuccessAt(): Date | undefined {
    return this.lastSuccess;
  }

  get consecutiveFailures(): number {
    return this.failures.consecutiveFailures;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops claiming: ends the current sleep at once and waits for a round in progress. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleep.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** Runs a round as soon as possible (a NOTIFY arrived). */
  wake(): void {
    this.sleep.wake();
  }

  /** One round: plan, claim, hand over to the timer queue. Throws on database errors. */
  async runOnce(): Promise<RoundResult> {
    if (!this.calibrated) await this.calibrate();
    const {
      repository,
      queue,
      clock,
      lookaheadMs,
      claimBatchSize: limit,
      metrics,
    } = this.options;
    const result: RoundResult = {
      planned: 0,
      skipped: 0,
      claimed: 0,
      recovered: 0,
      more: false,
      capped: false,
    };

    for (let batch = 0; ; batch++) {
      const room = this.room();
      if (room <= 0) return { ...result, capped: true };
      // Planned rows are born leased to us: the cap limits planning too (by schedules,
      // which is close enough: most plan one occurrence each).
      const batchLimit = Math.min(limit, room);
      const plan = await repository.planDue({
        now: clock.now(),
        lookaheadMs,
        limit: batchLimit,
      });
      metrics?.claimBatchSize.observe({ stage: 'plan' }, plan.claims.length);
      queue.add(plan.claims);
      result.planned += plan.claims.length;
      result.skipped += plan.skippedOccurrences;
      for (const [reason, count] of plan.skippedByReason)
        metrics?.occurrencesSkippedTotal.inc({ reason }, count);
      // A schedule back from a long outage whose ledger is not complete yet is due
      // again at once: plan it again now rather than after a poll interval.
      if (plan.schedules < batchLimit && plan.unfinished === 0) break;
      if (batch + 1 >= MAX_BATCHES_PER_ROUND) {
        result.more = true;
        break;
      }
    }

    for (let batch = 0; ; batch++) {
      const room = this.room();
      if (room <= 0) return { ...result, capped: true };
      const batchLimit = Math.min(limit, room);
      const sentAt = this.options.hostClock.now();
      const claimed = await repository.claimDue({
        now: clock.now(),
        lookaheadMs,
        limit: batchLimit,
      });
      this.observeClock(
        claimed.databaseNow,
        sentAt,
        this.options.hostClock.now(),
      );
      metrics?.claimBatchSize.observe(
        { stage: 'claim' },
        claimed.claims.length,
      );
      queue.add(claimed.claims);
      result.claimed += claimed.claims.length;
      const recovered = claimed.claims.filter((c) => c.recoveredFrom !== null);
      if (recovered.length > 0) {
        result.recovered += recovered.length;
        metrics?.leasesRecoveredTotal.inc(recovered.length);
        const from = [...new Set(recovered.map((c) => c.recoveredFrom))];
        this.options.logger?.log(
          {
            msg: 'took over executions whose lease expired',
            count: recovered.length,
            from,
          },
          'ClaimLoop',
        );
      }
      if (claimed.claims.length < batchLimit) break;
      if (batch + 1 >= MAX_BATCHES_PER_ROUND) {
        result.more = true;
        break;
      }
    }
    return result;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let more = false;
      let capped = false;
      try {
        ({ more, capped } = await this.runOnce());
        this.failures.succeeded();
        this.lastSuccess = this.options.hostClock.now();
      } catch (error) {
        this.failures.failed(error);
        await this.sleep.sleep(this.failures.retryDelayMs());
        continue;
      }
      if (capped) {
        await this.sleep.sleep(
          Math.min(CAPPED_RECHECK_MS, this.options.pollIntervalMs),
        );
      } else if (!more) {
        // ±10 % so that schedulers started together do not poll in lockstep.
        await this.sleep.sleep(
          this.options.pollIntervalMs * (0.9 + 0.2 * this.random()),
        );
      }
    }
  }

  /** Executions that may still be taken this batch (0 = at capacity). */
  private room(): number {
    if (this.options.isBackpressured?.()) return 0;
    const byMemory = this.options.maxHeld - this.options.queue.heldCount;
    return Math.min(
      byMemory,
      this.options.claimBudget?.() ?? Number.POSITIVE_INFINITY,
    );
  }

  /** The first reading, before anything is decided on the database clock. */
  private async calibrate(): Promise<void> {
    const sentAt = this.options.hostClock.now();
    const databaseNow = await this.options.repository.readDatabaseClock();
    this.calibrated = true;
    this.observeClock(databaseNow, sentAt, this.options.hostClock.now(), true);
    this.options.logger?.log(
      {
        msg: 'database clock measured',
        offsetMs: Math.round(this.options.clock.getOffsetMs()),
      },
      'ClaimLoop',
    );
  }

  private observeClock(
    databaseNow: Date,
    sentAt: Date,
    receivedAt: Date,
    force = false,
  ): void {
    if (
      !force &&
      receivedAt.getTime() - sentAt.getTime() > MAX_CLOCK_READING_RTT_MS
    )
      return;
    const before = this.options.clock.getOffsetMs();
    this.options.clock.observe(databaseNow, sentAt, receivedAt);
    const after = this.options.clock.getOffsetMs();
    this.options.metrics?.clockOffsetSeconds.set(after / 1_000);
    if (Math.abs(after - before) > OFFSET_CHANGE_REARM_MS)
      this.options.queue.reschedule();
  }
}
