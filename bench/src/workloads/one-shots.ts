import type { CreatedWorkload, Workload, WorkloadContext } from './workload';
import { creationStats, firstDueAfterCreation, iso, webhookTrigger } from './workload';

/**
 * One-shot (`at`) schedules created through the API. `dueTimes(firstDueMs)` places them:
 * all on one instant (burst) or spread over an interval (spread).
 */
export async function createOneShots(ctx: WorkloadContext, name: string, count: number, dueTimes: (firstDueMs: number) => number[]): Promise<CreatedWorkload> {
  const firstDueMs = await firstDueAfterCreation(ctx, count);
  const times = dueTimes(firstDueMs);
  const result = await ctx.api.createMany(times, (at) => ({
    name: `${name}-${at}`,
    schedule: { type: 'at', at: iso(at) },
    trigger: webhookTrigger(ctx.hookUrl),
  }));
  if (result.created.length >= 100) ctx.creationRate.perSecond = result.perSecond;
  const occurrences = new Map<string, number[]>();
  for (const { schedule, input } of result.created) occurrences.set(schedule.id, [input]);
  return {
    expectation: { occurrences },
    creation: creationStats(ctx, result, firstDueMs),
    lastDueMs: Math.max(...times),
  };
}

/** `count` one-shots all due at the same second. */
export function burstWorkload(count: number): Workload {
  return {
    name: 'burst',
    description: `${count} one-shot schedules due at the same second`,
    create: (ctx) => createOneShots(ctx, 'burst', count, (first) => Array.from({ length: count }, () => first)),
  };
}

/** `count` one-shots due uniformly over `spreadMs`. */
export function spreadWorkload(count: number, spreadMs: number, name = 'spread'): Workload {
  return {
    name,
    description: `${count} one-shot schedules due uniformly over ${spreadMs / 1000} s`,
    create: (ctx) => createOneShots(ctx, name, count, (first) => Array.from({ length: count }, (_, i) => first + Math.floor((i * spreadMs) / count))),
  };
}
