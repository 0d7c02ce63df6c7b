// What `npm start` runs, read from the environment: ports, counts, timeouts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * SECRETS_KEY for `npm start`: the variable when set, else one generated on the first
 * run and kept next to the embedded database (`keyFile`, mode 0600), because the
 * secrets sealed with it are kept there too, across restarts.
 */
export function secretsKeyFor(env, keyFile) {
  if (env.SECRETS_KEY?.trim())
    return { key: env.SECRETS_KEY.trim(), source: 'SECRETS_KEY' };
  if (existsSync(keyFile))
    return { key: readFileSync(keyFile, 'utf8').trim(), source: keyFile };
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  return { key, source: keyFile };
}

export function fail(message) {
  console.error(`[start] ${message}`);
  process.exit(1);
}

function int(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    fail(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** The loopback networks, where the task-pretender listens. */
export const LOOPBACK_ALLOWED_NETWORKS = '127.0.0.0/8,::1/128';

/** The settings, and the services in start order (each with its name, app, port and env). */
export function readConfig(env) {
  const config = {
    apiPort: int(env, 'API_PORT', 3000),
    schedulerCount: int(env, 'SCHEDULER_COUNT', 2),
    schedulerBasePort: int(env, 'SCHEDULER_BASE_PORT', 3001),
    pretenderPort: int(env, 'PRETENDER_PORT', 3100),
    pgPort: int(env, 'EMBEDDED_PG_PORT', 54329),
    readyTimeoutMs: int(env, 'START_READY_TIMEOUT_MS', 120_000),
    // Above the schedulers' own shutdown grace, so a normal hand-over is never cut short.
    stopTimeoutMs: int(env, 'START_STOP_TIMEOUT_MS', 20_000),
  };
  if (config.pgPort === 5432)
    fail('EMBEDDED_PG_PORT must not be 5432 (a system PostgreSQL may own it)');
  // Deliveries are signed as in production, so a user can try verifying one: with an
  // installation secret of their own (passed through like any variable) or a new one per
  // run, printed in the banner. The format is generateSigningSecret's (libs/domain).
  const signingSecretGenerated = !env.WEBHOOK_SIGNING_SECRETS?.trim();
  const signingSecrets = signingSecretGenerated
    ? `whsec_${randomBytes(32).toString('base64')}`
    : env.WEBHOOK_SIGNING_SECRETS;
  // Webhooks may not reach loopback unless allowed (docs/security.md); the README's
  // examples target the task-pretender on localhost, so `npm start` allows loopback.
  const outbound = {
    WEBHOOK_ALLOWED_NETWORKS:
      env.WEBHOOK_ALLOWED_NETWORKS || LOOPBACK_ALLOWED_NETWORKS,
  };
  // Zero setup: without ADMIN_API_KEY the API runs with authentication off, reachable
  // from this machine only (HOST=127.0.0.1), so the README's curl lines work as printed.
  // With ADMIN_API_KEY set, authentication is on and the banner prints a curl line.
  const authEnabled = Boolean(env.ADMIN_API_KEY?.trim());
  const auth = authEnabled
    ? { ADMIN_API_KEY: env.ADMIN_API_KEY.trim(), AUTH_DISABLED: 'false' }
    : { AUTH_DISABLED: 'true', HOST: env.HOST || '127.0.0.1' };
  const services = [
    {
      name: 'schedule-api',
      app: 'schedule-api',
      port: config.apiPort,
      env: { ...outbound, ...auth },
    },
    ...Array.from({ length: config.schedulerCount }, (_, i) => ({
      name: `scheduler-${i + 1}`,
      app: 'scheduler',
      port: config.schedulerBasePort + i,
      env: {
        ...outbound,
        SCHEDULER_ID: `scheduler-${i + 1}`,
        WEBHOOK_SIGNING_SECRETS: signingSecrets,
        // Deliveries name where to report their result, so the task-pretender closes
        // the loop (it reports how its pretended work ended): the API on this machine.
        PUBLIC_API_URL:
          env.PUBLIC_API_URL || `http://127.0.0.1:${config.apiPort}`,
      },
    })),
    {
      name: 'task-pretender',
      app: 'task-pretender',
      port: config.pretenderPort,
      env: {},
    },
  ];
  return {
    ...config,
    authEnabled,
    signingSecretGenerated,
    signingSecrets,
    services,
  };
}

/** `say` and `shout` (errors), prefixed like the apps' lines: `start        | …`. */
export function startLog(services) {
  const width = Math.max(
    ...services.map((s) => s.name.length),
    'postgres'.length,
  );
  const prefix = `${'start'.padEnd(width)} | `;
  return {
    width,
    say: (message) => console.log(prefix + message),
    shout: (message) => console.error(`${prefix}!!! ${message}`),
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
