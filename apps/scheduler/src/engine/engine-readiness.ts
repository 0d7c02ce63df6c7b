/** What the engine reports about itself (SchedulerEngine.stats()). */
export interface EngineStats {
  /** The claim loop is running (between start() and stop()). */
  running: boolean;
  /** Host time of the end of the last successful claim round. */
  lastRoundAt: Date | undefined;
  consecutiveFailures: number;
  /** Executions claimed and not yet settled. */
  held: number;
  /** Trigger calls in flight. */
  inFlight: number;
  /** Outcomes waiting to be written. */
  queuedOutcomes: number;
  /** Database clock minus host clock, ms. */
  clockOffsetMs: number;
  /** The wake-up listener holds its LISTEN connection. */
  listening: boolean;
}

/** What /health reports about the claim loop. */
export interface EngineReadiness {
  ready: boolean;
  details: Record<string, unknown>;
}

/** Below this, a round counts as recent whatever the poll interval, ms. */
const MIN_FRESH_ROUND_MS = 5_000;
/** A round normally ends every poll interval; allow this many missed ones (a slow round). */
const MISSED_ROUNDS_ALLOWED = 10;

/** Ready while the loop runs and its last successful round is recent. */
export function engineReadiness(
  stats: EngineStats,
  hostNow: Date,
  pollIntervalMs: number,
): EngineReadiness {
  const sinceMs = stats.lastRoundAt
    ? hostNow.getTime() - stats.lastRoundAt.getTime()
    : undefined;
  const freshMs = Math.max(
    MIN_FRESH_ROUND_MS,
    MISSED_ROUNDS_ALLOWED * pollIntervalMs,
  );
  return {
    ready: stats.running && sinceMs !== undefined && sinceMs <= freshMs,
    details: {
      running: stats.running,
      lastRoundAgoMs: sinceMs ?? null,
      consecutiveFailures: stats.consecutiveFailures,
      held: stats.held,
      inFlight: stats.inFlight,
      queuedOutcomes: stats.queuedOutcomes,
      clockOffsetMs: Math.round(stats.clockOffsetMs),
      listening: stats.listening,
    },
  };
}
