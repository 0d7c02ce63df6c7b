/**
 * The shape of a run of `npm run chaos -- --overload` or `npm run bench -- --herd`: a
 * herd of schedules all due at the same second, bulk-inserted through SQL (creating
 * 110,000 schedules through the API would take minutes and measure the API instead),
 * drained by N scheduler processes, optionally with a CPU hog on the machine.
 */
export interface PressurePlan {
  name: 'overload' | 'herd';
  /** One-shot schedules due at the herd's second. */
  oneShots: number;
  /** Cron schedules with a seconds field whose first occurrence is the herd's second. */
  crons: number;
  /** CPU hog processes (busy loops) started just before the herd, and for how long. */
  hogs: number;
  hogMs: number;
  /** From the end of the bulk insert to the herd's due second. */
  leadMs: number;
  /** How long the harness waits past the due second for the last arrivals. */
  drainLimitMs: number;
}

/**
 * Overload: three schedulers, a burst larger than one scheduler fires within its 4 s
 * lease on this machine (about 5,000 fires/s on a quiet machine, much less with a hog),
 * and a hog taking one of the two cores for the whole drain.
 */
export const OVERLOAD: PressurePlan = {
  name: 'overload',
  oneShots: 20_000,
  crons: 0,
  hogs: 1,
  hogMs: 30_000,
  leadMs: 4_000,
  drainLimitMs: 60_000,
};

export const OVERLOAD_SMOKE: PressurePlan = {
  ...OVERLOAD,
  oneShots: 2_000,
  hogMs: 6_000,
  drainLimitMs: 30_000,
};

/** The herd: 100,000 one-shots plus 10,000 second-crons due in the same second. */
export const HERD: PressurePlan = {
  name: 'herd',
  oneShots: 100_000,
  crons: 10_000,
  hogs: 0,
  hogMs: 0,
  leadMs: 4_000,
  drainLimitMs: 120_000,
};

export const HERD_SMOKE: PressurePlan = {
  ...HERD,
  oneShots: 2_000,
  crons: 200,
  drainLimitMs: 30_000,
};
