import type { Clock, CreateScheduleRequest } from '@scheduleman/domain';
import type { ApiClient, CreationResult } from '@scheduleman/testkit';
import type { Expectation } from '../stats/evaluate';

export interface CreationStats {
  count: number;
  failures: number;
  /** Creations retried after a 5xx or a network error. */
  retried: number;
  firstRetried?: string;
  /** API creations per second with 50 requests in flight over keep-alive. */
  perSecond: number;
  /** True when creation finished later than the first due time: lateness then includes the harness's own delay. */
  overranDue: boolean;
  firstFailure?: string;
}

export interface WorkloadContext {
  api: ApiClient;
  /** The receiver URL every schedule's webhook points at. */
  hookUrl: string;
  clock: Clock;
  /** Safety factor on the predicted creation time: higher on a loaded machine (smoke runs). */
  creationSafety: number;
  /** The API's rate for one-shots measured by the previous run, if any (shared across runs). */
  creationRate: { perSecond?: number };
  log: (line: string) => void;
}

export interface CreatedWorkload {
  expectation: Expectation;
  creation: CreationStats;
  /** The last scheduled time (epoch ms) that is judged; the harness waits past it. */
  lastDueMs: number;
}

export interface Workload {
  readonly name: string;
  readonly description: string;
  /** One database serves every run of this workload (it is expensive to prepare). */
  readonly reuseDatabase?: boolean;
  /** Fills the freshly migrated database before any process starts. */
  prepareDatabase?(
    databaseUrl: string,
    log: (line: string) => void,
  ): Promise<void>;
  create(ctx: WorkloadContext): Promise<CreatedWorkload>;
}

/** ISO-8601 with milliseconds in UTC, as the contract's `at` and headers use. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function webhookTrigger(hookUrl: string) {
  return { type: 'webhook', url: hookUrl, method: 'POST' };
}

/**
 * `count` one-shots named `<label>-<i>`, due a day from now: they never fire during a
 * run, so creating them measures the API alone (pilots, creation benchmarks).
 */
export function dueTomorrow(
  clock: Clock,
  hookUrl: string,
  label: string,
  count: number,
): CreateScheduleRequest[] {
  const tomorrow = iso(clock.now().getTime() + 86_400_000);
  return Array.from({ length: count }, (_, i) => ({
    name: `${label}-${i}`,
    schedule: { type: 'at', at: tomorrow },
    trigger: webhookTrigger(hookUrl),
  }));
}

/**
 * The first due time for `count` schedules about to be created: far enough ahead that
 * creation finishes before anything is due, so lateness measures the scheduler and not
 * the harness. The API's rate is the previous run's; for the first run it is measured with
 * small pilot batches of schedules due tomorrow (they never fire during the run),
 * because a shared machine's speed varies too much for a fixed guess.
 */
export async function firstDueAfterCreation(
  ctx: WorkloadContext,
  count: number,
  minLeadMs = 2_000,
): Promise<number> {
  const perSecond =
    ctx.creationRate.perSecond ?? (await measurePilotRate(ctx, count));
  const creationMs = (count / perSecond) * 1000 * ctx.creationSafety;
  return (
    Math.ceil((ctx.clock.now().getTime() + creationMs + minLeadMs) / 1000) *
    1000
  );
}

/**
 * Creations per second of this cluster's API now, from `pilotCount` schedules due
 * tomorrow (never fired during a run), after twice as many unmeasured unless the API is
 * already warm.
 */
export async function measurePilotRate(
  ctx: WorkloadContext,
  count: number,
  apiIsWarm = false,
): Promise<number> {
  const pilotCount = Math.min(500, Math.max(100, Math.round(count / 20)));
  const pilot = (n: number) =>
    ctx.api.createMany(
      dueTomorrow(ctx.clock, ctx.hookUrl, 'pilot', n),
      (body) => body,
    );
  // A fresh API is slow for its first thousand requests or so (connections, JIT): warm
  // it up first, or the estimate, and with it the wait before the first due time, doubles.
  if (!apiIsWarm) await pilot(pilotCount * 2);
  const measured = await pilot(pilotCount);
  if (measured.failures.length)
    throw new Error(`pilot creations failed: ${measured.failures[0]}`);
  return measured.perSecond;
}

export function creationStats<T>(
  ctx: WorkloadContext,
  result: CreationResult<T>,
  firstDueMs: number | undefined,
): CreationStats {
  return {
    count: result.created.length,
    failures: result.failures.length,
    retried: result.retried.length,
    firstRetried: result.retried[0],
    perSecond: result.perSecond,
    overranDue:
      firstDueMs !== undefined && ctx.clock.now().getTime() > firstDueMs,
    firstFailure: result.failures[0],
  };
}
