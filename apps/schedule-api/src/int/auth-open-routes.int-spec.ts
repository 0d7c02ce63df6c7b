import type { ScheduleListResponse } from '@scheduleman/domain';
import {
  type ApiHarness,
  bearer,
  cronBody,
  expectProblem,
  NO_AUTH,
  startApi,
  TEST_ADMIN_API_KEY,
} from './api-harness';
import { unknownKey } from './auth-fixture';
import { OPEN_ROUTES } from './auth-matrix.routes';

/** A key created by the admin, as the text of its Authorization header. */
async function createKey(
  api: ApiHarness,
  scopes: string[],
): Promise<Record<string, string>> {
  const res = await api.request<{ key: string }>('POST', '/api-keys', {
    owner: 'team-a',
    scopes,
  });
  expect(res.status).toBe(201);
  return bearer(res.body.key);
}

describe('routes open without a key', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('auth_open');
  });

  afterAll(async () => {
    await api.close();
  });

  it.each(OPEN_ROUTES)(
    '%s answers 200 with no key and with a key that does not authenticate',
    async (path) => {
      expect((await api.request('GET', path, undefined, NO_AUTH)).status).toBe(
        200,
      );
      const res = await api.request(
        'GET',
        path,
        undefined,
        bearer(unknownKey()),
      );
      expect(res.status).toBe(200);
    },
  );

  it('refuses HEAD like GET on a protected route', async () => {
    const res = await fetch(`${api.base}/schedules`, { method: 'HEAD' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('METRICS_REQUIRE_KEY=true', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('auth_metrics', { metricsRequireKey: true });
  });

  afterAll(async () => {
    await api.close();
  });

  it('protects /metrics: 401 without a key, 403 without the admin scope, 200 for admins', async () => {
    const anonymous = await api.request('GET', '/metrics', undefined, NO_AUTH);
    expect(expectProblem(anonymous, 401, 'authorization').code).toBe(
      'UNAUTHENTICATED',
    );
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const writer = await createKey(api, ['schedules:write']);
    const refused = await api.request('GET', '/metrics', undefined, writer);
    expect(expectProblem(refused, 403, 'authorization').code).toBe('FORBIDDEN');
    const adminScoped = await createKey(api, ['admin']);
    for (const headers of [adminScoped, bearer(TEST_ADMIN_API_KEY)]) {
      const res = await api.request('GET', '/metrics', undefined, headers);
      expect(res.status).toBe(200);
      expect(String(res.body)).toContain('http_request_duration_seconds');
    }
  });

  it('leaves the health probes and the docs open', async () => {
    for (const path of OPEN_ROUTES.filter((p) => p !== '/metrics'))
      expect({
        path,
        status: (await api.request('GET', path, undefined, NO_AUTH)).status,
      }).toEqual({ path, status: 200 });
  });
});

describe('AUTH_DISABLED=true', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('auth_disabled', { authDisabled: true });
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves every route without a key, as an admin of every owner', async () => {
    for (const owner of ['team-a', 'team-b']) {
      const res = await api.request(
        'POST',
        '/schedules',
        cronBody({ owner }),
        NO_AUTH,
      );
      expect(res.status).toBe(201);
    }
    const list = await api.request<ScheduleListResponse>(
      'GET',
      '/schedules',
      undefined,
      NO_AUTH,
    );
    expect(list.body.items.map((s) => s.owner).sort()).toEqual([
      'team-a',
      'team-b',
    ]);
    expect(
      (await api.request('GET', '/api-keys', undefined, NO_AUTH)).status,
    ).toBe(200);
  });
});
