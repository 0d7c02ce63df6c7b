import { type DynamicModule, Module } from '@nestjs/common';
import type { SchedulerConfig } from './scheduler.config';
import { SCHEDULER_CONFIG } from './scheduler-config.token';

/**
 * Provides the validated SchedulerConfig under SCHEDULER_CONFIG to every module of the
 * scheduler (the trigger providers read their settings from it too), so the environment
 * is read once, by loadSchedulerConfig.
 */
@Module({})
export class SchedulerConfigModule {
  static forRoot(config: SchedulerConfig): DynamicModule {
    return {
      module: SchedulerConfigModule,
      global: true,
      providers: [{ provide: SCHEDULER_CONFIG, useValue: config }],
      exports: [SCHEDULER_CONFIG],
    };
  }
}
