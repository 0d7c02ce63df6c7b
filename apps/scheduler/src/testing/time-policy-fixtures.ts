import { iterateOccurrences, type ScheduleSpec } from '@scheduleman/domain';

/**
 * Schedule builders the time-policy specs share: the integration spec
 * (ledger/time-policies.int-spec.ts, rows inserted in SQL) and the end-to-end one
 * (e2e/time-policies.e2e-spec.ts, through the API) build the same policies.
 */

/** An exclusion that covers every day: nothing it applies to ever fires. */
export const ALL_WEEK = [{ daysOfWeek: [0, 1, 2, 3, 4, 5, 6] }];

/** Sundays 02:30: EU, US, AU and NZ clocks change on a Sunday, so one is in each gap. */
export const SUNDAY_0230 = '30 2 * * 0';

const GAP_ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'Pacific/Auckland',
];

/** The most recent DST gap instant of SUNDAY_0230 before `before`, over GAP_ZONES, and its zone. */
export function latestGap(before: Date): { zone: string; at: Date } {
  let best: { zone: string; at: Date } | null = null;
  for (const zone of GAP_ZONES) {
    const spec: ScheduleSpec = {
      type: 'cron',
      expression: SUNDAY_0230,
      timezone: zone,
    };
    const from = new Date(before.getTime() - 400 * 86_400_000);
    for (const event of iterateOccurrences(spec, from, {
      dstGapPolicy: 'skip',
    })) {
      if (event.at.getTime() >= before.getTime()) break;
      if (event.skipped && (!best || event.at > best.at))
        best = { zone, at: event.at };
    }
  }
  if (!best) throw new Error('no DST gap found in a year');
  return best;
}
