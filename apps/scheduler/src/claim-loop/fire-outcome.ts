import {
  canRetry,
  type FireOutcome,
  type RetryPolicy,
  retryDelayMs,
} from '@scheduleman/domain';
import type { FireRecord } from '../claims/claim';

/** Longest error text stored per execution; a receiver's error page must not bloat the table. */
export const MAX_ERROR_LENGTH = 1_000;

export interface AttemptResult {
  executionId: string;
  leaseVersion: number;
  /** 1 for the first attempt. */
  attempt: number;
  outcome: FireOutcome;
  startedAt: Date;
  finishedAt: Date;
}

/**
 * Turns one attempt's outcome into the row change COMPLETE_FIRES writes:
 *   delivered                      → succeeded
 *   retryable, attempts left       → pending again, due at finishedAt + retryDelayMs (unleased)
 *   retryable with none left, or permanent → failed
 * The retry policy is a value (attempt limit per execution, delays), not branches here.
 */
export function toFireRecord(
  result: AttemptResult,
  policy: RetryPolicy,
  random: () => number = Math.random,
): FireRecord {
  const { executionId, leaseVersion, attempt, outcome, startedAt, finishedAt } =
    result;
  const base = {
    executionId,
    leaseVersion,
    attempts: attempt,
    firedAt: startedAt,
    responseStatus: outcome.responseStatus ?? null,
  };
  if (outcome.kind === 'delivered') {
    return {
      ...base,
      status: 'succeeded',
      retryAt: null,
      finishedAt,
      error: null,
    };
  }
  const error = truncate(outcome.error);
  if (outcome.kind === 'retryable' && canRetry(policy, attempt)) {
    const retryAt = new Date(
      finishedAt.getTime() + retryDelayMs(policy, attempt, random),
    );
    return { ...base, status: 'pending', retryAt, finishedAt: null, error };
  }
  return { ...base, status: 'failed', retryAt: null, finishedAt, error };
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH
    ? text
    : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
