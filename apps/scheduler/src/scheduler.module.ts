import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import {
  ClockModule,
  DatabaseModule,
  HealthModule,
  MetricsModule,
  SecretsModule,
} from '@scheduleman/runtime';
import { Registry } from 'prom-client';
import { SchedulerService } from './engine/scheduler.service';
import { CLAIMS_PROVIDERS } from './claims/claims.providers';
import type { SchedulerConfig } from './config/scheduler.config';
import { SchedulerConfigModule } from './config/scheduler-config.module';
import { HousekeepingService } from './housekeeping/housekeeping.service';
import { ScheduleUpkeepService } from './housekeeping/schedule-upkeep.service';
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
        SchedulerConfigModule.forRoot(config),
        SecretsModule.forRoot(config.secretBox),
        ClockModule,
        DatabaseModule.forRootAsync({
          useFactory: () => ({
            url: config.databaseUrl,
            applicationName: `scheduler:${config.schedulerId}`,
            poolSize: config.dbPoolSize,
            statementTimeoutMs: config.dbStatementTimeoutMs,
            readTimeoutMs: config.dbReadTimeoutMs,
            idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
            features: config.databaseFeatures,
            preparedStatements: config.dbPreparedStatements,
          }),
        }),
        HealthModule,
        MetricsModule,
        ScheduleModule.forRoot(),
        TriggersModule,
      ],
      providers: [
        ...CLAIMS_PROVIDERS,
        {
          provide: SchedulerMetrics,
          inject: [Registry],
          useFactory: (registry: Registry) => new SchedulerMetrics(registry),
        },
        SchedulerService,
        HousekeepingService,
        ScheduleUpkeepService,
      ],
      exports: [SchedulerService],
    };
  }
}
