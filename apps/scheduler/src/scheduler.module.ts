import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import {
  ClockModule,
  DatabaseModule,
  HealthModule,
  MetricsModule,
} from '@scheduleman/runtime';
import { Registry } from 'prom-client';
import { SchedulerService } from './claim-loop/scheduler.service';
import type { SchedulerConfig } from './config/scheduler.config';
import { SCHEDULER_CONFIG } from './config/scheduler-config.token';
import { HousekeepingService } from './housekeeping/housekeeping.service';
import { SchedulerMetrics } from './metrics/scheduler.metrics';
import { TriggersModule } from './triggers';

/**
 * One scheduler process: the database (migrated at start-up), /health and /metrics, the
 * trigger providers, the claim loop (SchedulerService) and its housekeeping.
 */
@Module({})
export class SchedulerModule {
  static forRoot(config: SchedulerConfig): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        ClockModule,
        DatabaseModule.forRootAsync({
          useFactory: () => ({
            url: config.databaseUrl,
            applicationName: `scheduler:${config.schedulerId}`,
            poolSize: config.dbPoolSize,
          }),
        }),
        HealthModule,
        MetricsModule,
        ScheduleModule.forRoot(),
        TriggersModule,
      ],
      providers: [
        { provide: SCHEDULER_CONFIG, useValue: config },
        {
          provide: SchedulerMetrics,
          inject: [Registry],
          useFactory: (registry: Registry) => new SchedulerMetrics(registry),
        },
        SchedulerService,
        HousekeepingService,
      ],
      exports: [SchedulerService],
    };
  }
}
