import type { CreatedApiKeyResponse, Scope } from '@scheduleman/domain';
import { FakeClock } from '@scheduleman/domain/testing';
import {
  type ApiHarness,
  bearer,
  cronBody,
  expectProblem,
  NO_AUTH,
  startApi,
} from './api-harness';

/**
 * RATE_LIMIT_PER_SECOND=1, RATE_LIMIT_BURST=3 through the real app, on a FakeClock so
 * that refills happen exactly when the test says.
 */
describe('rate limits per API key', () => {
  let api: ApiHarness;
  const clock = new FakeClock('2030-01-01T00:00:00.000Z');

  beforeAll(async () => {
    api = await startApi('api_rate_limits', {
      clock,
      rateLimit: { perSecond: 1, burst: 3 },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  async function createKey(
    owner: string,
    scopes: Scope[] = ['schedules:read', 'schedules:write'],
  ): Promise<string> {
    const res = await api.request<CreatedApiKeyResponse>('POST', '/api-keys', {
      owner,
      scopes,
    });
    expect(res.status).toBe(201);
    return res.body.key;
  }

  const list = (key: string) =>
    api.request('GET', '/schedules', undefined, bearer(key));

  it('answers 429 with Retry-After once a key has spent its burst, while another key is still served', async () => {
    const [a, b] = [await createKey('team-a'), await createKey('team-b')];
    const burst = [await list(a), await list(a), await list(a)];
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(burst.map((r) => r.headers.get('ratelimit-remaining'))).toEqual([
      '2',
      '1',
      '0',
    ]);
    expect(burst[0].headers.get('ratelimit-limit')).toBe('3');

    const refused = await list(a);
    const body = expectProblem(refused, 429, 'authorization');
    expect(body.code).toBe('RATE_LIMITED');
    expect(body.message).toMatch(/RATE_LIMIT_PER_SECOND/);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');

    // Refused writes store nothing.
    const before = await api.count('schedules');
    const write = await api.request(
      'POST',
      '/schedules',
      cronBody({ owner: 'team-a' }),
      bearer(a),
    );
    expect(write.status).toBe(429);
    expect(await api.count('schedules')).toBe(before);

    // Another key has a bucket of its own.
    const other = await list(b);
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe('2');

    // One second later, one request's worth has refilled: exactly one more.
    clock.advance(1_000);
    expect((await list(a)).status).toBe(200);
    expect((await list(a)).status).toBe(429);
  });

  it('says in whole seconds how long to wait, rounded up', async () => {
    const key = await createKey('team-c');
    for (let i = 0; i < 3; i++) await list(key);
    clock.advance(200);
    const refused = await list(key);
    expect(refused.status).toBe(429);
    // 800 ms to the next slot: Retry-After is a whole number of seconds, never 0.
    expect(refused.headers.get('retry-after')).toBe('1');
    clock.advance(799);
    expect((await list(key)).status).toBe(429);
    clock.advance(1);
    expect((await list(key)).status).toBe(200);
  });

  it('counts requests its scope refuses, so a key cannot probe without limit', async () => {
    const reader = await createKey('team-d', ['schedules:read']);
    const writes = [];
    for (let i = 0; i < 4; i++)
      writes.push(
        await api.request(
          'POST',
          '/schedules',
          cronBody({ owner: 'team-d' }),
          bearer(reader),
        ),
      );
    expect(writes.map((r) => r.status)).toEqual([403, 403, 403, 429]);
    expect((await list(reader)).status).toBe(429);
  });

  it('does not limit the admin key (ADMIN_API_KEY)', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const res = await api.request('GET', '/schedules');
      statuses.add(res.status);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
    expect([...statuses]).toEqual([200]);
  });

  it('leaves open routes alone', async () => {
    for (let i = 0; i < 10; i++)
      expect(
        (await api.request('GET', '/health', undefined, NO_AUTH)).status,
      ).toBe(200);
  });
});
