import { SetMetadata } from '@nestjs/common';

/**
 * How a route is reached, for an app that authenticates (schedule-api's guard reads it):
 * `public` needs no key (health); `metrics` is open unless the operator protects
 * /metrics. A route with neither, and no scope of its own, is refused: nothing is
 * open by omission.
 */
export const ACCESS_METADATA = 'scheduleman:access';
export type RouteAccess = 'public' | 'metrics' | 'result-token';

/** Open to anyone: health probes. */
export const PublicRoute = () => SetMetadata(ACCESS_METADATA, 'public');

/** The Prometheus scrape: open by default, protected by METRICS_REQUIRE_KEY on the API. */
export const MetricsRoute = () => SetMetadata(ACCESS_METADATA, 'metrics');

/**
 * A result report (POST /executions/:executionId/result): a request carrying
 * X-Scheduleman-Result-Token passes without an API key (the route checks the token);
 * without it the route's own scope applies as usual.
 */
export const ResultTokenRoute = () =>
  SetMetadata(ACCESS_METADATA, 'result-token');
