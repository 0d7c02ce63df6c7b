/* eslint-disable @typescript-eslint/no-explicit-any -- tests read response bodies field by field; typing each one would only restate the contract types. */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Clock } from '@scheduleman/domain';
import {
  createTestDatabase,
  type TestDatabase,
} from '@scheduleman/domain/testing';
import { CLOCK, JsonLogger } from '@scheduleman/runtime';
import type { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import type { ApiConfig } from '../config/api.config';
import { configureApp } from '../configure-app';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * The real AppModule (production pipe, filter, body parsing, Swagger) on a fresh
 * migrated database, listening on a random port, driven over HTTP with fetch.
 */
export interface ApiHarness {
  base: string;
  db: TestDatabase;
  /** A separate connection for arranging and inspecting rows in SQL. */
  sql: DataSource;
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  /** Sends `body` exactly as given (malformed JSON, wrong content type, …). */
  raw<T = any>(
    method: string,
    path: string,
    body: string,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  count(table: 'schedules' | 'executions'): Promise<number>;
  close(): Promise<void>;
}

export const TEST_BODY_LIMIT_BYTES = 64 * 1024;

export async function startApi(
  prefix: string,
  options: { clock?: Clock } = {},
): Promise<ApiHarness> {
  const db = await createTestDatabase(prefix);
  const config: ApiConfig = {
    databaseUrl: db.url,
    port: 0,
    logLevel: 'error',
    dbPoolSize: 5,
    dbStatementTimeoutMs: 10_000,
    dbStartupRetryMs: 5_000,
    requestBodyLimitBytes: TEST_BODY_LIMIT_BYTES,
  };
  let builder = Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  });
  if (options.clock)
    builder = builder.overrideProvider(CLOCK).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    bodyParser: false,
    logger: new JsonLogger({ level: 'error' }),
  });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const sql = await db.dataSource();

  const send = async (
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<ApiResponse> => {
    const res = await fetch(`${base}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '')
      parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed };
  };

  return {
    base,
    db,
    sql,
    request: (method, path, body, headers = {}) =>
      send(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        body === undefined
          ? headers
          : { 'content-type': 'application/json', ...headers },
      ),
    raw: (method, path, body, headers = {}) =>
      send(method, path, body, headers),
    async count(table) {
      const rows: { n: number }[] = await sql.query(
        `select count(*)::int as n from ${table}`,
      );
      return rows[0].n;
    },
    async close() {
      await app.close();
      await db.drop();
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

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline)
      throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
