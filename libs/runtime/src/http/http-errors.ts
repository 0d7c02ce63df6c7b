import type { FieldProblem } from '@scheduleman/domain';

/** The error body and its field entries are part of the REST contract (libs/domain/src/contracts). */
export type {
  ErrorResponse as ErrorBody,
  FieldProblem as FieldError,
} from '@scheduleman/domain';

/** A request with one or more invalid fields (e.g. every class-validator problem of a DTO). */
export class InvalidRequestError extends Error {
  readonly code = 'VALIDATION_FAILED';

  constructor(readonly errors: FieldProblem[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'InvalidRequestError';
  }
}

/**
 * A refusal naming several fields with a status of its own: the items of a batch that
 * named another owner (403 FORBIDDEN) or went over a quota (409 QUOTA_EXCEEDED).
 */
export class RefusedFieldsError extends Error {
  constructor(
    readonly statusCode: 403 | 409,
    readonly code: string,
    readonly errors: FieldProblem[],
  ) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'RefusedFieldsError';
  }
}

/** An HTTP-level refusal outside the domain: unsupported media type, body too large, … */
export class HttpProblem extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly field: string,
    message: string,
    /** Extra response headers, e.g. `Retry-After` on a 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

/**
 * Too many requests from one API key: 429 with `Retry-After` (whole seconds, at least
 * 1) and any further `headers` (the RateLimit-* ones).
 */
export class TooManyRequestsError extends HttpProblem {
  constructor(
    retryAfterSeconds: number,
    message: string,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(429, 'RATE_LIMITED', 'authorization', message, {
      ...headers,
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
    this.name = 'TooManyRequestsError';
  }
}
