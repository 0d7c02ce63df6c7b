/** Which HttpClient implementation sends webhooks. */
export const WEBHOOK_HTTP_CLIENT_NAMES = ['axios', 'undici'] as const;
export type WebhookHttpClientName = (typeof WEBHOOK_HTTP_CLIENT_NAMES)[number];

/** Chosen by measurement against task-pretender; see docs/triggers.md. */
export const DEFAULT_WEBHOOK_HTTP_CLIENT: WebhookHttpClientName = 'undici';
export const DEFAULT_WEBHOOK_MAX_SOCKETS = 256;
export const DEFAULT_WEBHOOK_KEEP_ALIVE_MS = 30_000;

export interface WebhookConfig {
  /** `WEBHOOK_HTTP_CLIENT`: 'axios' (@nestjs/axios) or 'undici'. Default: DEFAULT_WEBHOOK_HTTP_CLIENT. */
  httpClient: WebhookHttpClientName;
  /** `WEBHOOK_MAX_SOCKETS`: maximum open connections per target origin. Default 256. */
  maxSockets: number;
  /** `WEBHOOK_KEEP_ALIVE_MS`: how long an idle connection is kept for reuse, in ms (undici; Node's agent follows the server's Keep-Alive hint). Default 30000. */
  keepAliveMs: number;
}

export const WEBHOOK_CONFIG = Symbol('WEBHOOK_CONFIG');

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

/** Reads and validates the webhook options; throws naming the variable when one is wrong. */
export function loadWebhookConfig(env: Record<string, string | undefined> = process.env): WebhookConfig {
  const client = env['WEBHOOK_HTTP_CLIENT'] || DEFAULT_WEBHOOK_HTTP_CLIENT;
  if (!(WEBHOOK_HTTP_CLIENT_NAMES as readonly string[]).includes(client)) {
    throw new Error(`WEBHOOK_HTTP_CLIENT must be one of ${WEBHOOK_HTTP_CLIENT_NAMES.join(', ')}, got '${client}'`);
  }
  return {
    httpClient: client as WebhookHttpClientName,
    maxSockets: positiveInt(env, 'WEBHOOK_MAX_SOCKETS', DEFAULT_WEBHOOK_MAX_SOCKETS),
    keepAliveMs: positiveInt(env, 'WEBHOOK_KEEP_ALIVE_MS', DEFAULT_WEBHOOK_KEEP_ALIVE_MS),
  };
}
