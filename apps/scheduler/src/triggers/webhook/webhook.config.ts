import { EnvReader, type Env } from '@scheduleman/runtime';

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

/** Reads and validates the webhook options; throws a ConfigError naming every bad variable. */
export function loadWebhookConfig(vars: Env = process.env): WebhookConfig {
  const env = new EnvReader(vars);
  return env.finish({
    httpClient: env.oneOf('WEBHOOK_HTTP_CLIENT', WEBHOOK_HTTP_CLIENT_NAMES, {
      default: DEFAULT_WEBHOOK_HTTP_CLIENT,
    }),
    maxSockets: env.int('WEBHOOK_MAX_SOCKETS', {
      default: DEFAULT_WEBHOOK_MAX_SOCKETS,
      min: 1,
      max: 100_000,
    }),
    keepAliveMs: env.durationMs('WEBHOOK_KEEP_ALIVE_MS', {
      default: DEFAULT_WEBHOOK_KEEP_ALIVE_MS,
      min: 1,
      max: 600_000,
    }),
  });
}
