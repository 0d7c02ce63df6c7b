import type { ReceiverStats } from '../receiver/receiver-stats';
import { type Expectation, ON_TIME_BOUND_MS } from '../stats/evaluate';

/** When the primary died, and when the new one first committed a write (epoch ms). */
export interface FailoverSpan {
  killedAtMs: number;
  recoveredAtMs: number;
}

export interface FailoverLateness {
  /** recoveredAtMs − killedAtMs. */
  failoverMs: number;
  /** The bound for occurrences due during the failover: failoverMs + 10 s. */
  boundDuringMs: number;
  /** Expected occurrences due in [killedAtMs, recoveredAtMs]. */
  dueDuring: number;
  /** …of which delivered, and the latest of them. */
  deliveredDuring: number;
  maxLatenessDuringMs: number | undefined;
  /** Occurrences due during the failover that arrived later than boundDuringMs. */
  lateDuring: number;
  /** Every other expected occurrence that arrived outside ±10 s. */
  outsideBoundElsewhere: number;
  /** A few of either kind as `scheduleId@ISO +lateness`, for the log. */
  sample: string[];
}

/**
 * The issue's lateness promise for a failover: every occurrence due while the database
 * had no primary fired within the failover time plus 10 s, and every other one within
 * the usual ±10 s. Missing occurrences are evaluate()'s business, not counted here.
 */
export function judgeFailoverLateness(
  expectation: Expectation,
  stats: ReceiverStats,
  span: FailoverSpan,
): FailoverLateness {
  const failoverMs = span.recoveredAtMs - span.killedAtMs;
  const boundDuringMs = failoverMs + ON_TIME_BOUND_MS;
  const arrivals = new Map<string, number>();
  for (const [scheduleId, scheduledAtMs, arrivalMs] of stats.occurrences)
    arrivals.set(`${scheduleId}|${scheduledAtMs}`, arrivalMs);
  const window = expectation.window;
  const result: FailoverLateness = {
    failoverMs,
    boundDuringMs,
    dueDuring: 0,
    deliveredDuring: 0,
    maxLatenessDuringMs: undefined,
    lateDuring: 0,
    outsideBoundElsewhere: 0,
    sample: [],
  };
  const note = (scheduleId: string, dueMs: number, latenessMs: number) => {
    if (result.sample.length < 5)
      result.sample.push(
        `${scheduleId}@${new Date(dueMs).toISOString()} +${latenessMs} ms`,
      );
  };
  for (const [scheduleId, times] of expectation.occurrences) {
    for (const dueMs of times) {
      if (window && (dueMs < window.fromMs || dueMs > window.toMs)) continue;
      const during = dueMs >= span.killedAtMs && dueMs <= span.recoveredAtMs;
      if (during) result.dueDuring++;
      const arrivalMs = arrivals.get(`${scheduleId}|${dueMs}`);
      if (arrivalMs === undefined) continue;
      const latenessMs = arrivalMs - dueMs;
      if (during) {
        result.deliveredDuring++;
        result.maxLatenessDuringMs = Math.max(
          result.maxLatenessDuringMs ?? latenessMs,
          latenessMs,
        );
        if (latenessMs > boundDuringMs) {
          result.lateDuring++;
          note(scheduleId, dueMs, latenessMs);
        }
      } else if (Math.abs(latenessMs) > ON_TIME_BOUND_MS) {
        result.outsideBoundElsewhere++;
        note(scheduleId, dueMs, latenessMs);
      }
    }
  }
  return result;
}

/** Acknowledged creations that the database no longer has. */
export function lostSchedules(
  acknowledged: readonly string[],
  stored: ReadonlySet<string>,
): string[] {
  return acknowledged.filter((id) => !stored.has(id));
}
