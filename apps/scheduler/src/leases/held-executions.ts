import type { Clock } from '@scheduleman/domain';
import type { Claim } from '../claims/claim';
import type { HeldExecution } from './held-execution';

export type DropReason = 'lease_expired' | 'lease_lost';

export interface RenewedLease {
  executionId: string;
  leaseVersion: number;
  expiresAt: Date;
}

/** One lease as a renewal names it: the execution and the fencing token it was held with. */
export interface LeaseRef {
  executionId: string;
  leaseVersion: number;
}

/** What the LeaseKeeper needs: which leases to renew, and what the renewal found. */
export interface HeldLeases {
  /** Held executions whose lease ends within `withinMs` (candidates for renewal). */
  leasesEndingWithin(withinMs: number): HeldExecution[];
  /** Records renewed lease expiries (only for the lease version that was renewed). */
  extendLeases(renewed: readonly RenewedLease[]): void;
  /** Marks leases a renewal found gone; waiting executions are dropped at once. */
  markLost(leases: readonly LeaseRef[]): void;
}

export interface HeldExecutionsOptions {
  /** Database time (the scheduler's OffsetClock): lease expiries are database times. */
  clock: Clock;
  /** An execution let go before it fired: its lease ran out or was lost. */
  onDrop?: (held: HeldExecution, reason: DropReason) => void;
}

/**
 * The executions this scheduler holds a lease on, from the claim until the outcome is
 * written (or found fenced off), and what it knows of each lease: version and expiry.
 *
 * The timer queue orders and fires them; the LeaseKeeper renews them through the narrow
 * HeldLeases view; the outcome recorder settles them. Invariants kept here:
 *   - a renewal result applies only to the lease version it renewed: if the execution was
 *     re-claimed meanwhile, the newer claim's lease stands;
 *   - a lease found lost is never fired: a waiting execution is dropped at once, and the
 *     queue re-checks `lost` (and the expiry) just before it fires anything;
 *   - a lost execution already in flight stays held until its outcome settles (its write
 *     is fenced off in the database), but is no longer offered for renewal.
 */
export class HeldExecutions implements HeldLeases {
  private readonly byId = new Map<string, HeldExecution>();

  constructor(private readonly options: HeldExecutionsOptions) {}

  /** Executions held (waiting, firing or recording). */
  get count(): number {
    return this.byId.size;
  }

  /**
   * Holds the execution of a new claim. A claim for an execution already held updates its
   * lease in place and returns the same entry.
   */
  hold(claim: Claim): HeldExecution {
    const existing = this.byId.get(claim.executionId);
    if (existing) {
      // We re-claimed our own row (our lease had expired in the database, e.g. during
      // an outage). The newest lease is the one to present; an attempt in progress is
      // recorded under it.
      existing.leaseVersion = claim.leaseVersion;
      existing.leaseExpiresAtMs = claim.leaseExpiresAt.getTime();
      existing.lost = false;
      return existing;
    }
    const held: HeldExecution = {
      claim,
      leaseVersion: claim.leaseVersion,
      leaseExpiresAtMs: claim.leaseExpiresAt.getTime(),
      dueAtMs: claim.dueAt.getTime(),
      state: 'waiting',
      lost: false,
      generation: 0,
    };
    this.byId.set(claim.executionId, held);
    return held;
  }

  /** Whether `held` is still the entry held for its execution (not settled or dropped). */
  isHeld(held: HeldExecution): boolean {
    return this.byId.get(held.claim.executionId) === held;
  }

  leasesEndingWithin(withinMs: number): HeldExecution[] {
    const limit = this.options.clock.now().getTime() + withinMs;
    return [...this.byId.values()].filter(
      (h) => !h.lost && h.leaseExpiresAtMs <= limit,
    );
  }

  /**
   * Records renewed lease expiries. Only for the lease version that was renewed: if the
   * execution was re-claimed meanwhile, the newer claim's expiry stands.
   */
  extendLeases(renewed: readonly RenewedLease[]): void {
    for (const lease of renewed) {
      const held = this.byId.get(lease.executionId);
      if (held && held.leaseVersion === lease.leaseVersion)
        held.leaseExpiresAtMs = Math.max(
          held.leaseExpiresAtMs,
          lease.expiresAt.getTime(),
        );
    }
  }

  /**
   * Marks leases a renewal found gone (taken over, cancelled, deleted). Waiting ones are
   * dropped now; one in flight finishes, and its write is fenced off in the database.
   */
  markLost(leases: readonly LeaseRef[]): void {
    for (const lease of leases) {
      const held = this.byId.get(lease.executionId);
      if (!held || held.leaseVersion !== lease.leaseVersion) continue;
      held.lost = true;
      if (held.state === 'waiting') this.drop(held, 'lease_lost');
    }
  }

  /** Lets go of an execution before it fired, and reports why. */
  drop(held: HeldExecution, reason: DropReason): void {
    this.byId.delete(held.claim.executionId);
    this.options.onDrop?.(held, reason);
  }

  /**
   * Stops holding `held` (if it is still the entry for its execution) without an outcome:
   * no renewal keeps its lease alive, so it runs out and the execution is claimed again.
   */
  forget(held: HeldExecution): void {
    if (this.isHeld(held)) this.byId.delete(held.claim.executionId);
  }

  /** Stops holding an execution: its outcome was written, or found fenced off. */
  settle(executionId: string): void {
    this.byId.delete(executionId);
  }

  /** The executions not fired yet, earliest due first. */
  waitingByDue(): HeldExecution[] {
    return [...this.byId.values()]
      .filter((h) => h.state === 'waiting')
      .sort((a, b) => a.dueAtMs - b.dueAtMs);
  }

  /**
   * Stops holding these waiting executions, to give them back (RELEASE_CLAIMS): the queue
   * skips them from now on, and no renewal extends their leases. Returns those taken.
   */
  takeBack(executions: readonly HeldExecution[]): HeldExecution[] {
    const taken = executions.filter(
      (h) => h.state === 'waiting' && this.isHeld(h),
    );
    for (const held of taken) this.byId.delete(held.claim.executionId);
    return taken;
  }

  /** Shutdown: stops holding every execution not fired yet and returns them (to release). */
  takeWaiting(): HeldExecution[] {
    const waiting = [...this.byId.values()].filter(
      (h) => h.state === 'waiting',
    );
    for (const held of waiting) this.byId.delete(held.claim.executionId);
    return waiting;
  }
}
