import {
  Global,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  createHttpDurationHistogram,
  HTTP_DURATION_HISTOGRAM,
  HttpMetricsMiddleware,
} from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';

/**
 * `/metrics` in Prometheus text format. The prom-client `Registry` is injectable
 * (`@Inject(Registry) registry: Registry`) so an app registers its own metrics in it
 * with `registers: [registry]`. One Registry per app instance rather than prom-client's
 * global one: tests boot several apps in one process, and a global registry would
 * reject the second registration of every metric.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: Registry,
      useFactory: () => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
    {
      provide: HTTP_DURATION_HISTOGRAM,
      useFactory: createHttpDurationHistogram,
      inject: [Registry],
    },
  ],
  exports: [Registry],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
