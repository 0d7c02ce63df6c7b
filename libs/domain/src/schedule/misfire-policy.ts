/**
 * What to do with occurrences that were missed (the system was down, or every scheduler
 * was too busy) by more than `MISFIRE_THRESHOLD_MS`. Occurrences that are late by less
 * than the threshold are not misfires: they fire normally under every policy.
 *
 * - `fire_once` (default): fire the most recent missed occurrence once, then continue.
 * - `skip`: fire none of the missed occurrences; continue with the next future one.
 * - `fire_all`: fire every missed occurrence, oldest first; when more than
 *   `MAX_CATCH_UP_OCCURRENCES` were missed, only the most recent that many fire and the
 *   older ones are skipped (a per-second cron down for a week must not send 604 800 calls).
 *
 * Every missed occurrence not fired is recorded as a `skipped` execution with reason
 * `misfire_policy` (the occurrence ledger; older ones of a long outage as range rows).
 * A missed one-shot fires under `fire_once` and `fire_all` and is skipped under `skip`. Missed occurrences that fire keep their scheduled time (and so
 * their execution id) but are due at once. See plan-occurrences.ts.
 */
export const MISFIRE_POLICIES = ['fire_once', 'skip', 'fire_all'] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

export const DEFAULT_MISFIRE_POLICY: MisfirePolicy = 'fire_once';

/** Lateness beyond which an occurrence counts as missed (the ±10 s promise). */
export const MISFIRE_THRESHOLD_MS = 10_000;

/** Upper bound on occurrences emitted at once by `fire_all`. */
export const MAX_CATCH_UP_OCCURRENCES = 100;
