/**
 * The shape of a run of `npm run bench -- --herd`: a herd of schedules all due at the
 * same second, bulk-inserted through SQL (creating 110,000 schedules through the API
 * would take minutes and measure the API instead), drained by N scheduler processes.
 */
export interface PressurePlan {
  name: 'herd';
  /** One-shot schedules due at the herd's second. */
  oneShots: number;
  /** Cron schedules with a seconds field whose first occurrence is the herd's second. */
  crons: number;
  /** From the end of the bulk insert (and its move to the due second) to the due second. */
  leadMs: number;
  /** How long the harness waits past the due second for the last arrivals. */
  drainLimitMs: number;
}

/** The herd: 100,000 one-shots plus 10,000 second-crons due in the same second. */
export const HERD: PressurePlan = {
  name: 'herd',
  oneShots: 100_000,
  crons: 10_000,
  leadMs: 4_000,
  drainLimitMs: 300_000,
};

export const HERD_SMOKE: PressurePlan = {
  ...HERD,
  oneShots: 2_000,
  crons: 200,
  drainLimitMs: 30_000,
};

/**
 * `npm run chaos -- --overload`: three schedulers and a CPU hog for the whole run, then
 * two bursts on the same cluster. The first is larger than the cluster fires in 10 s on
 * this machine, even quiet: it is the overload, and its drain measures the cluster's fire
 * rate under the hog. The second is `withinCapacityMs` of that measured rate: larger than
 * one scheduler fires within its lease, below the cluster's capacity, and judged against
 * the 10 s promise.
 */
export interface OverloadPlan {
  name: 'overload';
  schedulers: number;
  /** One-shots of the first burst (the probe: above capacity under the hog on this machine). */
  aboveCapacity: number;
  /** The second burst in ms of the first one's measured rate. */
  withinCapacityMs: number;
  /** Bounds of the second burst, occurrences (a floor keeps a smoke run meaningful). */
  withinCapacityMin: number;
  withinCapacityMax: number;
  /** CPU hog processes (busy loops) for the whole run. */
  hogs: number;
  leadMs: number;
  /** Per burst: how long to wait past its due second for the last arrivals. */
  drainLimitMs: number;
}

export const OVERLOAD: OverloadPlan = {
  name: 'overload',
  schedulers: 3,
  aboveCapacity: 20_000,
  // 5 s, not 8: on a quiet machine (3 Dec, 15:36) the second burst fired at 0.69 × the
  // probe's rate, so 8 s of the probe's rate was more than the cluster then had.
  withinCapacityMs: 5_000,
  withinCapacityMin: 500,
  withinCapacityMax: 40_000,
  hogs: 1,
  leadMs: 4_000,
  drainLimitMs: 90_000,
};

export const OVERLOAD_SMOKE: OverloadPlan = {
  ...OVERLOAD,
  aboveCapacity: 2_000,
  withinCapacityMin: 200,
  withinCapacityMax: 2_000,
  drainLimitMs: 30_000,
};
