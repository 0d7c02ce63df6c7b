import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  QuotaExceededError,
  UnauthenticatedError,
  ValidationError,
} from '@scheduleman/domain';
import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable } from '../database/database-errors';
import {
  type ErrorBody,
  type FieldError,
  HttpProblem,
  InvalidRequestError,
  RefusedFieldsError,
} from './http-errors';

interface ReplyTarget {
  headersSent: boolean;
  setHeader(name: string, value: string): void;
  status(code: number): { json(body: unknown): void };
  end(): void;
}

/** Errors thrown by http-errors (body-parser, send): `expose` is false when the message is internal. */
interface HttpErrorsLike {
  statusCode: number;
  message: string;
  expose?: boolean;
  type?: string;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * The one place where errors become HTTP answers, all in the ErrorBody shape:
 * domain errors by their class (ValidationError 400, NotFoundError 404, ConflictError
 * and QuotaExceededError 409), refusals of the HTTP layer by their status, and anything else as a 500 whose
 * details go to the log, never to the client.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ReplyTarget>();
    if (
      exception instanceof HttpException &&
      isHealthReport(exception.getResponse())
    ) {
      // Terminus reports a failed readiness check as a 503 whose body is the health report.
      if (!res.headersSent)
        res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const body = this.toBody(exception);
    if (body.statusCode === 503)
      this.logger.warn({
        msg: 'database unavailable',
        reason:
          exception instanceof Error ? exception.message : String(exception),
      });
    else if (body.statusCode >= 500)
      this.logger.error(
        exception instanceof Error
          ? exception
          : { msg: 'non-error thrown', value: String(exception) },
      );
    if (res.headersSent) {
      res.end();
      return;
    }
    if (body.statusCode === 503) res.setHeader('Retry-After', '1');
    for (const [name, value] of Object.entries(headersOf(exception)))
      res.setHeader(name, value);
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof ValidationError) {
      return errorBody(400, exception.code, [
        {
          field: exception.field,
          message: stripFieldPrefix(exception.field, exception.message),
        },
      ]);
    }
    if (exception instanceof InvalidRequestError)
      return errorBody(400, exception.code, exception.errors);
    if (exception instanceof RefusedFieldsError)
      return errorBody(exception.statusCode, exception.code, exception.errors);
    if (exception instanceof NotFoundError)
      return errorBody(404, exception.code, [
        { field: 'id', message: exception.message },
      ]);
    if (exception instanceof QuotaExceededError)
      return errorBody(409, exception.code, [
        { field: exception.field, message: exception.message },
      ]);
    if (exception instanceof ConflictError) {
      const field = (exception as ConflictError & { field?: unknown }).field;
      return errorBody(409, exception.code, [
        {
          field: typeof field === 'string' ? field : 'id',
          message: exception.message,
        },
      ]);
    }
    if (exception instanceof UnauthenticatedError)
      return errorBody(401, exception.code, [
        { field: 'authorization', message: exception.message },
      ]);
    if (exception instanceof ForbiddenError)
      return errorBody(403, exception.code, [
        { field: exception.field, message: exception.message },
      ]);
    if (exception instanceof DomainError)
      return errorBody(400, exception.code, [
        { field: 'body', message: exception.message },
      ]);
    if (exception instanceof HttpProblem)
      return errorBody(exception.statusCode, exception.code, [
        { field: exception.field, message: exception.message },
      ]);
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (
      isHttpErrorsLike(exception) &&
      exception.statusCode >= 400 &&
      exception.statusCode < 500
    ) {
      // body-parser: entity.too.large (413), encoding/charset unsupported (415), request.aborted (400), …
      const message =
        exception.expose === false
          ? (STATUS_CODES[exception.statusCode] ?? 'Bad Request')
          : exception.message;
      return errorBody(
        exception.statusCode,
        CODE_BY_STATUS[exception.statusCode] ?? 'BAD_REQUEST',
        [{ field: 'body', message }],
      );
    }
    if (isDatabaseUnavailable(exception)) {
      return errorBody(
        503,
        'DATABASE_UNAVAILABLE',
        [],
        'The database is unavailable; retry shortly',
      );
    }
    return errorBody(500, 'INTERNAL_ERROR', [], 'Internal server error');
  }
}

/** Headers an answer carries besides the body: the 401 challenge (RFC 6750), a 429's Retry-After. */
function headersOf(exception: unknown): Readonly<Record<string, string>> {
  if (exception instanceof UnauthenticatedError)
    return { 'WWW-Authenticate': 'Bearer' };
  if (exception instanceof HttpProblem) return exception.headers;
  return {};
}

function fromHttpException(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const message = exception.message;
  // Nest's fallback for a path no controller serves: "Cannot GET /nowhere".
  if (status === 404 && message.startsWith('Cannot ')) {
    return errorBody(404, 'ROUTE_NOT_FOUND', [{ field: 'path', message }]);
  }
  if (status === 400) {
    // Nest maps two Express errors to a bare BadRequestException: a body-parser
    // SyntaxError (malformed JSON) and a URIError for a path with bad %-encoding.
    if (message.startsWith('Failed to decode param'))
      return errorBody(400, 'MALFORMED_REQUEST', [{ field: 'path', message }]);
    return errorBody(400, 'MALFORMED_JSON', [
      { field: 'body', message: `is not valid JSON (${message})` },
    ]);
  }
  if (status >= 500)
    return errorBody(status, 'INTERNAL_ERROR', [], 'Internal server error');
  return errorBody(status, CODE_BY_STATUS[status] ?? 'REQUEST_REFUSED', [
    { field: 'request', message },
  ]);
}

function errorBody(
  statusCode: number,
  code: string,
  errors: FieldError[],
  message?: string,
): ErrorBody {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    code,
    message:
      message ??
      (errors[0]
        ? `${errors[0].field}: ${errors[0].message}`
        : (STATUS_CODES[statusCode] ?? 'Error')),
    errors,
  };
}

function stripFieldPrefix(field: string, message: string): string {
  return message.startsWith(`${field}: `)
    ? message.slice(field.length + 2)
    : message;
}

function isHealthReport(response: unknown): boolean {
  return (
    typeof response === 'object' &&
    response !== null &&
    'details' in response &&
    (response as { status?: unknown }).status === 'error'
  );
}

function isHttpErrorsLike(value: unknown): value is HttpErrorsLike {
  return (
    value instanceof Error &&
    typeof (value as Partial<HttpErrorsLike>).statusCode === 'number'
  );
}
