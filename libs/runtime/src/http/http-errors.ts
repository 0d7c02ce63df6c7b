/** One problem with a request, named by the JSON path of the field (`schedule.expression`, `limit`, `id`, `body`). */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * The body of every 4xx and 5xx answer:
 * `{ statusCode, error, code, message, errors: [{ field, message }] }`.
 * `code` is stable for clients; `message` is the first problem, for humans.
 */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  errors: FieldError[];
}

/** A request with one or more invalid fields (e.g. every class-validator problem of a DTO). */
export class InvalidRequestError extends Error {
  readonly code = 'VALIDATION_FAILED';

  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'InvalidRequestError';
  }
}

/** An HTTP-level refusal outside the domain: unsupported media type, body too large, … */
export class HttpProblem extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}
