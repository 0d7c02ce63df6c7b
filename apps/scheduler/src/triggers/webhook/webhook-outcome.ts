import {
  DESTINATION_NOT_ALLOWED,
  errorMessage,
  type FireOutcome,
} from '@scheduleman/domain';
import { DESTINATION_NOT_ALLOWED_CODE } from '../outbound/destination-guard';

/**
 * Statuses worth retrying besides 5xx: 408 Request Timeout, 425 Too Early, 429 Too Many
 * Requests. Every other 4xx says the request itself is wrong, so repeating it is futile.
 */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * Error codes meaning the stored request can never be sent (a malformed URL or header),
 * so retrying is futile. Everything else a client throws (refused, reset, DNS failure,
 * TLS trouble, unknown) is treated as transient: retries are bounded by the policy,
 * while a wrongly permanent failure would lose an occurrence for good.
 */
const PERMANENT_ERROR_CODES = new Set([
  'ERR_INVALID_URL',
  'ERR_INVALID_PROTOCOL',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_UNESCAPED_CHARACTERS',
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
]);

const MAX_ERROR_LENGTH = 200;

export function outcomeForStatus(status: number): FireOutcome {
  if (status >= 200 && status < 300)
    return { kind: 'delivered', responseStatus: status };
  const error = `HTTP ${status}`;
  if (status >= 500 || RETRYABLE_4XX.has(status))
    return { kind: 'retryable', error, responseStatus: status };
  // 1xx/3xx land here too: redirects are not followed (a webhook URL should be final).
  return { kind: 'permanent', error, responseStatus: status };
}

/** The most specific error code a client error carries (Node, axios and undici differ). */
export function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (
    let depth = 0;
    depth < 4 && typeof current === 'object' && current !== null;
    depth++
  ) {
    const candidate = current as {
      code?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    // AggregateError from Happy Eyeballs (IPv6 then IPv4): the members carry the codes.
    const members = Array.isArray(candidate.errors)
      ? (candidate.errors as unknown[])
      : [];
    const memberCode = members
      .map(errorCodeOf)
      .find((code) => code !== undefined);
    // Wrapper codes say less than the cause's: ERR_BAD_REQUEST/ERR_NETWORK (axios), UND_ERR_* generic.
    if (
      typeof candidate.code === 'string' &&
      !['ERR_BAD_REQUEST', 'ERR_NETWORK', 'ERR_BAD_RESPONSE'].includes(
        candidate.code,
      )
    ) {
      return candidate.code;
    }
    if (memberCode) return memberCode;
    current = candidate.cause;
  }
  return undefined;
}

export function outcomeForError(error: unknown): FireOutcome {
  const code = errorCodeOf(error);
  // Permanent: the policy will refuse every retry too. Nothing about the addresses.
  if (code === DESTINATION_NOT_ALLOWED_CODE)
    return {
      kind: 'permanent',
      error: `${DESTINATION_NOT_ALLOWED}: the host's address is neither public nor in WEBHOOK_ALLOWED_NETWORKS`,
    };
  const message = code ?? errorMessage(error);
  const short =
    message.length > MAX_ERROR_LENGTH
      ? `${message.slice(0, MAX_ERROR_LENGTH)}…`
      : message;
  if (code !== undefined && PERMANENT_ERROR_CODES.has(code))
    return { kind: 'permanent', error: short };
  return { kind: 'retryable', error: short };
}

/**
 * The signal fired: the loop's timeout (the usual case) or a shutdown. Either way the
 * receiver may or may not have started the work, so the attempt is retried under the
 * same Idempotency-Key.
 */
export function outcomeForAbort(
  reason: unknown,
  elapsedMs: number,
): FireOutcome {
  const name =
    reason instanceof Error || reason instanceof DOMException
      ? reason.name
      : undefined;
  if (
    reason === undefined ||
    name === 'TimeoutError' ||
    name === 'AbortError'
  ) {
    return {
      kind: 'retryable',
      error: `timeout after ${Math.round(elapsedMs)} ms`,
    };
  }
  const message = errorMessage(reason);
  return {
    kind: 'retryable',
    error: `aborted after ${Math.round(elapsedMs)} ms: ${message.slice(0, MAX_ERROR_LENGTH)}`,
  };
}
