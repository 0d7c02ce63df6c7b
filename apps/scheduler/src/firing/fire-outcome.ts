import {
  canRetry,
  type FireOutcome,
  type RetryPolicy,
  retryDelayMs,
} from '@scheduleman/domain';
import type {
  AttemptOutcome,
  AttemptRecord,
  FireRecord,
} from '../claims/claim';

/** Longest error text stored per execution; a receiver's error page must not bloat the table. */
export const MAX_ERROR_LENGTH = 1_000;

export interface AttemptResult {
  executionId: string;
  leaseVersion: number;
  /** 1 for the first attempt. */
  attempt: number;
  outcome: FireOutcome;
  /** When the attempt was due (Claim.dueAt): its initiation latency is measured from it. */
  dueAt: Date;
  startedAt: Date;
  finishedAt: Date;
}

const ATTEMPT_OUTCOMES: Record<FireOutcome['kind'], AttemptOutcome> = {
  delivered: 'succeeded',
  retryable: 'retryable_failure',
  permanent: 'permanent_failure',
};

/**
 * A coarse, stable class of a failed attempt, for grouping in the attempts list:
 * `timeout`, `http_4xx`, `http_5xx`, `destination_not_allowed`, `connection`,
 * `provider_error`, `unknown_trigger`, or `other`. Null for a delivered attempt.
 */
export function errorClassOf(outcome: FireOutcome): string | null {
  if (outcome.kind === 'delivered') return null;
  const text = outcome.error;
  if (outcome.responseStatus !== undefined)
    return outcome.responseStatus >= 500 ? 'http_5xx' : 'http_4xx';
  if (/destination not allowed/i.test(text)) return 'destination_not_allowed';
  if (/time(d)?[ -]?out|deadline|aborted/i.test(text)) return 'timeout';
  if (/unknown trigger type/i.test(text)) return 'unknown_trigger';
  if (/provider ".*" threw/i.test(text)) return 'provider_error';
  if (
    /ECONN|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|socket|connect/i.test(
      text,
    )
  )
    return 'connection';
  return 'other';
}

/** The execution_attempts row of one attempt. */
export function toAttemptRecord(result: AttemptResult): AttemptRecord {
  const { outcome } = result;
  const response =
    outcome.kind === 'delivered'
      ? (outcome.ref ?? (outcome.duplicate ? 'duplicate' : null))
      : null;
  return {
    finishedAt: result.finishedAt,
    outcome: ATTEMPT_OUTCOMES[outcome.kind],
    response,
    initiationLatencyMs: Math.max(
      0,
      result.startedAt.getTime() - result.dueAt.getTime(),
    ),
    errorClass: errorClassOf(outcome),
  };
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
    attempt: toAttemptRecord(result),
  };
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH
    ? text
    : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
