import {
  type FireOutcome,
  type FireRequest,
  OffsetClock,
  SystemClock,
  type TriggerProvider,
} from '@scheduleman/domain';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { ClaimsRepository } from '../claims/claims.repository';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import {
  type EngineSettings,
  SchedulerEngine,
} from '../engine/scheduler-engine';
import { trackEngine } from './engine-registry';

/** A trigger provider that records every call; `respond` decides each outcome. */
export class RecordingProvider {
  readonly calls: (FireRequest & { schedulerId: string })[] = [];

  constructor(
    readonly type = 'recording',
    private readonly respond: (
      request: FireRequest,
    ) => FireOutcome | Promise<FireOutcome> = () => ({
      kind: 'delivered',
      responseStatus: 200,
    }),
  ) {}

  /** The provider as seen by one scheduler, so each call records who fired it. */
  as(schedulerId: string): TriggerProvider {
    return {
      type: this.type,
      fire: async (request) => {
        this.calls.push({ ...request, schedulerId });
        return this.respond(request);
      },
    };
  }
}

export const FAST_SETTINGS: Omit<EngineSettings, 'schedulerId'> = {
  leaseDurationMs: 4_000,
  pollIntervalMs: 200,
  lookaheadMs: 1_500,
  claimBatchSize: 100,
  maxInFlight: 64,
  triggerTimeoutMs: 3_000,
  shutdownGraceMs: 2_000,
};

export interface TestEngine {
  engine: SchedulerEngine;
  /** The engine's own claim statements (leasing as its schedulerId). */
  repository: ClaimsRepository;
  metrics: SchedulerMetrics;
  registry: Registry;
}

/**
 * A SchedulerEngine on its own metrics registry, firing through `provider`. Tracked:
 * a test that leaves it running fails (see apps/scheduler/jest-engine-leaks.ts).
 */
export function createTestEngine(
  dataSource: DataSource,
  schedulerId: string,
  provider: RecordingProvider,
  settings: Partial<EngineSettings> = {},
): TestEngine {
  const registry = new Registry();
  const metrics = new SchedulerMetrics(registry);
  const own = provider.as(schedulerId);
  const all = { ...FAST_SETTINGS, schedulerId, ...settings };
  const repository = new ClaimsRepository(dataSource, {
    owner: schedulerId,
    leaseDurationMs: all.leaseDurationMs,
  });
  const hostClock = new SystemClock();
  const engine = new SchedulerEngine({
    settings: all,
    repository,
    clock: new OffsetClock(hostClock),
    hostClock,
    triggers: { get: (type) => (type === own.type ? own : undefined) },
    metrics,
  });
  trackEngine(schedulerId, engine);
  return { engine, repository, metrics, registry };
}

/** Inserts `count` active one-shot schedules due `dueInMs(i)` after the database's now. */
export async function insertOneShots(
  dataSource: DataSource,
  count: number,
  dueInMs: (i: number) => number,
  options: {
    triggerType?: string;
    /** The stored trigger; `{ type: triggerType }` by default. */
    trigger?: { type: string } & Record<string, unknown>;
    misfirePolicy?: string;
    maxAttempts?: number;
  } = {},
): Promise<string[]> {
  const ids: string[] = await dataSource
    .query(
      `select gen_random_uuid()::text as id from generate_series(1, $1::int)`,
      [count],
    )
    .then((rows: { id: string }[]) => rows.map((r) => r.id));
  await dataSource.query(
    `insert into schedules (id, name, schedule_type, schedule, trigger_type, trigger, misfire_policy, max_attempts, next_run_at)
     select t.id, 'test-' || t.n, 'at',
       jsonb_build_object('type', 'at', 'at', to_char(x.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
       $3::text, coalesce($6::jsonb, jsonb_build_object('type', $3::text)), $4::text, $5::int, x.at
     from unnest($1::uuid[], $2::int[]) with ordinality as t(id, offset_ms, n),
     lateral (select date_trunc('milliseconds', clock_timestamp()) + t.offset_ms * interval '1 millisecond' as at) x`,
    [
      ids,
      ids.map((_, i) => dueInMs(i)),
      options.trigger?.type ?? options.triggerType ?? 'recording',
      options.misfirePolicy ?? 'fire_once',
      options.maxAttempts ?? 5,
      options.trigger ? JSON.stringify(options.trigger) : null,
    ],
  );
  return ids;
}
