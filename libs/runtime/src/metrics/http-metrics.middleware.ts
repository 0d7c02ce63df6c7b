import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Histogram, Registry } from 'prom-client';

type HttpLabel = 'method' | 'route' | 'status_code';

export const HTTP_DURATION_HISTOGRAM = Symbol('HTTP_DURATION_HISTOGRAM');

/** A provider, not a field of the middleware: Nest may build a middleware more than once. */
export function createHttpDurationHistogram(
  registry: Registry,
): Histogram<HttpLabel> {
  return new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}

/**
 * Times every HTTP request into `http_request_duration_seconds{method,route,status_code}`.
 * `route` is the matched route pattern (`/schedules/:id`), never the raw path: raw ids
 * would create one time series per schedule. Unmatched paths share one label.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(
    @Inject(HTTP_DURATION_HISTOGRAM)
    private readonly histogram: Histogram<HttpLabel>,
  ) {}

  use(req: RoutedRequest, res: ServerResponse, next: () => void): void {
    const startedAt = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      this.histogram.observe(
        {
          method: req.method ?? 'UNKNOWN',
          route: routeOf(req),
          status_code: String(res.statusCode),
        },
        seconds,
      );
    });
    next();
  }
}

/** What Express adds to a request once a route matched it. */
type RoutedRequest = IncomingMessage & {
  baseUrl?: string;
  route?: { path?: unknown };
};

function routeOf(req: RoutedRequest): string {
  const route = req.route?.path;
  return typeof route === 'string'
    ? `${req.baseUrl ?? ''}${route}`
    : 'unmatched';
}
