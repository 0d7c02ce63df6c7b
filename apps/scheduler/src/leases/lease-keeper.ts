import type { LoggerService } from '@nestjs/common';
import type { Clock } from '@scheduleman/domain';
import type { HeldLease } from '../claims/claims.repository';
import type { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { FailureLog } from '../support/failure-log';
import type { HeldLeases } from './held-executions';
import { REAL_TIMERS, type Timers } from '../support/timers';

/** Most leases renewed per round trip. */
export const RENEW_BATCH_SIZE = 1_000;

/**
 * Renewal cadence for a lease: a quarter of it, and at most once a second. The cap
 * matters beyond liveness: a renewal is also how a held execution learns that the API
 * cancelled it (a pause or an edit), and that must happen well within the 2 s promise.
 */
export function renewIntervalFor(leaseDurationMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(leaseDurationMs / 4)));
}

export interface LeaseKeeperOptions {
  /** The held executions' leases: which to renew, and where to record what renewal found. */
  held: HeldLeases;
  /** RENEW_LEASES: the new expiry of each lease still held. */
  renew: (
    leases: readonly HeldLease[],
    now: Date,
  ) => Promise<Map<string, Date>>;
  /** Database time. */
  clock: Clock;
  leaseDurationMs: number;
  intervalMs?: number;
  /**
   * Runs before each renewal pass (taking back work the scheduler is behind on, so it is
   * not renewed). Synchronous on purpose: a renewal must never queue behind a statement
   * on the main pool (the burst runs of docs/performance.md: renewals waiting behind a
   * release let leases run out and be taken over); a throw is logged and the renewal
   * goes ahead.
   */
  beforeRenew?: () => void;
  timers?: Timers;
  logger?: LoggerService;
  metrics?: SchedulerMetrics;
}

/**
 * Keeps the leases of held executions alive while they wait, fire and get recorded. A
 * separate periodic job from the claim loop (as in db-scheduler's heartbeats), so a slow
 * claim round never starves renewals, and wrapped so one failed renewal never stops it.
 *
 * Only leases that were not extended during the last interval are renewed: most planned
 * executions fire and are recorded long before their first renewal would be due, so the
 * steady-state cost is the few calls that are slow or retried.
 */
export class LeaseKeeper {
  private timer: unknown;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private readonly failures: FailureLog;
  private readonly timers: Timers;
  readonly intervalMs: number;

  constructor(private readonly options: LeaseKeeperOptions) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.intervalMs =
      options.intervalMs ?? renewIntervalFor(options.leaseDurationMs);
    this.failures = new FailureLog({
      operation: 'renewing leases',
      context: 'LeaseKeeper',
      logger: options.logger,
      metrics: options.metrics,
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.scheduleNext();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One renewal pass; returns how many leases were renewed and which were lost. */
  async renewOnce(): Promise<{ renewed: number; lost: HeldLease[] }> {
    try {
      this.options.beforeRenew?.();
    } catch (error) {
      this.options.logger?.warn(
        { msg: 'before renewal', error: String(error) },
        'LeaseKeeper',
      );
    }
    const due = this.options.held.leasesEndingWithin(
      this.options.leaseDurationMs - this.intervalMs,
    );
    let renewed = 0;
    const lost: HeldLease[] = [];
    for (let i = 0; i < due.length; i += RENEW_BATCH_SIZE) {
      const leases = due.slice(i, i + RENEW_BATCH_SIZE).map((h) => ({
        executionId: h.claim.executionId,
        leaseVersion: h.leaseVersion,
      }));
      const result = await this.options.renew(leases, this.options.clock.now());
      this.options.held.extendLeases(
        leases
          .filter((l) => result.has(l.executionId))
          .map((l) => ({ ...l, expiresAt: result.get(l.executionId) as Date })),
      );
      const gone = leases.filter((l) => !result.has(l.executionId));
      this.options.held.markLost(gone);
      renewed += result.size;
      lost.push(...gone);
    }
    if (lost.length > 0)
      this.options.logger?.debug?.(
        { msg: 'leases lost', count: lost.length },
        'LeaseKeeper',
      );
    return { renewed, lost };
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.running = this.renewOnce()
        .then(() => this.failures.succeeded())
        .catch((error: unknown) => this.failures.failed(error))
        .finally(() => {
          this.running = undefined;
          this.scheduleNext();
        });
    }, this.intervalMs);
  }
}
