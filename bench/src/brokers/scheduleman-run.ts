import type { Clock } from '@scheduleman/domain';
import type { ApiClient } from '@scheduleman/testkit';
import { type Distribution, distribution } from '../stats/percentiles';
import { iso } from '../workloads/workload';
import { type Arrivals, countArrivals } from './arrivals';
import type { BrokerDestination } from './broker-target';
import { awaitFinished, type ExecutionTimes } from './executions-read';

export interface SchedulemanResult {
  count: number;
  creationPerSecond: number;
  creationFailures: number;
  firstCreationFailure?: string;
  succeeded: number;
  failed: number;
  /** Executions not finished when the bench stopped waiting. */
  unfinished: number;
  firstError?: string;
  /** Executions that needed more than one attempt (their initiation includes the retry delay). */
  retried: number;
  /** Succeeded fires per second, from the first fire's start to the last one's end. */
  firesPerSecond?: number;
  /** From the due time to the last execution's end, in ms. */
  drainMs?: number;
  /** finishedAt - firedAt of each succeeded execution: the trigger call, publish to confirm. */
  initiationMs: Distribution;
  /** firedAt - scheduledAt. */
  latenessMs: Distribution;
  arrivals: Arrivals;
}

export interface BatchContext {
  api: ApiClient;
  databaseUrl: string;
  clock: Clock;
  connectionId: string;
  destination: BrokerDestination;
  log: (line: string) => void;
}

/** How long after the due time the bench waits for a batch to finish. */
const FINISH_WAIT_MS = 60_000;

/**
 * `count` one-shots on the broker's trigger, all due at `dueMs`, created through the API;
 * then waits until all are finished and reads back what arrived at the broker.
 */
export async function fireBatch(
  ctx: BatchContext,
  name: string,
  count: number,
  dueMs: number,
): Promise<{ result: SchedulemanResult; rows: ExecutionTimes[] }> {
  const trigger = ctx.destination.trigger(ctx.connectionId);
  const creation = await ctx.api.createMany(
    Array.from({ length: count }, (_, i) => i),
    (i) => ({
      name: `${name}-${String(i)}`,
      schedule: { type: 'at', at: iso(dueMs) },
      trigger,
    }),
  );
  const scheduleIds = creation.created.map((c) => c.schedule.id);
  if (ctx.clock.now().getTime() > dueMs)
    ctx.log(`${name}: creation overran the due time; lateness includes it`);
  const rows = await awaitFinished(
    ctx.databaseUrl,
    scheduleIds,
    scheduleIds.length,
    dueMs + FINISH_WAIT_MS,
    () => ctx.clock.now().getTime(),
  );
  const succeeded = rows.filter((r) => r.status === 'succeeded');
  const failed = rows.filter((r) => r.status === 'failed');
  const bodies = await ctx.destination.drain(succeeded.length, 10_000);
  const fired = rows.flatMap((r) => (r.firedMs === null ? [] : [r.firedMs]));
  const ended = succeeded.flatMap((r) =>
    r.finishedMs === null ? [] : [r.finishedMs],
  );
  const firstFired = fired.length ? Math.min(...fired) : undefined;
  const lastEnded = ended.length ? Math.max(...ended) : undefined;
  const activeMs =
    firstFired !== undefined && lastEnded !== undefined
      ? lastEnded - firstFired
      : 0;
  return {
    rows,
    result: {
      count,
      creationPerSecond: creation.perSecond,
      creationFailures: creation.failures.length,
      firstCreationFailure: creation.failures[0],
      succeeded: succeeded.length,
      failed: failed.length,
      unfinished: scheduleIds.length - succeeded.length - failed.length,
      firstError: failed.find((r) => r.error)?.error ?? undefined,
      retried: rows.filter((r) => r.attempts > 1).length,
      firesPerSecond:
        activeMs > 0 ? (succeeded.length / activeMs) * 1000 : undefined,
      drainMs: lastEnded !== undefined ? lastEnded - dueMs : undefined,
      initiationMs: distribution(
        succeeded.flatMap((r) =>
          r.firedMs !== null && r.finishedMs !== null
            ? [r.finishedMs - r.firedMs]
            : [],
        ),
      ),
      latenessMs: distribution(
        rows.flatMap((r) =>
          r.firedMs === null ? [] : [r.firedMs - r.scheduledMs],
        ),
      ),
      arrivals: countArrivals(
        bodies,
        succeeded.map((r) => r.id),
      ),
    },
  };
}

/** A due time whole seconds ahead, far enough for `count` creations at `perSecond` (times `safety`) plus 2 s. */
export function dueAfter(
  clock: Clock,
  count: number,
  perSecond: number,
  safety: number,
): number {
  const creationMs = (count / perSecond) * 1000 * safety;
  return Math.ceil((clock.now().getTime() + creationMs + 2_000) / 1000) * 1000;
}
