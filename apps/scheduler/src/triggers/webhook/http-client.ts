/**
 * The small seam between the webhook provider and an HTTP client library, so the
 * client can be swapped by measurement (WEBHOOK_HTTP_CLIENT=axios|undici) without
 * touching the outcome rules. Implementations:
 * - resolve with the status once the response head arrives, and discard the body
 *   (drained in the background, so keep-alive sockets are reused);
 * - never follow redirects;
 * - reject on network errors, keeping the library's error (its `code`, or its
 *   `cause.code`, names the failure: ECONNREFUSED, ENOTFOUND, ...);
 * - reject promptly when `signal` aborts.
 */
export interface HttpRequest {
  url: string;
  /** The origin and path of `url`, already split (undici's Agent takes them apart). */
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  /** Already serialised; undefined sends no body. */
  body: string | undefined;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
}

export interface HttpClient {
  /** Short name for logs and metrics: 'axios' or 'undici'. */
  readonly name: string;
  send(request: HttpRequest): Promise<HttpResponse>;
  /** Closes pooled connections (at shutdown). */
  close(): Promise<void>;
}

/** Nest token for the selected HttpClient. */
export const WEBHOOK_HTTP_CLIENT = Symbol('WEBHOOK_HTTP_CLIENT');

/** Bodies larger than this are not read to the end; the socket is dropped instead. */
export const MAX_DRAINED_BODY_BYTES = 1024 * 1024;
