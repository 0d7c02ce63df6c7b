import type { CreatedWorkload, Workload, WorkloadContext } from './workload';
import {
  creationStats,
  firstDueAfterCreation,
  iso,
  measurePilotRate,
  webhookTrigger,
} from './workload';

/**
 * One-shot (`at`) schedules created through the API. `dueTimes(firstDueMs)` places them:
 * all on one instant (burst) or spread over an interval (spread).
 */
export async function createOneShots(
  ctx: WorkloadContext,
  name: string,
  count: number,
  dueTimes: (firstDueMs: number) => number[],
): Promise<CreatedWorkload> {
  const firstDueMs = await firstDueAfterCreation(ctx, count);
  const times = dueTimes(firstDueMs);
  const result = await ctx.api.createMany(times, (at) => ({
    name: `${name}-${at}`,
    schedule: { type: 'at', at: iso(at) },
    trigger: webhookTrigger(ctx.hookUrl),
  }));
  if (result.created.length >= 100)
    ctx.creationRate.perSecond = result.perSecond;
  const occurrences = new Map<string, number[]>();
  for (const { schedule, input } of result.created)
    occurrences.set(schedule.id, [input]);
  return {
    expectation: { occurrences },
    creation: creationStats(ctx, result, firstDueMs),
    lastDueMs: Math.max(...times),
  };
}

/**
 * Schedules due in a few seconds, spread over one, created before a burst so that the
 * schedulers fire it warm (JIT-compiled, connections open), as a long-running scheduler
 * would: a fresh process is much slower for its first thousand fires or so. They fire
 * while the burst is still being created; not being expected, they count as foreign.
 */
async function warmUp(
  ctx: WorkloadContext,
  count: number,
  burstCount: number,
): Promise<void> {
  // Created in due order, due from 2 s on at 200 a second: a cold API usually creates
  // faster than that, so each exists before its time. On a machine loaded by others it
  // may not, and the API refuses an `at` more than 5 s past (requests then wait seconds
  // in its queue): one that fell behind is due 2 s after it is sent (warm-ups are not judged).
  const startMs = ctx.clock.now().getTime() + 2_000;
  const times = Array.from({ length: count }, (_, i) => startMs + i * 5);
  const result = await ctx.api.createMany(times, (at) => ({
    name: `warm-up-${at}`,
    schedule: {
      type: 'at',
      at: iso(Math.max(at, ctx.clock.now().getTime() + 2_000)),
    },
    trigger: webhookTrigger(ctx.hookUrl),
  }));
  if (result.failures.length)
    throw new Error(`warm-up creations failed: ${result.failures[0]}`);
  // The burst's due time is set from the creation rate: measure this cluster's now,
  // warm and with the warm-up firing, rather than reuse the last run's (three schedulers
  // firing leave the API less CPU than one did, and the burst's creation once overran its
  // due time; the warm-up's own rate, from a cold API, is far too low).
  ctx.creationRate.perSecond = await measurePilotRate(ctx, burstCount, true);
}

/** The burst's instants: `count` times the first due time. */
export function burstDueTimes(count: number): (firstDueMs: number) => number[] {
  return (first) => Array.from({ length: count }, () => first);
}

/** The spread's instants: `count` due uniformly over `spreadMs` from the first due time. */
export function spreadDueTimes(
  count: number,
  spreadMs: number,
): (firstDueMs: number) => number[] {
  return (first) =>
    Array.from(
      { length: count },
      (_, i) => first + Math.floor((i * spreadMs) / count),
    );
}

/** `count` one-shots all due at the same second, after `warmUpCount` warm-up fires. */
export function burstWorkload(count: number, warmUpCount = 0): Workload {
  return {
    name: 'burst',
    description:
      `${count} one-shot schedules due at the same second` +
      (warmUpCount ? ` (after ${warmUpCount} warm-up fires)` : ''),
    async create(ctx) {
      if (warmUpCount) await warmUp(ctx, warmUpCount, count);
      return createOneShots(ctx, 'burst', count, burstDueTimes(count));
    },
  };
}

/** `count` one-shots due uniformly over `spreadMs`. */
export function spreadWorkload(
  count: number,
  spreadMs: number,
  name = 'spread',
): Workload {
  return {
    name,
    description: `${count} one-shot schedules due uniformly over ${spreadMs / 1000} s`,
    create: (ctx) =>
      createOneShots(ctx, name, count, spreadDueTimes(count, spreadMs)),
  };
}
