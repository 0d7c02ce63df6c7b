/** The shape of one chaos run. All times in ms from the start of the judged window. */
export interface ChaosPlan {
  /** Length of the judged window. */
  windowMs: number;
  /** Cron schedules firing every second. */
  everySecondCrons: number;
  /** One-shot schedules spread over the window. */
  oneShots: number;
  /** Random pause between two events (SIGKILL + restart, restart of the database, SIGSTOP). */
  gapMs: [number, number];
  /** How long a killed scheduler stays dead before it is restarted. */
  deadForMs: [number, number];
  /** When to restart the database server (embedded only). */
  databaseRestartAtMs: number;
  /** When to freeze one scheduler with SIGSTOP, and for how long (longer than its 4 s lease). */
  freezeAtMs: number;
  freezeForMs: number;
  /** No new event starts in the last part of the window, so the run ends settled. */
  quietEndMs: number;
  /** The clock skew of the skewed scheduler (scheduler-3). */
  skewMs: number;
  /** How long after the window the harness waits for stragglers (the ±10 s bound plus margin). */
  stragglerWaitMs: number;
}

export const FULL_CHAOS: ChaosPlan = {
  windowMs: 150_000,
  everySecondCrons: 20,
  oneShots: 3_000,
  gapMs: [3_000, 6_000],
  deadForMs: [500, 3_000],
  databaseRestartAtMs: 50_000,
  freezeAtMs: 95_000,
  freezeForMs: 8_000,
  quietEndMs: 8_000,
  skewMs: 60_000,
  stragglerWaitMs: 12_000,
};

export const SMOKE_CHAOS: ChaosPlan = {
  windowMs: 14_000,
  everySecondCrons: 10,
  oneShots: 200,
  gapMs: [1_000, 1_500],
  deadForMs: [300, 800],
  // Early enough that one kill, the restart and the freeze all fit in 14 s in any order.
  databaseRestartAtMs: 2_000,
  freezeAtMs: 4_000,
  freezeForMs: 5_000,
  quietEndMs: 2_000,
  skewMs: 60_000,
  stragglerWaitMs: 12_000,
};
