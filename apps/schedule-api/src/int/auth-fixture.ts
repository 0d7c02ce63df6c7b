import type {
  CreatedApiKeyResponse,
  ExecutionResponse,
  ScheduleResponse,
  Scope,
} from '@scheduleman/domain';
import { randomBytes } from 'node:crypto';
import {
  type ApiHarness,
  type ApiResponse,
  bearer,
  cronBody,
  NO_AUTH,
  startApi,
  TEST_ADMIN_API_KEY,
} from './api-harness';

/** The owners of the authentication tests: rows of both exist in every test. */
export const OWNER_A = 'team-a';
export const OWNER_B = 'team-b';
/** The owner of the key with the `admin` scope (it sees every owner anyway). */
export const OWNER_OPS = 'ops';

/**
 * The keys every authentication test holds. `revoked` and `expired` have the admin
 * scope, so revocation or expiry is the only reason they can be refused.
 */
const KEY_SPECS = {
  readerA: { owner: OWNER_A, scopes: ['schedules:read'] },
  writerA: { owner: OWNER_A, scopes: ['schedules:write'] },
  connectionsA: { owner: OWNER_A, scopes: ['connections:write'] },
  readerB: { owner: OWNER_B, scopes: ['schedules:read'] },
  writerB: { owner: OWNER_B, scopes: ['schedules:write'] },
  connectionsB: { owner: OWNER_B, scopes: ['connections:write'] },
  adminScoped: { owner: OWNER_OPS, scopes: ['admin'] },
  revoked: { owner: OWNER_A, scopes: ['admin'] },
  expired: { owner: OWNER_A, scopes: ['admin'] },
} satisfies Record<string, { owner: string; scopes: Scope[] }>;

export type KeyName = keyof typeof KEY_SPECS;

/** How a request authenticates: a stored key by name, ADMIN_API_KEY, or literal headers. */
export type Credentials =
  | KeyName
  | 'admin'
  | { headers: Record<string, string> };

/** One answer as the client saw it (status, headers and body as text), for secrecy checks. */
export interface RecordedAnswer {
  request: string;
  status: number;
  text: string;
}

/**
 * A running API (real AppModule, real PostgreSQL) with the keys of KEY_SPECS and
 * helpers to address it as any of them and to photograph the whole database.
 */
export interface AuthFixture {
  api: ApiHarness;
  /** The key text of each KEY_SPECS entry (shown once, by POST /api-keys). */
  keys: Record<KeyName, string>;
  keyIds: Record<KeyName, string>;
  /** Every answer received through `call` or `as`, in order. */
  answers: RecordedAnswer[];
  /** Sends a request with these credentials and records the answer. */
  call<T = unknown>(
    method: string,
    path: string,
    body: unknown,
    credentials: Credentials,
  ): Promise<ApiResponse<T>>;
  /** A schedule of `owner`, with one pending execution (run-now), created as admin. */
  createSchedule(owner: string): Promise<string>;
  /** A key of `owner` with `schedules:read`, created as admin. */
  createKey(owner: string): Promise<CreatedApiKeyResponse>;
  /**
   * md5 of the full contents of every table, by table name. Comparing two snapshots
   * tells whether anything at all was written in between; a table added later is
   * covered without a change here.
   */
  snapshot(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export function headersFor(
  fixture: Pick<AuthFixture, 'keys'>,
  credentials: Credentials,
): Record<string, string> {
  if (typeof credentials === 'object') return credentials.headers;
  if (credentials === 'admin') return bearer(TEST_ADMIN_API_KEY);
  return bearer(fixture.keys[credentials]);
}

/** A well-formed key (`smk_` + 43 base64url characters) that was never issued. */
export function unknownKey(): string {
  return `smk_${randomBytes(32).toString('base64url')}`;
}

export async function startAuthFixture(prefix: string): Promise<AuthFixture> {
  const api = await startApi(prefix);
  const answers: RecordedAnswer[] = [];
  const keys = {} as Record<KeyName, string>;
  const keyIds = {} as Record<KeyName, string>;

  const fixture: AuthFixture = {
    api,
    keys,
    keyIds,
    answers,
    async call<T>(
      method: string,
      path: string,
      body: unknown,
      credentials: Credentials,
    ) {
      const headers = headersFor(fixture, credentials);
      const res = await api.request<T>(
        method,
        path,
        body,
        Object.keys(headers).length === 0 ? NO_AUTH : headers,
      );
      answers.push({
        request: `${method} ${path}`,
        status: res.status,
        text: `${JSON.stringify([...res.headers])} ${typeof res.body === 'string' ? res.body : JSON.stringify(res.body)}`,
      });
      return res;
    },
    async createSchedule(owner) {
      const created = await fixture.call<ScheduleResponse>(
        'POST',
        '/schedules',
        cronBody({ owner, name: `of ${owner}` }),
        'admin',
      );
      expect(created.status).toBe(201);
      const id = created.body.id;
      const run = await fixture.call<ExecutionResponse>(
        'POST',
        `/schedules/${id}/trigger`,
        undefined,
        'admin',
      );
      expect(run.status).toBe(202);
      return id;
    },
    async createKey(owner) {
      const created = await fixture.call<CreatedApiKeyResponse>(
        'POST',
        '/api-keys',
        { owner, scopes: ['schedules:read'], name: `a key of ${owner}` },
        'admin',
      );
      expect(created.status).toBe(201);
      return created.body;
    },
    async snapshot() {
      const tables = await api.sql.query<{ name: string }[]>(
        `select table_name as name from information_schema.tables
where table_schema = current_schema() and table_type = 'BASE TABLE'
order by table_name`,
      );
      const rows = await api.sql.query<{ name: string; digest: string }[]>(
        tables
          .map(
            ({ name }) =>
              `select '${name}' as name, (select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from "${name}" t) as digest`,
          )
          .join('\nunion all\n'),
      );
      return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
    },
    close: () => api.close(),
  };

  for (const [name, spec] of Object.entries(KEY_SPECS) as [
    KeyName,
    (typeof KEY_SPECS)[KeyName],
  ][]) {
    const created = await fixture.call<CreatedApiKeyResponse>(
      'POST',
      '/api-keys',
      { ...spec, name },
      'admin',
    );
    expect(created.status).toBe(201);
    keys[name] = created.body.key;
    keyIds[name] = created.body.id;
  }
  const revoked = await fixture.call(
    'DELETE',
    `/api-keys/${keyIds.revoked}`,
    undefined,
    'admin',
  );
  expect(revoked.status).toBe(204);
  // Expiry as the clock would bring it: the row's expires_at is now in the past.
  await api.sql.query(
    `update api_keys set expires_at = now() - interval '1 second' where id = $1::uuid`,
    [keyIds.expired],
  );
  return fixture;
}

/**
 * Runs `refused` (which asserts the refusal) and then asserts that the database is
 * exactly as it was before: not a row written, changed or deleted in any table.
 */
export async function expectNothingChanged(
  fixture: AuthFixture,
  refused: () => Promise<void>,
): Promise<void> {
  const before = await fixture.snapshot();
  await refused();
  expect(await fixture.snapshot()).toEqual(before);
}
