import type { ReceiverStats } from '../receiver/receiver-stats';
import type { Expectation } from './evaluate';

/** One row of the occurrence ledger (`executions`), times in epoch ms. */
export interface LedgerRow {
  scheduleId: string;
  scheduledAtMs: number;
  status: string;
  reason: string | null;
}

/** Whether every due occurrence of a run is accounted for (issue 13: the ledger). */
export interface LedgerCheck {
  /** Expected occurrences of the run (inside its window). */
  due: number;
  /** …that reached the receiver at least once. */
  delivered: number;
  /** …that were not delivered but have a `skipped` row with a reason. */
  skipped: number;
  /** …with neither: what the ledger must never have. */
  unaccounted: number;
  /** A few unaccounted occurrences as `scheduleId@ISO (row status or "no row")`. */
  unaccountedSample: string[];
  /** Delivered occurrences with no row at all (a delivery the ledger does not know of). */
  deliveredWithoutRow: number;
  /** `skipped` rows without a reason (every skip must say why). */
  skippedWithoutReason: number;
  /** The skipped rows of the run, by reason. */
  skippedByReason: Record<string, number>;
}

const key = (scheduleId: string, atMs: number) => `${scheduleId}|${atMs}`;

/**
 * Every expected occurrence has either a delivery or a `skipped` row with a reason, and
 * every delivered one has its row: the chaos run's ledger verdict. Rows of schedules the
 * run did not create, and rows outside its window, are not judged.
 */
export function checkLedger(
  expectation: Expectation,
  rows: readonly LedgerRow[],
  stats: ReceiverStats,
): LedgerCheck {
  const window = expectation.window;
  const inWindow = (ms: number) =>
    window === undefined || (ms >= window.fromMs && ms <= window.toMs);
  const ledger = new Map<string, LedgerRow>();
  const skippedByReason: Record<string, number> = {};
  let skippedWithoutReason = 0;
  for (const row of rows) {
    if (!expectation.occurrences.has(row.scheduleId)) continue;
    if (!inWindow(row.scheduledAtMs)) continue;
    ledger.set(key(row.scheduleId, row.scheduledAtMs), row);
    if (row.status !== 'skipped') continue;
    if (row.reason === null) skippedWithoutReason++;
    else skippedByReason[row.reason] = (skippedByReason[row.reason] ?? 0) + 1;
  }
  const arrived = new Set(stats.occurrences.map(([id, at]) => key(id, at)));
  let due = 0;
  let delivered = 0;
  let skipped = 0;
  let deliveredWithoutRow = 0;
  const unaccountedSample: string[] = [];
  for (const [scheduleId, times] of expectation.occurrences)
    for (const at of times) {
      if (!inWindow(at)) continue;
      due++;
      const id = key(scheduleId, at);
      const row = ledger.get(id);
      if (arrived.has(id)) {
        delivered++;
        if (row === undefined) deliveredWithoutRow++;
        continue;
      }
      if (row?.status === 'skipped' && row.reason !== null) {
        skipped++;
        continue;
      }
      if (unaccountedSample.length < 5)
        unaccountedSample.push(
          `${scheduleId}@${new Date(at).toISOString()} (${row?.status ?? 'no row'})`,
        );
    }
  return {
    due,
    delivered,
    skipped,
    unaccounted: due - delivered - skipped,
    unaccountedSample,
    deliveredWithoutRow,
    skippedWithoutReason,
    skippedByReason,
  };
}

/** True when the ledger fails its promise: an occurrence nobody can account for. */
export function ledgerBroken(check: LedgerCheck): boolean {
  return (
    check.unaccounted > 0 ||
    check.deliveredWithoutRow > 0 ||
    check.skippedWithoutReason > 0
  );
}
