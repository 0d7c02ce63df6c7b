import type { Clock } from '@scheduleman/domain';
import type { ApiClient, CreationResult } from '../infra/api-client';
import type { Expectation } from '../stats/evaluate';

export interface CreationStats {
  count: number;
  failures: number;
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
  /** Latest measured API creation rate (per second), to plan due times that creation will not overrun. */
  creationRate: { perSecond: number };
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
  prepareDatabase?(databaseUrl: string, log: (line: string) => void): Promise<void>;
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
 * The first due time for `count` schedules about to be created: far enough ahead that
 * creation (at the last measured rate, with a margin) finishes before anything is due,
 * so lateness measures the scheduler and not the harness.
 */
export function firstDueAfterCreation(ctx: WorkloadContext, count: number, minLeadMs = 2_000): number {
  const creationMs = (count / Math.max(50, ctx.creationRate.perSecond)) * 1000 * 1.3;
  const ms = ctx.clock.now().getTime() + creationMs + minLeadMs;
  return Math.ceil(ms / 1000) * 1000;
}

export function creationStats<T>(ctx: WorkloadContext, result: CreationResult<T>, firstDueMs: number | undefined): CreationStats {
  if (result.created.length > 0) ctx.creationRate.perSecond = result.perSecond;
  return {
    count: result.created.length,
    failures: result.failures.length,
    perSecond: result.perSecond,
    overranDue: firstDueMs !== undefined && ctx.clock.now().getTime() > firstDueMs,
    firstFailure: result.failures[0],
  };
}
