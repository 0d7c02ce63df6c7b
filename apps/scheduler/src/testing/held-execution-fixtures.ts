import type { TriggerSpec } from '@scheduleman/domain';
import type { Claim } from '../claims/claim';
import type { HeldExecution } from '../leases/held-execution';

/** What a fire-path measurement varies in an execution; the rest is a first attempt. */
export interface FiringExecutionOptions {
  executionId: string;
  scheduleId: string;
  scheduleName: string | null;
  scheduledAt: Date;
  trigger: TriggerSpec;
  maxAttempts: number;
}

/**
 * A held execution in the `firing` state, as the timer queue hands it to the
 * FireExecutor: the first attempt, lease version 1, due and leased until its scheduled
 * time. For driving the fire path without a database (bench ceilings, fire-path tools).
 */
export function firingExecution(
  options: FiringExecutionOptions,
): HeldExecution {
  const { scheduledAt } = options;
  const claim: Claim = {
    executionId: options.executionId,
    scheduleId: options.scheduleId,
    scheduleName: options.scheduleName,
    scheduleOwner: null,
    scheduleMetadata: null,
    scheduledAt,
    dueAt: scheduledAt,
    attempts: 0,
    maxAttempts: options.maxAttempts,
    leaseVersion: 1,
    leaseExpiresAt: scheduledAt,
    trigger: options.trigger,
    recoveredFrom: null,
  };
  return {
    claim,
    leaseVersion: 1,
    leaseExpiresAtMs: scheduledAt.getTime(),
    dueAtMs: scheduledAt.getTime(),
    state: 'firing',
    lost: false,
    generation: 1,
  };
}
