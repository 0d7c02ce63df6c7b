import type { WebhookCall } from './webhook-request';

/**
 * The small seam between the webhook provider and an HTTP client library, so the
 * outcome rules do not depend on the library (the scheduler sends with undici; the bench
 * compares it with others over the same seam). Implementations:
 * - resolve with the status once the response head arrives, and discard the body
 *   (drained in the background, so keep-alive sockets are reused);
 * - never follow redirects;
 * - reject on network errors, keeping the library's error (its `code`, or its
 *   `cause.code`, names the failure: ECONNREFUSED, ENOTFOUND, ...);
 * - reject promptly when `signal` aborts.
 */
export type HttpRequest = WebhookCall & { signal: AbortSignal };

export interface HttpResponse {
  status: number;
}

export interface HttpClient {
  /** Short name for logs and metrics, e.g. 'undici'. */
  readonly name: string;
  send(request: HttpRequest): Promise<HttpResponse>;
  /** Closes pooled connections (at shutdown). */
  close(): Promise<void>;
}

/** Nest token for the HttpClient the webhook provider sends through. */
export const WEBHOOK_HTTP_CLIENT = Symbol('WEBHOOK_HTTP_CLIENT');

/** Bodies larger than this are not read to the end; the socket is dropped instead. */
export const MAX_DRAINED_BODY_BYTES = 1024 * 1024;
