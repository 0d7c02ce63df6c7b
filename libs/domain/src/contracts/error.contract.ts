/** One problem with a request, named by the JSON path of the field (`schedule.expression`, `limit`, `id`, `body`). */
export interface FieldProblem {
  field: string;
  message: string;
  /** In the answer to `POST /schedules/batch`: the position of the refused item in `schedules`. */
  index?: number;
}

/** The stable `code`s of an error answer; docs/api.md says when each is sent. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'MALFORMED_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'DATABASE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Body of every error answer. `message` is the first problem, for humans; `errors`
 * names every problem's field (empty for a 5xx).
 */
export interface ErrorResponse {
  statusCode: number;
  error: string;
  /** One of ERROR_CODES. */
  code: string;
  message: string;
  errors: FieldProblem[];
}
