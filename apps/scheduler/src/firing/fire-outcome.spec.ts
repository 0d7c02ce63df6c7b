import { DEFAULT_RETRY_POLICY, type FireOutcome } from '@scheduleman/domain';
import {
  type AttemptResult,
  errorClassOf,
  MAX_ERROR_LENGTH,
  toAttemptRecord,
  toFireRecord,
} from './fire-outcome';

const startedAt = new Date('2031-01-01T00:00:00.010Z');
const finishedAt = new Date('2031-01-01T00:00:00.060Z');
const policy = {
  ...DEFAULT_RETRY_POLICY,
  maxAttempts: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
};

function attempt(outcome: FireOutcome, n = 1): AttemptResult {
  return {
    executionId: 'e',
    leaseVersion: 7,
    attempt: n,
    outcome,
    dueAt: new Date('2031-01-01T00:00:00.000Z'),
    startedAt,
    finishedAt,
  };
}

describe('toFireRecord', () => {
  it('records a delivered trigger as succeeded, finished, under the lease it was fired with', () => {
    expect(
      toFireRecord(attempt({ kind: 'delivered', responseStatus: 202 }), policy),
    ).toEqual({
      executionId: 'e',
      leaseVersion: 7,
      status: 'succeeded',
      attempts: 1,
      retryAt: null,
      firedAt: startedAt,
      finishedAt,
      responseStatus: 202,
      error: null,
      attempt: {
        finishedAt,
        outcome: 'succeeded',
        response: null,
        initiationLatencyMs: 10,
        errorClass: null,
      },
    });
  });

  it('schedules a retryable failure again after the policy delay, as unfinished pending work', () => {
    const record = toFireRecord(
      attempt({ kind: 'retryable', error: 'HTTP 503', responseStatus: 503 }, 2),
      policy,
      () => 0,
    );
    // Attempt 2 failed: nominal delay 2 × base = 2 s, equal jitter with random 0 → 1 s.
    expect(record).toMatchObject({
      status: 'pending',
      attempts: 2,
      finishedAt: null,
      error: 'HTTP 503',
      responseStatus: 503,
    });
    expect(record.retryAt).toEqual(new Date(finishedAt.getTime() + 1_000));
  });

  it('fails a retryable failure once the attempts are used up', () => {
    const record = toFireRecord(
      attempt({ kind: 'retryable', error: 'timeout' }, 3),
      policy,
    );
    expect(record).toMatchObject({
      status: 'failed',
      attempts: 3,
      retryAt: null,
      finishedAt,
      error: 'timeout',
      responseStatus: null,
    });
  });

  it('fails a permanent failure at once, whatever attempts are left', () => {
    const record = toFireRecord(
      attempt({ kind: 'permanent', error: 'unknown trigger type "ftp"' }),
      policy,
    );
    expect(record).toMatchObject({
      status: 'failed',
      attempts: 1,
      retryAt: null,
      error: 'unknown trigger type "ftp"',
    });
  });

  it('never retries when the execution allows a single attempt', () => {
    const record = toFireRecord(attempt({ kind: 'retryable', error: 'x' }), {
      ...policy,
      maxAttempts: 1,
    });
    expect(record.status).toBe('failed');
  });

  it('truncates long error texts', () => {
    const record = toFireRecord(
      attempt({ kind: 'permanent', error: 'x'.repeat(5_000) }),
      policy,
    );
    expect(record.error).toHaveLength(MAX_ERROR_LENGTH);
  });
});

describe('toAttemptRecord', () => {
  it('classifies each outcome kind and measures initiation from the due time', () => {
    expect(
      toAttemptRecord(
        attempt({ kind: 'retryable', error: 'HTTP 503', responseStatus: 503 }),
      ),
    ).toEqual({
      finishedAt,
      outcome: 'retryable_failure',
      response: null,
      initiationLatencyMs: 10,
      errorClass: 'http_5xx',
    });
    expect(
      toAttemptRecord(attempt({ kind: 'permanent', error: 'HTTP 404' }))
        .outcome,
    ).toBe('permanent_failure');
  });

  it("keeps a broker's answer as text, and says duplicate when the broker had it", () => {
    expect(
      toAttemptRecord(attempt({ kind: 'delivered', ref: 'jobs:42' })).response,
    ).toBe('jobs:42');
    expect(
      toAttemptRecord(attempt({ kind: 'delivered', duplicate: true })).response,
    ).toBe('duplicate');
  });

  it('never reports a negative latency when an attempt starts before its due time', () => {
    const early = { ...attempt({ kind: 'delivered' }), dueAt: finishedAt };
    expect(toAttemptRecord(early).initiationLatencyMs).toBe(0);
  });
});

describe('errorClassOf', () => {
  it.each([
    [{ kind: 'retryable', error: 'HTTP 500', responseStatus: 500 }, 'http_5xx'],
    [{ kind: 'permanent', error: 'HTTP 410', responseStatus: 410 }, 'http_4xx'],
    [
      { kind: 'retryable', error: 'request timed out after 3000 ms' },
      'timeout',
    ],
    [
      { kind: 'retryable', error: 'connect ECONNREFUSED 127.0.0.1:9' },
      'connection',
    ],
    [
      { kind: 'permanent', error: 'destination not allowed: 10.0.0.1' },
      'destination_not_allowed',
    ],
    [
      { kind: 'permanent', error: 'unknown trigger type "x"' },
      'unknown_trigger',
    ],
    [
      { kind: 'retryable', error: 'trigger provider "nats" threw: boom' },
      'provider_error',
    ],
    [{ kind: 'permanent', error: 'something else' }, 'other'],
    [{ kind: 'delivered' }, null],
  ] as [FireOutcome, string | null][])(
    'classifies %j as %s',
    (outcome, expected) => {
      expect(errorClassOf(outcome)).toBe(expected);
    },
  );
});
