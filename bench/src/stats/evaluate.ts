import { Distribution, distribution } from './percentiles';
import type { ReceiverStats } from '../receiver/receiver-stats';

/** The promise behind the whole product: every occurrence within ±10 s. */
export const ON_TIME_BOUND_MS = 10_000;

/** What a workload must deliver. */
export interface Expectation {
  /** Schedule id → the scheduled times (epoch ms) that must each arrive. */
  occurrences: Map<string, number[]>;
  /**
   * Occurrences scheduled outside this window are not judged unless expected: a cron
   * keeps producing occurrences before and after the measured window, and those are
   * neither expected nor unexpected. An occurrence listed in `occurrences` is judged
   * wherever it falls (a one-shot acknowledged late in a chaos run may be due just
   * after the window). One-shot workloads leave it undefined.
   */
  window?: { fromMs: number; toMs: number };
}

export interface Evaluation {
  expected: number;
  /** Expected occurrences that arrived at least once. */
  received: number;
  missing: number;
  /** A few missing occurrences as `scheduleId@ISO`, for the log. */
  missingSample: string[];
  /** Occurrences of our schedules, inside the window, that were never expected. */
  unexpected: number;
  /** Occurrences of schedules this workload did not create. */
  foreign: number;
  /** Deliveries beyond the first, over the judged occurrences. */
  duplicateDeliveries: number;
  /** Occurrences delivered under more than one Idempotency-Key (breaks promise 4). */
  duplicatesWithDifferentKeys: number;
  /** Arrival minus scheduled time of each occurrence's first delivery, in ms. */
  latenessMs: Distribution;
  /** Occurrences that arrived earlier or later than ±10 s. */
  outsideBound: number;
  firstDueMs?: number;
  lastDueMs?: number;
  firstArrivalMs?: number;
  lastArrivalMs?: number;
}

export function countExpected(expectation: Expectation): number {
  let n = 0;
  for (const times of expectation.occurrences.values()) n += times.length;
  return n;
}

export function evaluate(
  expectation: Expectation,
  stats: ReceiverStats,
): Evaluation {
  const wanted = new Set<string>();
  let firstDueMs: number | undefined;
  let lastDueMs: number | undefined;
  for (const [scheduleId, times] of expectation.occurrences) {
    for (const t of times) {
      wanted.add(`${scheduleId}|${t}`);
      firstDueMs = Math.min(firstDueMs ?? t, t);
      lastDueMs = Math.max(lastDueMs ?? t, t);
    }
  }
  const window = expectation.window;
  const lateness: number[] = [];
  const found = new Set<string>();
  let unexpected = 0;
  let foreign = 0;
  let duplicateDeliveries = 0;
  let duplicatesWithDifferentKeys = 0;
  let outsideBound = 0;
  let firstArrivalMs: number | undefined;
  let lastArrivalMs: number | undefined;
  for (const [
    scheduleId,
    scheduledAtMs,
    arrivalMs,
    deliveries,
    keys,
  ] of stats.occurrences) {
    if (!expectation.occurrences.has(scheduleId)) {
      foreign++;
      continue;
    }
    const id = `${scheduleId}|${scheduledAtMs}`;
    if (
      window &&
      (scheduledAtMs < window.fromMs || scheduledAtMs > window.toMs) &&
      !wanted.has(id)
    )
      continue;
    duplicateDeliveries += deliveries - 1;
    if (keys > 1) duplicatesWithDifferentKeys++;
    if (!wanted.has(id)) {
      unexpected++;
      continue;
    }
    found.add(id);
    const late = arrivalMs - scheduledAtMs;
    lateness.push(late);
    if (Math.abs(late) > ON_TIME_BOUND_MS) outsideBound++;
    firstArrivalMs = Math.min(firstArrivalMs ?? arrivalMs, arrivalMs);
    lastArrivalMs = Math.max(lastArrivalMs ?? arrivalMs, arrivalMs);
  }
  const missingSample: string[] = [];
  for (const id of wanted) {
    if (found.has(id)) continue;
    const [scheduleId, at] = id.split('|');
    missingSample.push(`${scheduleId}@${new Date(Number(at)).toISOString()}`);
    if (missingSample.length >= 5) break;
  }
  return {
    expected: wanted.size,
    received: found.size,
    missing: wanted.size - found.size,
    missingSample,
    unexpected,
    foreign,
    duplicateDeliveries,
    duplicatesWithDifferentKeys,
    latenessMs: distribution(lateness),
    outsideBound,
    firstDueMs,
    lastDueMs,
    firstArrivalMs,
    lastArrivalMs,
  };
}

/** True when the run broke a promise: something missed, out of bounds, or mis-keyed. */
export function brokePromise(e: Evaluation): boolean {
  return (
    e.missing > 0 || e.outsideBound > 0 || e.duplicatesWithDifferentKeys > 0
  );
}
