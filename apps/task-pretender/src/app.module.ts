import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import {
  ClockModule,
  HttpErrorFilter,
  MetricsModule,
} from '@scheduleman/runtime';
import {
  PRETENDER_CONFIG,
  type PretenderConfig,
} from './config/pretender.config';
import { HealthController } from './health/health.controller';
import { ReceptionMetrics } from './reception/reception.metrics';
import {
  PRETENDER_RANDOM,
  WebhookReceiver,
} from './reception/webhook-receiver';
import { StatsController } from './stats/stats.controller';

/**
 * task-pretender: a mock external system. Webhooks on any path are answered by
 * WebhookReceiver (mounted ahead of Nest's router in main.ts); Nest serves only
 * /stats, /health and /metrics.
 */
@Module({})
export class AppModule {
  static forRoot(config: PretenderConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ClockModule, MetricsModule],
      controllers: [StatsController, HealthController],
      providers: [
        { provide: PRETENDER_CONFIG, useValue: config },
        { provide: PRETENDER_RANDOM, useValue: Math.random },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        ReceptionMetrics,
        WebhookReceiver,
      ],
    };
  }
}
