import {
  everyNSecondsCron,
  everyNSecondsOccurrences,
} from '../stats/cron-occurrences';
import type { Workload } from './workload';
import { creationStats, webhookTrigger } from './workload';

/** Seconds between fires of the i-th cron schedule: 1..10 in turn. */
export function cronStep(i: number): number {
  return 1 + (i % 10);
}

/**
 * `count` cron schedules with seconds (every 1 to 10 s), judged over a window of
 * `windowMs` that opens once all of them exist. Occurrences outside the window are
 * ignored: the window must not start before the last schedule was accepted.
 */
export function cronWorkload(count: number, windowMs: number): Workload {
  return {
    name: 'cron',
    description: `${count} cron schedules every 1-10 s, judged over ${windowMs / 1000} s`,
    async create(ctx) {
      const steps = Array.from({ length: count }, (_, i) => cronStep(i));
      const result = await ctx.api.createMany(steps, (step) => ({
        name: `cron-every-${step}s`,
        schedule: { type: 'cron', expression: everyNSecondsCron(step) },
        trigger: webhookTrigger(ctx.hookUrl),
      }));
      // One second of margin: an occurrence right after acceptance may already be planned.
      const fromMs =
        Math.ceil((ctx.clock.now().getTime() + 1_000) / 1000) * 1000;
      const toMs = fromMs + windowMs;
      const occurrences = new Map<string, number[]>();
      for (const { schedule, input } of result.created)
        occurrences.set(
          schedule.id,
          everyNSecondsOccurrences(input, fromMs, toMs),
        );
      return {
        expectation: { occurrences, window: { fromMs, toMs } },
        creation: creationStats(ctx, result, undefined),
        lastDueMs: toMs,
      };
    },
  };
}
