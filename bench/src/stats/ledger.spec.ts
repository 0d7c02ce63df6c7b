import type { ReceiverStats } from '../receiver/receiver-stats';
import type { Expectation } from './evaluate';
import { checkLedger, ledgerBroken, type LedgerRow } from './ledger';

const expectation: Expectation = {
  occurrences: new Map([
    ['a', [1_000, 2_000, 3_000]],
    ['b', [2_500]],
  ]),
  window: { fromMs: 1_000, toMs: 3_000 },
};

function stats(...arrived: [string, number][]): ReceiverStats {
  return {
    requests: arrived.length,
    malformed: 0,
    occurrences: arrived.map(([id, at]) => [id, at, at + 5, 1, 1]),
  };
}

const row = (
  scheduleId: string,
  scheduledAtMs: number,
  status: string,
  reason: string | null = null,
): LedgerRow => ({ scheduleId, scheduledAtMs, status, reason });

describe('checkLedger', () => {
  it('accounts for every occurrence delivered or skipped with a reason', () => {
    const check = checkLedger(
      expectation,
      [
        row('a', 1_000, 'succeeded'),
        row('a', 2_000, 'succeeded'),
        row('a', 3_000, 'skipped', 'misfire_policy'),
        row('b', 2_500, 'succeeded'),
      ],
      stats(['a', 1_000], ['a', 2_000], ['b', 2_500]),
    );
    expect(check).toEqual({
      due: 4,
      delivered: 3,
      skipped: 1,
      unaccounted: 0,
      unaccountedSample: [],
      deliveredWithoutRow: 0,
      skippedWithoutReason: 0,
      skippedByReason: { misfire_policy: 1 },
    });
    expect(ledgerBroken(check)).toBe(false);
  });

  it('names an occurrence with neither a delivery nor a skipped row', () => {
    const check = checkLedger(
      expectation,
      [row('a', 1_000, 'succeeded'), row('a', 2_000, 'pending')],
      stats(['a', 1_000], ['b', 2_500]),
    );
    expect(check.unaccounted).toBe(2);
    expect(check.unaccountedSample).toEqual([
      'a@1970-01-01T00:00:02.000Z (pending)',
      'a@1970-01-01T00:00:03.000Z (no row)',
    ]);
    expect(check.deliveredWithoutRow).toBe(1);
    expect(ledgerBroken(check)).toBe(true);
  });

  it('refuses a skip without a reason, and ignores rows outside the run', () => {
    const check = checkLedger(
      expectation,
      [
        row('a', 1_000, 'skipped'),
        row('a', 9_000, 'skipped'),
        row('z', 2_000, 'skipped'),
      ],
      stats(['a', 2_000], ['a', 3_000], ['b', 2_500]),
    );
    expect(check.skippedWithoutReason).toBe(1);
    expect(check.unaccounted).toBe(1);
    expect(ledgerBroken(check)).toBe(true);
  });
});
