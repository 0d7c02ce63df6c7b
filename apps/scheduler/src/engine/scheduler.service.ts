import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type Clock,
  type OffsetClock,
  ResultTokens,
} from '@scheduleman/domain';
import { CLOCK, ReadinessRegistry } from '@scheduleman/runtime';
import { DATABASE_CLOCK } from '../claims/claims.providers';
import { ClaimsRepository } from '../claims/claims.repository';
import type { SchedulerConfig } from '../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../config/scheduler-config.token';
import { ScheduleUpkeepRepository } from '../housekeeping/schedule-upkeep.repository';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { TriggerRegistry } from '../triggers';
import { type EngineStats, engineReadiness } from './engine-readiness';
import { SchedulerEngine } from './scheduler-engine';

/**
 * Thin Nest glue around SchedulerEngine: builds it from DI, starts it once the app is
 * up, stops it gracefully on SIGTERM (before the database pool closes), and adds its
 * state to /health readiness and the /metrics gauges.
 */
@Injectable()
export class SchedulerService
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly engine: SchedulerEngine;

  constructor(
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    @Inject(CLOCK) hostClock: Clock,
    @Inject(DATABASE_CLOCK) clock: OffsetClock,
    repository: ClaimsRepository,
    triggers: TriggerRegistry,
    metrics: SchedulerMetrics,
    readiness: ReadinessRegistry,
    upkeep: ScheduleUpkeepRepository,
  ) {
    this.engine = new SchedulerEngine({
      // Without a listen URL the engine opens no LISTEN connection and relies on
      // polling: DATABASE_LISTEN_URL=off, or servers without LISTEN (portable).
      settings:
        config.databaseFeatures === 'portable'
          ? { ...config, databaseListenUrl: undefined }
          : config,
      repository,
      clock,
      hostClock,
      triggers,
      resultTokens: config.secretBox
        ? new ResultTokens(config.secretBox.keyBytes)
        : undefined,
      publicApiUrl: config.publicApiUrl,
      metrics,
      logger: new Logger(),
      recordScheduleOutcomes: (outcomes) => upkeep.recordOutcomes(outcomes),
    });
    metrics.bindState(() => this.engine.stats());
    readiness.register('claimLoop', () =>
      engineReadiness(
        this.engine.stats(),
        hostClock.now(),
        config.pollIntervalMs,
      ),
    );
  }

  /** The engine's state (held, in flight, queued outcomes, …). */
  stats(): EngineStats {
    return this.engine.stats();
  }

  onApplicationBootstrap(): void {
    this.engine.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.engine.stop();
  }
}
