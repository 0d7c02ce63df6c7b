import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ReadinessRegistry } from '@scheduleman/runtime';
import { DataSource } from 'typeorm';
import type { SchedulerConfig } from '../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../config/scheduler-config.token';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { TriggerRegistry } from '../triggers';
import { SchedulerEngine } from './scheduler-engine';

/**
 * Thin Nest glue around SchedulerEngine: builds it from DI, starts it once the app is
 * up, stops it gracefully on SIGTERM (before the database pool closes), and adds its
 * state to /health readiness.
 */
@Injectable()
export class SchedulerService
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  readonly engine: SchedulerEngine;

  constructor(
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    @InjectDataSource() dataSource: DataSource,
    triggers: TriggerRegistry,
    metrics: SchedulerMetrics,
    readiness: ReadinessRegistry,
  ) {
    this.engine = new SchedulerEngine({
      dataSource,
      settings: config,
      triggers,
      metrics,
      logger: new Logger(),
    });
    metrics.bindState(() => ({
      held: this.engine.queue.heldCount,
      inFlight: this.engine.queue.inFlightCount,
      queuedOutcomes: this.engine.recorder.queuedCount,
    }));
    readiness.register('claimLoop', () => this.engine.readiness());
  }

  onApplicationBootstrap(): void {
    this.engine.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.engine.stop();
  }
}
