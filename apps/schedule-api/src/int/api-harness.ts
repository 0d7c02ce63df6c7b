import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { join } from 'node:path';
import {
  type Clock,
  DEFAULT_API_KEY_CACHE_TTL_MS,
  DEFAULT_SCHEDULE_QUOTAS,
  type ErrorResponse,
  LOOPBACK_NETWORKS,
  networkPolicyOf,
  parseSecretsKey,
  type RateLimitPolicy,
  SecretBox,
  type ScheduleQuotas,
  type ScheduleResponse,
  TRIGGER_DEFINITIONS,
  type TriggerDefinition,
} from '@scheduleman/domain';
import {
  createTestDatabase,
  TEST_ADMIN_API_KEY,
  TEST_SECRETS_KEY,
  type TestDatabase,
} from '@scheduleman/testkit';
import { CLOCK, JsonLogger } from '@scheduleman/runtime';
import type { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import type { ApiConfig } from '../config/api.config';
import { configureApp } from '../configure-app';

/**
 * One HTTP answer. `body` is parsed JSON when the answer is JSON, else the text. Its type
 * is what the caller expects (a contract type from @scheduleman/domain: ScheduleResponse,
 * ErrorResponse, …); nothing checks it at run time, the assertions do.
 */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * The real AppModule (production pipe, filter, guard, body parsing, Swagger) on a fresh
 * migrated database, listening on a random port, driven over HTTP with fetch. Requests
 * carry TEST_ADMIN_API_KEY unless their headers set `authorization` (NO_AUTH: none).
 */
export interface ApiHarness {
  base: string;
  db: TestDatabase;
  /** The running app, for its providers (`app.get(...)`). */
  app: NestExpressApplication;
  /** A separate connection for arranging and inspecting rows in SQL. */
  sql: DataSource;
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  /** Sends `body` exactly as given (malformed JSON, wrong content type, …). */
  raw<T = unknown>(
    method: string,
    path: string,
    body: string,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  count(table: 'schedules' | 'executions' | 'connections'): Promise<number>;
  close(): Promise<void>;
}

export const TEST_BODY_LIMIT_BYTES = 64 * 1024;

/** ADMIN_API_KEY of every harness: `request` and `raw` send it unless told otherwise. */
export { TEST_ADMIN_API_KEY };

/** The Authorization header of a key. */
export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** Pass as `headers` to send no Authorization header at all. */
export const NO_AUTH: Record<string, string> = { authorization: '' };

/** A stand-in for dist/apps/schedule-ui: an index.html and one asset. */
export const TEST_UI_DIR = join(__dirname, 'ui-fixture');

export async function startApi(
  prefix: string,
  options: {
    clock?: Clock;
    /**
     * WEBHOOK_ALLOWED_NETWORKS. Default loopback, which the other tests' URLs name
     * (`http://127.0.0.1:3100/tasks`); `''` leaves it unset: public addresses only.
     */
    allowedNetworks?: string;
    /** AUTH_DISABLED=true. Default false: authentication on, with TEST_ADMIN_API_KEY. */
    authDisabled?: boolean;
    /** METRICS_REQUIRE_KEY=true. Default false: /metrics is open. */
    metricsRequireKey?: boolean;
    /** SECRETS_KEY. Default TEST_SECRETS_KEY; null runs without a box (needs authDisabled). */
    secretsKey?: string | null;
    /** The trigger types schedules may use. Default TRIGGER_DEFINITIONS. */
    triggerDefinitions?: readonly TriggerDefinition[];
    /** Collects every log line (level debug) instead of printing errors only. */
    logs?: string[];
    /**
     * RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST. Default off (null): tests of other
     * features send bursts with one key; rate-limits.int-spec.ts turns it on.
     */
    rateLimit?: RateLimitPolicy | null;
    /** The QUOTA_* variables, merged over the production defaults. */
    quotas?: Partial<ScheduleQuotas>;
    /** SECRETS_KEY (and SECRETS_KEY_PREVIOUS) as a box; null: none. Default TEST_SECRETS_KEY. */
    secretBox?: SecretBox | null;
    /** API_KEY_CACHE_TTL_MS. Default DEFAULT_API_KEY_CACHE_TTL_MS. */
    apiKeyCacheTtlMs?: number;
    /** An existing database (another harness's): not dropped by `close`. Default a fresh one. */
    database?: TestDatabase;
    /** The built web UI's folder. Default TEST_UI_DIR, a one-page stand-in. */
    uiDir?: string;
  } = {},
): Promise<ApiHarness> {
  const db = options.database ?? (await createTestDatabase(prefix));
  const config: ApiConfig = {
    databaseUrl: db.url,
    port: 0,
    logLevel: 'error',
    dbPoolSize: 5,
    dbStatementTimeoutMs: 10_000,
    dbReadTimeoutMs: 12_000,
    dbIdleInTransactionTimeoutMs: 5_000,
    dbStartupRetryMs: 5_000,
    databaseFeatures: 'full',
    dbPreparedStatements: true,
    apiKeyCacheTtlMs: options.apiKeyCacheTtlMs ?? DEFAULT_API_KEY_CACHE_TTL_MS,
    requestBodyLimitBytes: TEST_BODY_LIMIT_BYTES,
    webhookNetworkPolicy: networkPolicyOf(
      options.allowedNetworks ?? LOOPBACK_NETWORKS,
    ),
    host: '127.0.0.1',
    authDisabled: options.authDisabled ?? false,
    adminApiKey: TEST_ADMIN_API_KEY,
    metricsRequireKey: options.metricsRequireKey ?? false,
    secretBox:
      options.secretBox !== undefined
        ? options.secretBox
        : options.secretsKey === null
          ? null
          : new SecretBox(
              parseSecretsKey(options.secretsKey ?? TEST_SECRETS_KEY),
            ),
    rateLimit: options.rateLimit ?? null,
    quotas: { ...DEFAULT_SCHEDULE_QUOTAS, ...options.quotas },
  };
  let builder = Test.createTestingModule({
    imports: [
      AppModule.forRoot(
        config,
        options.triggerDefinitions ?? TRIGGER_DEFINITIONS,
      ),
    ],
  });
  if (options.clock)
    builder = builder.overrideProvider(CLOCK).useValue(options.clock);
  const moduleRef = await builder.compile();
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest declares its options as a class; a literal is how they are passed
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    bodyParser: false,
    logger: options.logs
      ? new JsonLogger({
          level: 'debug',
          write: (line) => options.logs?.push(line),
        })
      : new JsonLogger({ level: 'error' }),
  });
  configureApp(app, config, options.uiDir ?? TEST_UI_DIR);
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const sql = await db.dataSource();

  const send = async <T>(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<ApiResponse<T>> => {
    // The admin key unless the caller sets Authorization itself ('' for none).
    const {
      authorization = bearer(TEST_ADMIN_API_KEY).authorization,
      ...rest
    } = headers;
    const res = await fetch(`${base}${path}`, {
      method,
      headers: authorization === '' ? rest : { ...rest, authorization },
      body,
    });
    const text = await res.text();
    const json =
      (res.headers.get('content-type') ?? '').includes('json') && text !== '';
    return {
      status: res.status,
      headers: res.headers,
      body: (json ? JSON.parse(text) : text) as T,
    };
  };

  return {
    base,
    db,
    app,
    sql,
    request: <T>(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) =>
      send<T>(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        body === undefined
          ? headers
          : { 'content-type': 'application/json', ...headers },
      ),
    raw: <T>(
      method: string,
      path: string,
      body: string,
      headers: Record<string, string> = {},
    ) => send<T>(method, path, body, headers),
    async count(table) {
      const [row] = await sql.query<{ n: number }[]>(
        `select count(*)::int as n from ${table}`,
      );
      return row.n;
    },
    async close() {
      await app.close();
      if (options.database === undefined) await db.drop();
      else await sql.destroy();
    },
  };
}

/** A valid create body; override parts per test. */
export function cronBody(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name: 'every five seconds',
    owner: 'team-a',
    schedule: { type: 'cron', expression: '*/5 * * * * *' },
    trigger: { type: 'webhook', url: 'http://127.0.0.1:3100/tasks' },
    ...overrides,
  };
}

export const ERROR_RESPONSE_KEYS = [
  'code',
  'error',
  'errors',
  'message',
  'statusCode',
];

/**
 * Asserts that `res` is an error answer in the contract's shape (ErrorResponse) with
 * `status` and exactly one problem, naming `field`, and returns its body. Status and
 * fields are compared together with the body, so a failure shows what came back.
 */
export function expectProblem(
  res: ApiResponse,
  status: number,
  field: string,
): ErrorResponse {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: { statusCode: status, errors: [{ field }] },
  });
  const body = res.body as ErrorResponse;
  expect(Object.keys(body).sort()).toEqual(ERROR_RESPONSE_KEYS);
  expect(Object.keys(body.errors[0]).sort()).toEqual(['field', 'message']);
  expect([typeof body.error, typeof body.code]).toEqual(['string', 'string']);
  expect(body.message).toBe(`${field}: ${body.errors[0].message}`);
  return body;
}

/** The instant a one-shot fires at (an `at`, or a delay fixed when it was accepted). */
export function oneShotAt(schedule: ScheduleResponse): string {
  const spec = schedule.schedule;
  if (spec.type === 'cron')
    throw new Error(`not a one-shot: ${JSON.stringify(spec)}`);
  return spec.at;
}

/** `nextRunAt` in epoch milliseconds; fails when the schedule has none. */
export function nextRunMs(schedule: ScheduleResponse): number {
  if (schedule.nextRunAt === null)
    throw new Error(`no nextRunAt: ${JSON.stringify(schedule)}`);
  return Date.parse(schedule.nextRunAt);
}
