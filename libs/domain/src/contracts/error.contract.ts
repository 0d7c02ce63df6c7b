/** One problem with a request, named by the JSON path of the field (`schedule.expression`, `limit`, `id`, `body`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Body of every error answer. `code` is stable (VALIDATION_FAILED, NOT_FOUND, CONFLICT,
 * MALFORMED_JSON, MALFORMED_REQUEST, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, ROUTE_NOT_FOUND,
 * DATABASE_UNAVAILABLE, INTERNAL_ERROR); `message` is the first problem, for humans.
 */
export interface ErrorResponse {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  errors: FieldProblem[];
}
