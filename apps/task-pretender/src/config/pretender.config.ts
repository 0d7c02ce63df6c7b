import {
  EnvReader,
  LOG_LEVELS,
  type Env,
  type LogLevel,
} from '@scheduleman/runtime';

export const DEFAULT_PRETENDER_PORT = 3100;
export const DEFAULT_PRETEND_DELAY_MS = 100;
export const DEFAULT_STALL_MS = 5_000;
export const DEFAULT_RESPONSE_STATUS = 202;
export const DEFAULT_MAX_TRACKED_KEYS = 1_000_000;
export const DEFAULT_MAX_LATENESS_SAMPLES = 1_000_000;
export const DEFAULT_RECENT_REQUESTS = 1_000;
export const DEFAULT_RESULT_REPORT_ATTEMPTS = 3;

/** task-pretender's settings, all from the environment (see docs in README of the app). */
export interface PretenderConfig {
  /** `PORT`: HTTP port. Default 3100. */
  port: number;
  /** `LOG_LEVEL`: error | warn | info | debug (debug logs every webhook). Default info. */
  logLevel: LogLevel;
  /** `PRETEND_DELAY_MS`: how long the background "work" after an accepted webhook lasts, in ms. Default 100. */
  pretendDelayMs: number;
  /** `FAILURE_RATE`: share (0..1) of webhooks answered with 500 instead of accepted. Default 0. */
  failureRate: number;
  /** `STALL_RATE`: share (0..1) of webhooks answered only after STALL_MS (beyond the scheduler's 3 s timeout). Default 0. */
  stallRate: number;
  /** `STALL_MS`: how long a stalled webhook waits before it is answered, in ms. Default 5000. */
  stallMs: number;
  /** `RESPONSE_STATUS`: status of an accepted webhook. Default 202. */
  responseStatus: number;
  /** `MAX_TRACKED_KEYS`: idempotency keys remembered for duplicate detection (oldest forgotten first; ~150 B each). Default 1,000,000. */
  maxTrackedKeys: number;
  /** `MAX_LATENESS_SAMPLES`: lateness samples kept for percentiles (a uniform reservoir beyond that). Default 1,000,000. */
  maxLatenessSamples: number;
  /** `RECENT_REQUESTS`: webhooks kept in full (headers, body) for `GET /stats/requests`. Default 1000. */
  recentRequests: number;
  /**
   * `REPORT_RESULTS`: when a webhook carries X-Scheduleman-Result-Url and
   * X-Scheduleman-Result-Token, report how the pretended work ended (POST that URL with
   * `{ status, output }` once PRETEND_DELAY_MS has passed). Default true.
   */
  reportResults: boolean;
  /** `RESULT_FAILURE_RATE`: share (0..1) of accepted work reported as `failed`. Default 0. */
  resultFailureRate: number;
  /** `RESULT_REPORT_ATTEMPTS`: attempts per report (network errors, 429 and 5xx are retried with backoff). Default 3. */
  resultReportAttempts: number;
}

function rate(env: EnvReader, vars: Env, name: string): number {
  const raw = vars[name]?.trim();
  if (raw === undefined || raw === '') return 0;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    env.addProblem(
      `${name}: must be a number between 0 and 1 (got ${JSON.stringify(raw)})`,
    );
    return 0;
  }
  return value;
}

export function loadPretenderConfig(vars: Env): PretenderConfig {
  const env = new EnvReader(vars);
  return env.finish({
    port: env.int('PORT', {
      default: DEFAULT_PRETENDER_PORT,
      min: 1,
      max: 65535,
    }),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, { default: 'info' }),
    pretendDelayMs: env.durationMs('PRETEND_DELAY_MS', {
      default: DEFAULT_PRETEND_DELAY_MS,
      min: 0,
      max: 3_600_000,
    }),
    failureRate: rate(env, vars, 'FAILURE_RATE'),
    stallRate: rate(env, vars, 'STALL_RATE'),
    stallMs: env.durationMs('STALL_MS', {
      default: DEFAULT_STALL_MS,
      min: 0,
      max: 600_000,
    }),
    responseStatus: env.int('RESPONSE_STATUS', {
      default: DEFAULT_RESPONSE_STATUS,
      min: 200,
      max: 599,
    }),
    maxTrackedKeys: env.int('MAX_TRACKED_KEYS', {
      default: DEFAULT_MAX_TRACKED_KEYS,
      min: 1,
    }),
    maxLatenessSamples: env.int('MAX_LATENESS_SAMPLES', {
      default: DEFAULT_MAX_LATENESS_SAMPLES,
      min: 1,
    }),
    recentRequests: env.int('RECENT_REQUESTS', {
      default: DEFAULT_RECENT_REQUESTS,
      min: 0,
      max: 100_000,
    }),
    reportResults: env.bool('REPORT_RESULTS', { default: true }),
    resultFailureRate: rate(env, vars, 'RESULT_FAILURE_RATE'),
    resultReportAttempts: env.int('RESULT_REPORT_ATTEMPTS', {
      default: DEFAULT_RESULT_REPORT_ATTEMPTS,
      min: 1,
      max: 10,
    }),
  });
}

export const PRETENDER_CONFIG = Symbol('PRETENDER_CONFIG');
