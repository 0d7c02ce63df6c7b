import type { CreatedApiKeyResponse } from '@scheduleman/domain';
import { waitFor } from '@scheduleman/testkit';
import {
  type ApiHarness,
  bearer,
  expectProblem,
  startApi,
} from './api-harness';

/** Long enough that only the revocation, never the TTL, can explain a refusal below. */
const LONG_TTL_MS = 60_000;

/**
 * The cache of authenticated keys (API_KEY_CACHE_TTL_MS, docs/security.md "API keys")
 * keeps `DELETE /api-keys/:id` immediate: two API processes on one database, each with
 * a minute-long TTL and a warm cache, and a key revoked through the first.
 */
describe('the API key cache', () => {
  let first: ApiHarness;
  let second: ApiHarness;

  beforeAll(async () => {
    first = await startApi('key_cache', { apiKeyCacheTtlMs: LONG_TTL_MS });
    second = await startApi('key_cache', {
      apiKeyCacheTtlMs: LONG_TTL_MS,
      database: first.db,
    });
  });

  afterAll(async () => {
    await second.close();
    await first.close();
  });

  async function cachedKey(): Promise<CreatedApiKeyResponse> {
    const created = await first.request<CreatedApiKeyResponse>(
      'POST',
      '/api-keys',
      { owner: 'team-a', scopes: ['schedules:read'] },
    );
    expect(created.status).toBe(201);
    const key = created.body;
    // Both processes have now authenticated it, so both hold it in their cache.
    for (const api of [first, second])
      expect(
        (await api.request('GET', '/schedules', undefined, bearer(key.key)))
          .status,
      ).toBe(200);
    return key;
  }

  it('refuses a revoked key on the revoking process at once', async () => {
    const key = await cachedKey();
    expect((await first.request('DELETE', `/api-keys/${key.id}`)).status).toBe(
      204,
    );
    const refused = await first.request(
      'GET',
      '/schedules',
      undefined,
      bearer(key.key),
    );
    expect(expectProblem(refused, 401, 'authorization').message).toContain(
      'revoked',
    );
  });

  it('refuses a revoked key on another process within seconds, well before the TTL', async () => {
    const key = await cachedKey();
    const revokedAt = performance.now();
    expect((await first.request('DELETE', `/api-keys/${key.id}`)).status).toBe(
      204,
    );
    const refused = await waitFor(
      'the second process to refuse the revoked key',
      async () => {
        const res = await second.request(
          'GET',
          '/schedules',
          undefined,
          bearer(key.key),
        );
        return res.status !== 200 && res;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(performance.now() - revokedAt).toBeLessThan(LONG_TTL_MS / 2);
    expect(expectProblem(refused, 401, 'authorization').message).toContain(
      'revoked',
    );
  });

  it('still serves a key that was not revoked from either process', async () => {
    const kept = await cachedKey();
    const other = await cachedKey();
    expect(
      (await first.request('DELETE', `/api-keys/${other.id}`)).status,
    ).toBe(204);
    for (const api of [first, second])
      expect(
        (await api.request('GET', '/schedules', undefined, bearer(kept.key)))
          .status,
      ).toBe(200);
  });
});
