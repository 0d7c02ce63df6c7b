/**
 * What the receiver saw, per occurrence (schedule id + scheduled time, from the
 * contract's headers): compact tuples, because a run can deliver tens of thousands.
 */
export interface ReceiverStats {
  /** Every request, including repeats and malformed ones. */
  requests: number;
  /** Requests without the contract's Idempotency-Key / schedule / scheduled-at headers. */
  malformed: number;
  occurrences: OccurrenceTuple[];
}

/**
 * [scheduleId, scheduledAtMs, firstArrivalMs, deliveries, distinctKeys]. A duplicate
 * delivery is `deliveries > 1`; it is harmless only when `distinctKeys === 1` (promise 4:
 * every delivery of one occurrence carries the same Idempotency-Key).
 */
export type OccurrenceTuple = [string, number, number, number, number];

export interface ReceiverCount {
  requests: number;
  occurrences: number;
  /** Requests carrying a `webhook-signature` header (Standard Webhooks; not verified here). */
  signed: number;
  /** The `v1,…` entries of those headers: one per active secret. */
  signatures: number;
  /** Sum of the deliveries' Content-Length: the same body size is compared across systems. */
  bodyBytes: number;
  /** Requests whose X-Scheduleman-Attempt is above 1: retries, not re-fires of a lease. */
  retries: number;
}
