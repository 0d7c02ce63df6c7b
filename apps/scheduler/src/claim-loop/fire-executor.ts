import type { LoggerService } from '@nestjs/common';
import {
  type Clock,
  DEFAULT_RETRY_POLICY,
  type FireOutcome,
  type FireRequest,
  type RetryPolicy,
  type TriggerProvider,
} from '@scheduleman/domain';
import type { FireRecord } from '../claims/claim';
import type { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { toFireRecord } from './fire-outcome';
import type { HeldExecution } from './held-execution';
import { REAL_TIMERS, type Timers } from './timers';

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
  /** Receives each attempt's row change (the OutcomeRecorder). */
  record: (record: FireRecord) => void;
  /** Delays between attempts; the attempt limit comes from each execution's max_attempts. */
  retryPolicy?: Omit<RetryPolicy, 'maxAttempts'>;
  metrics?: SchedulerMetrics;
  logger?: LoggerService;
  random?: () => number;
  timers?: Timers;
}

class CallAbortedError extends Error {}

/**
 * Fires one held execution through its provider and hands the outcome to the recorder.
 * Never throws and never hangs: an unknown trigger type is a permanent failure (one bad
 * row must not stop the loop); a provider that throws, or outlives the timeout even
 * though its signal was aborted, counts as a retryable failure.
 */
export class FireExecutor {
  /** Abort functions of the calls in flight (one listener per call on a shared signal would leak warnings). */
  private readonly inFlight = new Set<(reason: string) => void>();
  private shuttingDown = false;
  private readonly timers: Timers;
  private readonly random: () => number;

  constructor(private readonly options: FireExecutorOptions) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.random = options.random ?? Math.random;
  }

  /** Aborts every call in flight (end of the shutdown grace period). */
  abortAll(): void {
    this.shuttingDown = true;
    for (const abort of [...this.inFlight]) abort('scheduler shutting down');
  }

  async fire(held: HeldExecution): Promise<void> {
    const { claim } = held;
    const attempt = claim.attempts + 1;
    const startedAt = this.options.clock.now();
    if (attempt === 1) {
      this.options.metrics?.fireLatenessSeconds.observe(
        (startedAt.getTime() - claim.scheduledAt.getTime()) / 1_000,
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
        scheduledAt: claim.scheduledAt,
        attempt,
        trigger: claim.trigger,
      };
      const endTimer = this.options.metrics?.triggerDurationSeconds.startTimer({
        trigger_type: type,
      });
      outcome = await this.call(provider, request);
      endTimer?.();
    } else {
      outcome = { kind: 'permanent', error: `unknown trigger type "${type}"` };
    }
    const finishedAt = this.options.clock.now();
    // Read the lease version now, not before the call: a re-claim during the call moved it.
    const record = toFireRecord(
      {
        executionId: claim.executionId,
        leaseVersion: held.leaseVersion,
        attempt,
        outcome,
        startedAt,
        finishedAt,
      },
      {
        ...DEFAULT_RETRY_POLICY,
        ...this.options.retryPolicy,
        maxAttempts: claim.maxAttempts,
      },
      this.random,
    );
    this.options.metrics?.firesTotal.inc({
      outcome: record.status === 'pending' ? 'retry' : record.status,
    });
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
    const { triggerTimeoutMs } = this.options;
    const controller = new AbortController();
    let rejectAbort: (error: Error) => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => (rejectAbort = reject));
    const abort = (reason: string) => {
      controller.abort(new CallAbortedError(reason));
      rejectAbort(new CallAbortedError(reason));
    };
    const timer = this.timers.setTimeout(
      () => abort(`trigger timed out after ${triggerTimeoutMs} ms`),
      triggerTimeoutMs,
    );
    this.inFlight.add(abort);
    if (this.shuttingDown) abort('scheduler shutting down');
    try {
      // The race ends our wait even if a provider ignores the signal.
      return await Promise.race([
        provider.fire(request, { signal: controller.signal }),
        aborted,
      ]);
    } catch (error) {
      if (error instanceof CallAbortedError)
        return { kind: 'retryable', error: error.message };
      const reason =
        controller.signal.reason instanceof CallAbortedError
          ? controller.signal.reason.message
          : undefined;
      return {
        kind: 'retryable',
        error:
          reason ??
          `trigger provider "${provider.type}" threw: ${describe(error)}`,
      };
    } finally {
      this.timers.clearTimeout(timer);
      this.inFlight.delete(abort);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
