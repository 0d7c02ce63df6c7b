import type { Claim } from '../claims/claim';

/**
 * Where a held execution is in its life inside this scheduler:
 *   waiting   in the timer queue until its due time (or in the ready line when every
 *             in-flight slot is taken)
 *   firing    its trigger call is in flight
 *   recording its outcome is queued for COMPLETE_FIRES
 * It stops being held once its outcome is written (or found fenced off), or when it is
 * dropped before firing because its lease expired or was lost.
 */
export type HeldState = 'waiting' | 'firing' | 'recording';

export interface HeldExecution {
  readonly claim: Claim;
  /** The current fencing token (a re-claim of the same row by us bumps it). */
  leaseVersion: number;
  /** Lease expiry as this scheduler knows it, database-clock ms. */
  leaseExpiresAtMs: number;
  dueAtMs: number;
  state: HeldState;
  /** A renewal found the lease gone: never fire it; its outcome will be fenced off. */
  lost: boolean;
  /** Bumped when the entry is re-queued, so stale heap entries are recognised. */
  generation: number;
}
