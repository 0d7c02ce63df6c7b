import type { LoggerService } from '@nestjs/common';
import { type Clock, SystemClock } from '@scheduleman/domain';
import type { FireRecord } from '../claims/claim';
import type { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { FailureLog } from '../support/failure-log';
import { REAL_TIMERS, type Timers } from '../support/timers';

export const DEFAULT_FLUSH_INTERVAL_MS = 25;
/**
 * After a write, how long the next one waits for company unless a full batch is
 * waiting, ms. When fires trickle (one or two per timer tick, the spread load of
 * docs/performance.md) this turns ~35 writes of ~5 outcomes a second into ~5 of ~35:
 * each write is two statements and about 0.4 ms of the scheduler's CPU whatever its size.
 */
export const DEFAULT_TRICKLE_WINDOW_MS = 200;
export const DEFAULT_MAX_BATCH_SIZE = 500;
/**
 * Longest an outcome waits while `deferWhile` holds, ms: the writes step aside while a
 * burst drains (docs/performance.md, "Burst: outcomes after the drain"), for at most
 * this long, well inside the lease (renewed meanwhile: the execution is still held).
 */
export const DEFAULT_MAX_DEFER_MS = 1_000;
export const DEFAULT_MAX_QUEUED_OUTCOMES = 50_000;

export interface OutcomeRecorderOptions {
  /** Writes a batch fenced on each lease; returns the ids written (COMPLETE_FIRES). */
  write: (records: readonly FireRecord[]) => Promise<Set<string>>;
  /** Called once per record: written, or not (fenced off, or dropped from a full queue). */
  onSettled: (record: FireRecord, written: boolean) => void;
  /** Longest an outcome waits for company before its batch is written, ms. */
  flushIntervalMs?: number;
  /** After a write, how long the next one waits unless a full batch is waiting, ms. */
  trickleWindowMs?: number;
  maxBatchSize?: number;
  /**
   * True while due work waits to start (the timer queue's ready line): writes then wait,
   * so PostgreSQL's CPU and this process's go to firing, until it is false or the
   * oldest queued outcome has waited `maxDeferMs`.
   */
  deferWhile?: () => boolean;
  maxDeferMs?: number;
  clock?: Clock;
  /** Most outcomes kept in memory while the database is away. */
  maxQueued?: number;
  timers?: Timers;
  logger?: LoggerService;
  metrics?: SchedulerMetrics;
  random?: () => number;
}

/**
 * Writes attempt outcomes in batches instead of one per fire: an outcome that arrives
 * while nothing was written lately waits ~25 ms for company; after a write, the next
 * one waits out the trickle window (~200 ms), so a steady trickle is written a few
 * times a second; 500 outcomes waiting are written at once, whatever the timers.
 *
 * While the database is unreachable, outcomes stay queued (bounded) and the write is
 * retried with jittered backoff; the scheduler keeps firing what it holds meanwhile.
 * When the queue is full the oldest outcome is dropped: that execution's lease runs out
 * and another attempt fires it again with the same idempotency key (at-least-once), which
 * is better than growing without bound.
 */
export class OutcomeRecorder {
  private queue: FireRecord[] = [];
  /** When each queued outcome was enqueued (ms, the clock's), parallel to queue. */
  private queuedAtMs: number[] = [];
  private timer: unknown;
  private flushing: Promise<void> | undefined;
  private readonly failures: FailureLog;
  private readonly timers: Timers;
  private readonly flushIntervalMs: number;
  private readonly trickleWindowMs: number;
  private readonly maxBatchSize: number;
  private readonly maxQueued: number;
  private readonly maxDeferMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: OutcomeRecorderOptions) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.trickleWindowMs = Math.max(
      this.flushIntervalMs,
      options.trickleWindowMs ?? DEFAULT_TRICKLE_WINDOW_MS,
    );
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    this.maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED_OUTCOMES;
    this.maxDeferMs = options.maxDeferMs ?? DEFAULT_MAX_DEFER_MS;
    this.clock = options.clock ?? new SystemClock();
    this.failures = new FailureLog({
      operation: 'recording outcomes',
      context: 'OutcomeRecorder',
      logger: options.logger,
      metrics: options.metrics,
      random: options.random,
    });
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /** True when the last write failed (the database is probably away). */
  get failing(): boolean {
    return this.failures.consecutiveFailures > 0;
  }

  enqueue(record: FireRecord): void {
    if (this.queue.length >= this.maxQueued) {
      const dropped = this.queue.shift() as FireRecord;
      this.queuedAtMs.shift();
      this.options.logger?.error(
        {
          msg: 'outcome queue full; dropping the oldest outcome (it will be fired again)',
          executionId: dropped.executionId,
        },
        'OutcomeRecorder',
      );
      this.options.onSettled(dropped, false);
    }
    this.queue.push(record);
    this.queuedAtMs.push(this.clock.now().getTime());
    if (this.flushing !== undefined) return; // its completion schedules the next write
    if (this.timer === undefined)
      this.schedule(
        this.queue.length >= this.maxBatchSize ? 0 : this.flushIntervalMs,
      );
    else if (this.queue.length === this.maxBatchSize && !this.failing)
      this.schedule(0);
  }

  /**
   * Writes everything queued, retrying with backoff for at most `timeoutMs` (shutdown).
   * Returns true when nothing is left.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    let remainingMs = timeoutMs;
    while (this.queue.length > 0 || this.flushing) {
      this.cancelTimer();
      if (this.flushing) {
        await this.flushing;
        continue;
      }
      await this.flushOnce(false);
      if (this.queue.length === 0) break;
      if (!this.failing) continue;
      const waitMs = Math.min(this.failures.retryDelayMs(), remainingMs);
      if (waitMs <= 0) break;
      remainingMs -= waitMs;
      await new Promise<void>((resolve) =>
        this.timers.setTimeout(resolve, waitMs),
      );
    }
    return this.queue.length === 0;
  }

  /** Stops the background flushing (after drain). */
  close(): void {
    this.cancelTimer();
  }

  private schedule(delayMs: number): void {
    this.cancelTimer();
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      const deferMs = this.deferralMs();
      if (deferMs > 0) this.schedule(deferMs);
      else void this.flushOnce(true);
    }, delayMs);
  }

  /** How much longer the next write steps aside for due work (0: write now). */
  private deferralMs(): number {
    if (this.queue.length === 0 || !this.options.deferWhile?.()) return 0;
    const waitedMs = this.clock.now().getTime() - this.queuedAtMs[0];
    const leftMs = this.maxDeferMs - waitedMs;
    // Re-asked every flush interval: the ready line may empty at any moment.
    return leftMs > 0 ? Math.min(leftMs, this.flushIntervalMs) : 0;
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flushOnce(scheduleNext: boolean): Promise<void> {
    if (this.flushing) return this.flushing;
    const batch = this.queue.splice(0, this.maxBatchSize);
    const batchQueuedAtMs = this.queuedAtMs.splice(0, batch.length);
    if (batch.length === 0) return Promise.resolve();
    this.flushing = this.write(batch, batchQueuedAtMs).finally(() => {
      this.flushing = undefined;
      if (!scheduleNext) return;
      // Even with nothing queued: outcomes enqueued within the window wait for its end
      // (the timer is set, so enqueue() does not start a shorter one), unless they fill
      // a batch. Empty at the end, the timer writes nothing and the window closes.
      const delayMs = this.failing
        ? this.failures.retryDelayMs()
        : this.queue.length >= this.maxBatchSize
          ? 0
          : this.trickleWindowMs;
      this.schedule(delayMs);
    });
    return this.flushing;
  }

  private async write(
    batch: FireRecord[],
    batchQueuedAtMs: number[],
  ): Promise<void> {
    let written: Set<string>;
    try {
      written = await this.options.write(batch);
    } catch (error) {
      this.failures.failed(error, { queued: this.queue.length + batch.length });
      // Back to the front, oldest first, unless newer outcomes already filled the queue.
      this.queue = [...batch, ...this.queue];
      this.queuedAtMs = [...batchQueuedAtMs, ...this.queuedAtMs];
      while (this.queue.length > this.maxQueued) {
        this.queuedAtMs.shift();
        this.options.onSettled(this.queue.shift() as FireRecord, false);
      }
      return;
    }
    this.failures.succeeded();
    for (const record of batch) {
      const ok = written.has(record.executionId);
      if (!ok) this.options.metrics?.outcomesDiscardedTotal.inc();
      this.options.onSettled(record, ok);
    }
  }
}
