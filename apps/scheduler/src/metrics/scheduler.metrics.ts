import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Fire start minus scheduled time: 1 ms (the healthy target is p99 < 100 ms) to 30 s (the ±10 s promise and beyond). */
export const LATENESS_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
const TRIGGER_DURATION_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5,
];
const BATCH_SIZE_BUCKETS = [0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

/** Live values read when /metrics is scraped. */
export interface SchedulerState {
  held: number;
  inFlight: number;
  queuedOutcomes: number;
}

/**
 * The scheduler's Prometheus metrics, registered in the app's Registry (one per app
 * instance, see MetricsModule). A plain class so the claim loop and its tests use it
 * without Nest. Names are prefixed `scheduleman_`; units are in the names.
 */
export class SchedulerMetrics {
  /** Overdue work not yet started, by kind; for autoscaling. */
  readonly dueBacklog: Gauge<'kind'>;
  readonly oldestOverdueAgeSeconds: Gauge;
  readonly fireLatenessSeconds: Histogram;
  readonly firesTotal: Counter<'outcome'>;
  readonly triggerDurationSeconds: Histogram<'trigger_type'>;
  readonly triggerAttemptsTotal: Counter<'trigger_type' | 'outcome'>;
  /** Executions taken over from a scheduler whose lease expired. */
  readonly leasesRecoveredTotal: Counter;
  /** Held executions not fired because their lease ran out or was taken over. */
  readonly droppedTotal: Counter<'reason'>;
  /** Overdue waiting executions given back because this scheduler was behind. */
  readonly releasedTotal: Counter;
  /** The measured fire rate (fires per busy second) the cap on held work is derived from. */
  readonly fireRatePerSecond: Gauge;
  /** Most executions this scheduler holds at once at its measured fire rate. */
  readonly heldCap: Gauge;
  /** Outcomes whose fenced write found the lease gone (taken over, cancelled, deleted). */
  readonly outcomesDiscardedTotal: Counter;
  /** Delivered executions whose target reported no result within the schedule's resultTimeout. */
  readonly resultTimeoutsTotal: Counter;
  readonly claimBatchSize: Histogram<'stage'>;
  /**
   * Occurrences recorded as 'skipped' executions, by reason: the sum of their
   * occurrence_count, counted from the rows inserted, so it agrees with the ledger.
   */
  readonly occurrencesSkippedTotal: Counter<'reason'>;
  readonly heldExecutions: Gauge;
  readonly inFlightTriggers: Gauge;
  readonly queuedOutcomes: Gauge;
  /** Database clock minus host clock, as last measured. */
  readonly clockOffsetSeconds: Gauge;
  readonly databaseErrorsTotal: Counter<'operation'>;
  /**
   * Schedules by health (silent, failing, late), counted by the housekeeping of each
   * scheduler with one bounded query: a count, never a label per schedule.
   */
  readonly schedulesByHealth: Gauge<'health'>;
  /** Schedules whose pausedUntil ended and that this scheduler resumed. */
  readonly pausesEndedTotal: Counter;
  /** Buffered occurrences (overlapPolicy buffer_one) this scheduler made due. */
  readonly bufferedReleasedTotal: Counter;
  private state: (() => SchedulerState) | undefined;

  constructor(registry: Registry) {
    const registers = [registry];

    this.dueBacklog = new Gauge({
      name: 'scheduleman_due_backlog',
      help: 'Overdue work not started yet: unleased pending executions due, executions whose lease expired, active schedules not planned (each capped).',
      labelNames: ['kind'],
      registers,
    });
    this.oldestOverdueAgeSeconds = new Gauge({
      name: 'scheduleman_due_backlog_oldest_age_seconds',
      help: 'Age of the oldest overdue work in seconds (0 when nothing is overdue).',
      registers,
    });
    this.fireLatenessSeconds = new Histogram({
      name: 'scheduleman_fire_lateness_seconds',
      help: 'First-attempt fire start minus the time it was due (the scheduled time, or its instant in a flexible window), in seconds (database clock).',
      buckets: LATENESS_BUCKETS_SECONDS,
      registers,
    });
    this.firesTotal = new Counter({
      name: 'scheduleman_fires_total',
      help: 'Trigger attempts by result: succeeded, retry (scheduled again) or failed (final).',
      labelNames: ['outcome'],
      registers,
    });
    this.triggerDurationSeconds = new Histogram({
      name: 'scheduleman_trigger_duration_seconds',
      help: 'Duration of one trigger call in seconds, by trigger type.',
      labelNames: ['trigger_type'],
      buckets: TRIGGER_DURATION_BUCKETS_SECONDS,
      registers,
    });
    this.triggerAttemptsTotal = new Counter({
      name: 'scheduleman_trigger_attempts_total',
      help: "Trigger attempts by trigger type and the provider's answer: delivered, retryable or permanent.",
      labelNames: ['trigger_type', 'outcome'],
      registers,
    });
    this.leasesRecoveredTotal = new Counter({
      name: 'scheduleman_leases_recovered_total',
      help: 'Executions claimed after the previous holder let its lease expire (a dead or frozen scheduler).',
      registers,
    });
    this.droppedTotal = new Counter({
      name: 'scheduleman_held_dropped_total',
      help: 'Held executions not fired because the lease expired locally or was lost; another scheduler fires them.',
      labelNames: ['reason'],
      registers,
    });
    this.releasedTotal = new Counter({
      name: 'scheduleman_held_released_total',
      help: 'Overdue executions given back (unleased) because this scheduler would not fire them within a lease at its measured rate; others claim them.',
      registers,
    });
    this.fireRatePerSecond = new Gauge({
      name: 'scheduleman_fire_rate_per_second',
      help: 'Fires completed per second while due work waited for a slot (moving average): the measured capacity.',
      registers,
    });
    this.heldCap = new Gauge({
      name: 'scheduleman_held_cap',
      help: 'Most executions held at once: measured fire rate times the lease horizon (the lease minus the safety margin).',
      registers,
    });
    this.outcomesDiscardedTotal = new Counter({
      name: 'scheduleman_outcomes_discarded_total',
      help: 'Outcomes not written because the lease was gone (taken over, cancelled or deleted).',
      registers,
    });
    this.resultTimeoutsTotal = new Counter({
      name: 'scheduleman_result_timeouts_total',
      help: 'Delivered executions marked result_timeout: no result reported within the schedule resultTimeout.',
      registers,
    });
    this.claimBatchSize = new Histogram({
      name: 'scheduleman_claim_batch_size',
      help: 'Executions obtained per round trip, by stage (plan or claim).',
      labelNames: ['stage'],
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.occurrencesSkippedTotal = new Counter({
      name: 'scheduleman_occurrences_skipped_total',
      help: "Occurrences that were due and not fired, recorded as 'skipped' executions, by reason (a range row counts each occurrence it stands for).",
      labelNames: ['reason'],
      registers,
    });
    this.heldExecutions = new Gauge({
      name: 'scheduleman_held_executions',
      help: 'Executions this scheduler holds a lease on.',
      registers,
      collect: () => this.collect((s) => this.heldExecutions.set(s.held)),
    });
    this.inFlightTriggers = new Gauge({
      name: 'scheduleman_in_flight_triggers',
      help: 'Trigger calls in progress.',
      registers,
      collect: () => this.collect((s) => this.inFlightTriggers.set(s.inFlight)),
    });
    this.queuedOutcomes = new Gauge({
      name: 'scheduleman_queued_outcomes',
      help: 'Outcomes waiting to be written to the database.',
      registers,
      collect: () =>
        this.collect((s) => this.queuedOutcomes.set(s.queuedOutcomes)),
    });
    this.clockOffsetSeconds = new Gauge({
      name: 'scheduleman_clock_offset_seconds',
      help: 'Database clock minus this host clock, in seconds, as last measured.',
      registers,
    });
    this.databaseErrorsTotal = new Counter({
      name: 'scheduleman_database_errors_total',
      help: 'Failed database calls by operation; each is retried with backoff.',
      labelNames: ['operation'],
      registers,
    });
    this.schedulesByHealth = new Gauge({
      name: 'scheduleman_schedules',
      help: 'Schedules by health: silent (no success within silentAfter), failing (latest outcome failed or result_timeout), late (next run overdue by more than 10 s); worst state only, counts capped.',
      labelNames: ['health'],
      registers,
    });
    this.pausesEndedTotal = new Counter({
      name: 'scheduleman_pauses_ended_total',
      help: 'Schedules resumed because their pausedUntil passed.',
      registers,
    });
    this.bufferedReleasedTotal = new Counter({
      name: 'scheduleman_buffered_released_total',
      help: 'Buffered occurrences (overlapPolicy buffer_one) made due after the previous execution finished.',
      registers,
    });
  }

  // Gauges of live state are read when /metrics is scraped, not kept up to date by hand.
  private collect(apply: (state: SchedulerState) => void): void {
    const state = this.state?.();
    if (state) apply(state);
  }

  /** Where the live-state gauges read from (the running engine). */
  bindState(state: () => SchedulerState): void {
    this.state = state;
  }
}
