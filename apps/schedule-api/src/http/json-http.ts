import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpProblem } from '@scheduleman/runtime';
import { findUnsafeJson } from './json-safety';

/** Default cap on a request body, in bytes (256 KiB). */
export const DEFAULT_REQUEST_BODY_LIMIT_BYTES = 262_144;

/**
 * POST /schedules/batch takes bodies up to this many times the limit (16 MiB at the
 * default): 1000 schedules of a typical size fit, and the per-item checks stay those
 * of POST /schedules (metadata at most 16 KiB each, …).
 */
export const BATCH_BODY_LIMIT_FACTOR = 64;

/** The routes whose bodies may be BATCH_BODY_LIMIT_FACTOR times larger. */
const BATCH_PATHS = new Set(['/schedules/batch', '/schedules/batch/']);

export interface JsonHttpOptions {
  /** Largest accepted request body in bytes; larger ones get 413. */
  bodyLimitBytes?: number;
}

/**
 * Makes an app JSON-only: bodies are parsed as JSON up to a size limit (413 beyond it),
 * a body in any other media type is refused with 415 instead of reaching a handler as
 * `undefined`, and input that parses but cannot be stored gets 400 (see findUnsafeJson).
 * The app must be created with `{ bodyParser: false }` so Nest does not install its own
 * parsers (100 kB JSON, urlencoded) first.
 */
export function useJsonHttp(
  app: NestExpressApplication,
  options: JsonHttpOptions = {},
): void {
  const limit = options.bodyLimitBytes ?? DEFAULT_REQUEST_BODY_LIMIT_BYTES;
  app.use(rejectNonJsonBodies);
  // Two parsers, each for its own requests (body-parser's `type` test); a body the
  // first has read is skipped by the second.
  app.useBodyParser('json', {
    limit: limit * BATCH_BODY_LIMIT_FACTOR,
    type: (req: IncomingMessage) => isBatchPath(req) && isPlainJson(req),
  });
  app.useBodyParser('json', {
    limit,
    type: (req: IncomingMessage) => !isBatchPath(req) && isPlainJson(req),
  });
  app.use(rejectUnsafeInput);
}

/** Refuses bodies and query strings that parse but cannot be stored (see findUnsafeJson). */
function rejectUnsafeInput(
  req: IncomingMessage & { body?: unknown; query?: unknown },
  _res: ServerResponse,
  next: (error?: unknown) => void,
): void {
  const problem = findUnsafeJson(req.body) ?? findUnsafeJson(req.query, '');
  if (problem) {
    next(
      new HttpProblem(400, 'VALIDATION_FAILED', problem.field, problem.message),
    );
    return;
  }
  next();
}

function rejectNonJsonBodies(
  req: IncomingMessage,
  _res: ServerResponse,
  next: (error?: unknown) => void,
): void {
  if (!hasBody(req)) {
    next();
    return;
  }
  const mediaType = mediaTypeOf(req);
  if (
    mediaType === 'application/json' ||
    /^application\/[^/]+\+json$/.test(mediaType)
  ) {
    next();
    return;
  }
  next(
    new HttpProblem(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'content-type',
      `must be application/json (got ${mediaType === '' ? 'none' : JSON.stringify(mediaType)})`,
    ),
  );
}

function isBatchPath(req: IncomingMessage): boolean {
  return BATCH_PATHS.has((req.url ?? '').split('?')[0]);
}

/** What body-parser's json parser takes by default: `application/json` only. */
function isPlainJson(req: IncomingMessage): boolean {
  return mediaTypeOf(req) === 'application/json';
}

function mediaTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0;
}
