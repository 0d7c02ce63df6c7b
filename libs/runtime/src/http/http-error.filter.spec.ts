import {
  type ArgumentsHost,
  BadRequestException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import {
  ConflictError,
  NotFoundError,
  QuotaExceededError,
  ValidationError,
} from '@scheduleman/domain';
import { HttpErrorFilter } from './http-error.filter';
import { HttpProblem, InvalidRequestError } from './http-errors';

function answer(exception: unknown): {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
} {
  const out = {
    status: 0,
    body: {} as Record<string, unknown>,
    headers: {} as Record<string, string>,
  };
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => (out.headers[name] = value),
    status: (code: number) => ({
      json: (body: Record<string, unknown>) =>
        Object.assign(out, { status: code, body }),
    }),
    end: () => undefined,
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => res }),
  } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(exception, host);
  return out;
}

function pgError(code: string, message = 'db error'): Error {
  return Object.assign(new Error(message), { driverError: { code } });
}

describe('HttpErrorFilter', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger([
      'log',
      'error',
      'warn',
      'debug',
      'verbose',
      'fatal',
    ]);
  });

  it.each<[string, unknown, number, string, string]>([
    [
      'a domain ValidationError',
      new ValidationError('schedule.at', 'is in the past'),
      400,
      'VALIDATION_FAILED',
      'schedule.at',
    ],
    [
      'an InvalidRequestError',
      new InvalidRequestError([{ field: 'limit', message: 'too big' }]),
      400,
      'VALIDATION_FAILED',
      'limit',
    ],
    [
      'a NotFoundError',
      new NotFoundError('schedule', 'abc'),
      404,
      'NOT_FOUND',
      'id',
    ],
    ['a ConflictError', new ConflictError('completed'), 409, 'CONFLICT', 'id'],
    [
      'a QuotaExceededError',
      new QuotaExceededError('owner', 'too many'),
      409,
      'QUOTA_EXCEEDED',
      'owner',
    ],
    [
      'an HttpProblem',
      new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type', 'nope'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'content-type',
    ],
    [
      "Nest's unknown-route 404",
      new NotFoundException('Cannot GET /x'),
      404,
      'ROUTE_NOT_FOUND',
      'path',
    ],
    [
      "Nest's malformed-JSON 400",
      new BadRequestException('Unexpected token } in JSON at position 3'),
      400,
      'MALFORMED_JSON',
      'body',
    ],
    [
      'a body-parser 413',
      Object.assign(new Error('request entity too large'), {
        statusCode: 413,
        expose: true,
      }),
      413,
      'PAYLOAD_TOO_LARGE',
      'body',
    ],
  ])('maps %s', (_what, exception, status, code, field) => {
    const { status: got, body } = answer(exception);
    expect(got).toBe(status);
    expect(body).toMatchObject({
      statusCode: status,
      code,
      errors: [{ field }],
    });
  });

  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
      }),
    ],
    [
      'a server shutting down',
      pgError('57P01', 'terminating connection due to administrator command'),
    ],
    [
      'a statement timeout',
      pgError('57014', 'canceling statement due to statement timeout'),
    ],
    ['a lost connection', pgError('08006')],
    [
      'the pool connect timeout',
      new Error('timeout exceeded when trying to connect'),
    ],
  ])('answers 503 with Retry-After for %s', (_what, exception) => {
    const { status, body, headers } = answer(exception);
    expect(status).toBe(503);
    expect(body).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(headers['Retry-After']).toBe('1');
  });

  it('hides anything else behind a generic 500', () => {
    const { status, body } = answer(
      pgError('42P01', 'relation "secret_table" does not exist'),
    );
    expect(status).toBe(500);
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
      errors: [],
    });
  });
});
