/**
 * Domain errors carry a stable `code` that clients can rely on; the HTTP layer maps them
 * to statuses in one exception filter. They never read request context.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that can never be valid. `field` is the JSON path of the offending field, e.g. `schedule.expression`. */
export class ValidationError extends DomainError {
  readonly code = 'VALIDATION_FAILED';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';

  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} ${id} not found`);
  }
}

/** The request is well-formed but conflicts with the current state (e.g. resuming a completed schedule). */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

/**
 * A limit of the installation would be exceeded (docs/security.md, "Rate limits and
 * quotas"): HTTP 409 with code QUOTA_EXCEEDED. `field` names what the limit is about
 * (`owner` for an owner's totals, `schedule.expression` for a cron's interval); the
 * message names the limit and the variable that sets it.
 */
export class QuotaExceededError extends DomainError {
  readonly code = 'QUOTA_EXCEEDED';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The message of anything thrown, for logs and error texts (a non-Error is stringified). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
