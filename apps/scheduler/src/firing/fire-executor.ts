import type { LoggerService } from '@nestjs/common';
import {
  type Clock,
  errorMessage,
  DEFAULT_RETRY_POLICY,
  type FireOutcome,
  type FireRequest,
  type ResultTokens,
  type RetryPolicy,
  type TriggerProvider,
} from '@scheduleman/domain';
import type { FireRecord } from '../claims/claim';
import type { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { toFireRecord } from './fire-outcome';
import type { HeldExecution } from '../leases/held-execution';
import { CallAbortedError, CallDeadlines } from './call-deadlines';
import { REAL_TIMERS, type Timers } from '../support/timers';

const DEFAULT_DEADLINE_WINDOW_MS = 50;

/** Finds a provider by trigger type (the Nest TriggerRegistry in production). */
export interface TriggerLookup {
  get(type: string): TriggerProvider | undefined;
}

export interface FireExecutorOptions {
  triggers: TriggerLookup;
  /** Database time: fired_at, finished_at, retry times and lateness use it. */
  clock: Clock;
  /** Longest a trigger call may take, ms (the 3 s initiation promise). */
  triggerTimeoutMs: number;
  /**
   * Calls starting within this many ms share one deadline (see CallDeadlines): a call
   * gets between triggerTimeoutMs minus this and triggerTimeoutMs.
   */
  deadlineWindowMs?: number;
  /** Receives each attempt's row change (the OutcomeRecorder). */
  record: (record: FireRecord) => void;
  /** Delays between attempts; the attempt limit comes from each execution's max_attempts. */
  retryPolicy?: Omit<RetryPolicy, 'maxAttempts'>;
  /**
   * Derives each execution's result token (sent with every delivery); absent without
   * SECRETS_KEY, and then no token is sent.
   */
  resultTokens?: ResultTokens;
  /** PUBLIC_API_URL: each delivery names the URL to report its result to. */
  publicApiUrl?: string;
  metrics?: SchedulerMetrics;
  logger?: LoggerService;
  random?: () => number;
  timers?: Timers;
}

/** Where a target reports the result of `executionId` (docs/triggers.md). */
export function resultUrlOf(publicApiUrl: string, executionId: string): string {
  return `${publicApiUrl.replace(/\/+$/, '')}/executions/${executionId}/result`;
}

/**
 * Fires one held execution through its provider and hands the outcome to the recorder.
 * Never throws and never hangs: an unknown trigger type is a permanent failure (one bad
 * row must not stop the loop); a provider that throws, or outlives the timeout even
 * though its signal was aborted, counts as a retryable failure.
 */
export class FireExecutor {
  private readonly deadlines: CallDeadlines;
  private readonly random: () => number;

  /** PUBLIC_API_URL without its trailing slashes, trimmed once rather than per fire. */
  private readonly resultUrlBase: string | undefined;

  constructor(private readonly options: FireExecutorOptions) {
    this.random = options.random ?? Math.random;
    this.resultUrlBase =
      options.publicApiUrl === undefined
        ? undefined
        : resultUrlOf(options.publicApiUrl, '').slice(0, -'/result'.length);
    this.deadlines = new CallDeadlines({
      clock: options.clock,
      timers: options.timers ?? REAL_TIMERS,
      timeoutMs: options.triggerTimeoutMs,
      windowMs: options.deadlineWindowMs ?? DEFAULT_DEADLINE_WINDOW_MS,
    });
  }

  /** Aborts every call in flight (end of the shutdown grace period). */
  abortAll(): void {
    this.deadlines.abortAll();
  }

  /*
   * Per-fire lookups, memoised: thousands of fires a second must not each merge the
   * retry policy or hash metric labels (prom-client does so on every labelled call).
   */
  private readonly policies = new Map<number, RetryPolicy>();
  private readonly durations = new Map<string, { observe(v: number): void }>();
  private readonly fires = new Map<string, { inc(): void }>();
  private readonly attempts = new Map<string, { inc(): void }>();

  private policyFor(maxAttempts: number): RetryPolicy {
    return memo(this.policies, maxAttempts, () => ({
      ...DEFAULT_RETRY_POLICY,
      ...this.options.retryPolicy,
      maxAttempts,
    }));
  }

  private durationOf(type: string): { observe(v: number): void } | undefined {
    const metrics = this.options.metrics;
    return metrics
      ? memo(this.durations, type, () =>
          metrics.triggerDurationSeconds.labels(type),
        )
      : undefined;
  }

  private attemptsOf(
    type: string,
    kind: FireOutcome['kind'],
  ): { inc(): void } | undefined {
    const metrics = this.options.metrics;
    return metrics
      ? memo(this.attempts, `${kind}:${type}`, () =>
          metrics.triggerAttemptsTotal.labels(type, kind),
        )
      : undefined;
  }

  private firesOf(status: FireRecord['status']): { inc(): void } | undefined {
    const metrics = this.options.metrics;
    return metrics
      ? memo(this.fires, status, () =>
          metrics.firesTotal.labels(status === 'pending' ? 'retry' : status),
        )
      : undefined;
  }

  async fire(held: HeldExecution): Promise<void> {
    const { claim } = held;
    const attempt = claim.attempts + 1;
    const startedAt = this.options.clock.now();
    if (attempt === 1) {
      // From due_at, the instant promised: the scheduled time, or with a flexible
      // window the fire time inside it (before any attempt, due_at is not a retry's).
      // Fired early inside the FIRE_COALESCE_MS window counts as on time (0), as the
      // attempt's initiation latency does: the histogram's sum never goes down.
      this.options.metrics?.fireLatenessSeconds.observe(
        Math.max(0, startedAt.getTime() - claim.dueAt.getTime()) / 1_000,
      );
    }
    const type = claim.trigger.type;
    const provider = this.options.triggers.get(type);
    let outcome: FireOutcome;
    if (provider) {
      const request: FireRequest = {
        executionId: claim.executionId,
        scheduleId: claim.scheduleId,
        scheduleName: claim.scheduleName,
        scheduleOwner: claim.scheduleOwner,
        scheduleMetadata: claim.scheduleMetadata,
        scheduledAt: claim.scheduledAt,
        attempt,
        trigger: claim.trigger,
        resultToken: this.options.resultTokens?.tokenFor(claim.executionId),
        resultUrl:
          this.resultUrlBase === undefined
            ? undefined
            : `${this.resultUrlBase}${claim.executionId}/result`,
      };
      const callStartedMs = performance.now();
      outcome = await this.call(provider, request);
      this.durationOf(type)?.observe(
        (performance.now() - callStartedMs) / 1_000,
      );
    } else {
      outcome = { kind: 'permanent', error: `unknown trigger type "${type}"` };
    }
    this.attemptsOf(type, outcome.kind)?.inc();
    const finishedAt = this.options.clock.now();
    // Read the lease version now, not before the call: a re-claim during the call moved it.
    const record = toFireRecord(
      {
        executionId: claim.executionId,
        leaseVersion: held.leaseVersion,
        attempt,
        outcome,
        dueAt: claim.dueAt,
        startedAt,
        finishedAt,
      },
      this.policyFor(claim.maxAttempts),
      this.random,
    );
    this.firesOf(record.status)?.inc();
    if (record.status !== 'succeeded') {
      this.options.logger?.debug?.(
        {
          msg: 'trigger attempt failed',
          executionId: claim.executionId,
          attempt,
          status: record.status,
          error: record.error,
        },
        'FireExecutor',
      );
    }
    this.options.record(record);
  }

  private async call(
    provider: TriggerProvider,
    request: FireRequest,
  ): Promise<FireOutcome> {
    const deadline = this.deadlines.begin();
    try {
      // The race ends our wait even if a provider ignores the signal.
      return await Promise.race([
        provider.fire(request, { signal: deadline.signal }),
        deadline.aborted,
      ]);
    } catch (error) {
      if (error instanceof CallAbortedError)
        return { kind: 'retryable', error: error.message };
      const reason =
        deadline.signal.reason instanceof CallAbortedError
          ? deadline.signal.reason.message
          : undefined;
      return {
        kind: 'retryable',
        error:
          reason ??
          `trigger provider "${provider.type}" threw: ${errorMessage(error)}`,
      };
    } finally {
      this.deadlines.end(deadline);
    }
  }
}

function memo<K, V>(cache: Map<K, V>, key: K, create: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = create();
    cache.set(key, value);
  }
  return value;
}
