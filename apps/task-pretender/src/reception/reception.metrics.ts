import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus view of what the pretender receives (GET /metrics). Counters never reset. */
@Injectable()
export class ReceptionMetrics {
  readonly received: Counter<'outcome'>;
  readonly duplicates: Counter;
  readonly redelivered: Counter;
  readonly lateness: Histogram;
  readonly workInFlight: Gauge;
  readonly resultsReported: Counter<'outcome'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.received = new Counter({
      name: 'pretender_webhooks_received_total',
      help: 'Webhooks received, by how they were answered (accepted = 2xx, rejected = any other status).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.duplicates = new Counter({
      name: 'pretender_webhook_duplicates_total',
      help: 'Webhooks whose Idempotency-Key had been seen before (retries included).',
      registers: [registry],
    });
    this.redelivered = new Counter({
      name: 'pretender_webhook_redelivered_total',
      help: 'Webhooks accepted for an Idempotency-Key that had already been accepted.',
      registers: [registry],
    });
    this.lateness = new Histogram({
      name: 'pretender_lateness_seconds',
      help: 'First arrival of each Idempotency-Key minus its X-Scheduleman-Scheduled-At, in seconds (negative = early).',
      // No bucket at exactly -1: prom-client uses -1 internally for "beyond the last bound".
      buckets: [
        -10, -0.1, 0, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
      ],
      registers: [registry],
    });
    this.workInFlight = new Gauge({
      name: 'pretender_work_in_flight',
      help: 'Accepted webhooks whose pretended background work has not finished yet.',
      registers: [registry],
    });
    this.resultsReported = new Counter({
      name: 'pretender_results_reported_total',
      help: 'Result reports sent to X-Scheduleman-Result-Url, by outcome: succeeded or failed (the status reported, answered 2xx), rejected (a 4xx), gave_up (every attempt failed).',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }
}
