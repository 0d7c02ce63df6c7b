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
  const { outcome, finishedAt } = result;
  if (outcome.kind === 'delivered')
    return record(result, 'succeeded', null, finishedAt, null);
  const error = truncate(outcome.error);
  if (outcome.kind === 'retryable' && canRetry(policy, result.attempt)) {
    const retryAt = new Date(
      finishedAt.getTime() + retryDelayMs(policy, result.attempt, random),
    );
    return record(result, 'pending', retryAt, null, error);
  }
  return record(result, 'failed', null, finishedAt, error);
}

/** One literal with every field in one order: records stay one shape (no spreads per fire). */
function record(
  result: AttemptResult,
  status: FireRecord['status'],
  retryAt: Date | null,
  finishedAt: Date | null,
  error: string | null,
): FireRecord {
  return {
    executionId: result.executionId,
    leaseVersion: result.leaseVersion,
    status,
    attempts: result.attempt,
    retryAt,
    firedAt: result.startedAt,
    finishedAt,
    responseStatus: result.outcome.responseStatus ?? null,
    error,
  };
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH
    ? text
    : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
