import type {
  CreatedApiKeyResponse,
  CreatedSigningSecretResponse,
  SigningSecretListResponse,
  SigningSecretResponse,
} from '@scheduleman/domain';
import {
  type ApiHarness,
  type ApiResponse,
  bearer,
  expectProblem,
  NO_AUTH,
  startApi,
  TEST_ADMIN_API_KEY,
} from './api-harness';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** `whsec_` + standard base64 of 32 bytes. */
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

// /signing-secrets through the real app on PostgreSQL: who may do what, owner scoping
// (another owner's secret is a 404 and absent from lists), the secret shown once, and
// nothing changed by a refused call.
describe('signing secrets API: routes, scopes and owners', () => {
  let api: ApiHarness;
  /** Keys of team-a (read and write), team-a read-only, team-b, and a revoked one. */
  const keys = { a: '', aRead: '', b: '', revoked: '' };

  async function createKey(owner: string, scopes: string[]): Promise<string> {
    const res = await api.request<CreatedApiKeyResponse>('POST', '/api-keys', {
      owner,
      scopes,
    });
    expect(res.status).toBe(201);
    return res.body.key;
  }

  beforeAll(async () => {
    api = await startApi('api_signing');
    keys.a = await createKey('team-a', ['schedules:write']);
    keys.aRead = await createKey('team-a', ['schedules:read']);
    keys.b = await createKey('team-b', ['schedules:write']);
    keys.revoked = await createKey('team-a', ['schedules:write']);
    const [{ id }] = await api.sql.query<{ id: string }[]>(
      `select id from api_keys where owner = 'team-a' order by created_at desc limit 1`,
    );
    expect((await api.request('DELETE', `/api-keys/${id}`)).status).toBe(204);
  });

  afterAll(() => api.close());

  beforeEach(async () => {
    await api.sql.query('delete from signing_secrets');
  });

  async function create(
    key: string,
    body: Record<string, unknown> = {},
  ): Promise<CreatedSigningSecretResponse> {
    const res = await api.request<CreatedSigningSecretResponse>(
      'POST',
      '/signing-secrets',
      body,
      bearer(key),
    );
    expect(res.status).toBe(201);
    return res.body;
  }

  async function stored(): Promise<
    { id: string; owner: string; retired: boolean }[]
  > {
    return api.sql.query(
      `select id, owner, retired_at is not null as retired from signing_secrets order by created_at, id`,
    );
  }

  it("creates a secret for the key's owner and shows it in that answer only", async () => {
    const created = await create(keys.a);

    expect(Object.keys(created).sort()).toEqual(
      ['createdAt', 'fingerprint', 'id', 'owner', 'retiredAt', 'secret'].sort(),
    );
    expect(created).toMatchObject({ owner: 'team-a', retiredAt: null });
    expect(created.id).toMatch(UUID);
    expect(created.secret).toMatch(SECRET);
    expect(created.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(Date.parse(created.createdAt)).not.toBeNaN();

    const got = await api.request<SigningSecretResponse>(
      'GET',
      `/signing-secrets/${created.id}`,
      undefined,
      bearer(keys.a),
    );
    const list = await api.request<SigningSecretListResponse>(
      'GET',
      '/signing-secrets',
      undefined,
      bearer(keys.a),
    );
    const { secret, ...shown } = created;
    expect(got).toMatchObject({ status: 200, body: shown });
    expect(list.body).toEqual({ items: [shown], nextCursor: null });
    const encoded = secret.slice('whsec_'.length);
    for (const res of [got, list])
      expect(JSON.stringify(res.body)).not.toContain(encoded);
  });

  it('creates a new secret each time', async () => {
    const [first, second] = [await create(keys.a), await create(keys.a)];

    expect(first.secret).not.toBe(second.secret);
    expect(first.fingerprint).not.toBe(second.fingerprint);
  });

  it('lets the admin key create for an owner it names, and refuses it without one (400 naming owner)', async () => {
    expect((await create(TEST_ADMIN_API_KEY, { owner: 'team-c' })).owner).toBe(
      'team-c',
    );
    for (const body of [{}, { owner: null }]) {
      const res = await api.request('POST', '/signing-secrets', body);
      const problem = expectProblem(res, 400, 'owner');
      expect(problem.code).toBe('VALIDATION_FAILED');
    }
    expect(await stored()).toHaveLength(1);
  });

  it.each([
    [{ owner: '' }, 'owner'],
    [{ owner: 7 }, 'owner'],
    [{ owner: 'x'.repeat(201) }, 'owner'],
    [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, 'secret'],
  ])('refuses %p with a 400 naming %s', async (body, field) => {
    const res = await api.request(
      'POST',
      '/signing-secrets',
      body,
      bearer(keys.a),
    );

    expectProblem(res, 400, field);
    expect(await stored()).toEqual([]);
  });

  it('refuses another owner in the body with 403 naming owner, and stores nothing', async () => {
    const res = await api.request(
      'POST',
      '/signing-secrets',
      { owner: 'team-b' },
      bearer(keys.a),
    );

    expect(expectProblem(res, 403, 'owner').code).toBe('FORBIDDEN');
    expect(await stored()).toEqual([]);
  });

  it('needs schedules:write to create or retire, and schedules:read to read', async () => {
    const own = await create(keys.a);

    const post = await api.request(
      'POST',
      '/signing-secrets',
      {},
      bearer(keys.aRead),
    );
    const del = await api.request(
      'DELETE',
      `/signing-secrets/${own.id}`,
      undefined,
      bearer(keys.aRead),
    );
    expect(expectProblem(post, 403, 'authorization').code).toBe('FORBIDDEN');
    expect(expectProblem(del, 403, 'authorization').code).toBe('FORBIDDEN');
    expect(await stored()).toEqual([
      { id: own.id, owner: 'team-a', retired: false },
    ]);

    const get = await api.request<SigningSecretResponse>(
      'GET',
      `/signing-secrets/${own.id}`,
      undefined,
      bearer(keys.aRead),
    );
    const list = await api.request<SigningSecretListResponse>(
      'GET',
      '/signing-secrets',
      undefined,
      bearer(keys.aRead),
    );
    expect(get.status).toBe(200);
    expect(list.body.items.map((s) => s.id)).toEqual([own.id]);
  });

  it.each([
    ['no key', NO_AUTH],
    ['an unknown key', bearer('smk_thisKeyWasNeverIssuedByTheApiAtAll000000')],
    ['a revoked key', null],
  ])(
    'answers 401 to every route with %s, and changes nothing',
    async (_what, headers) => {
      const own = await create(keys.a);
      const auth = headers ?? bearer(keys.revoked);
      const answers: ApiResponse[] = [
        await api.request('POST', '/signing-secrets', {}, auth),
        await api.request('GET', '/signing-secrets', undefined, auth),
        await api.request('GET', `/signing-secrets/${own.id}`, undefined, auth),
        await api.request(
          'DELETE',
          `/signing-secrets/${own.id}`,
          undefined,
          auth,
        ),
      ];

      for (const res of answers) {
        expect(expectProblem(res, 401, 'authorization').code).toBe(
          'UNAUTHENTICATED',
        );
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      expect(await stored()).toEqual([
        { id: own.id, owner: 'team-a', retired: false },
      ]);
    },
  );

  it("answers 404 for another owner's secret on GET and DELETE, leaves it active, and lists only the key's own", async () => {
    const ofA = await create(keys.a);
    const ofB = await create(keys.b);

    const get = await api.request(
      'GET',
      `/signing-secrets/${ofB.id}`,
      undefined,
      bearer(keys.a),
    );
    const del = await api.request(
      'DELETE',
      `/signing-secrets/${ofB.id}`,
      undefined,
      bearer(keys.a),
    );
    const unknown = await api.request(
      'GET',
      `/signing-secrets/${UNKNOWN_ID}`,
      undefined,
      bearer(keys.a),
    );
    for (const res of [get, del, unknown])
      expect(expectProblem(res, 404, 'id').code).toBe('NOT_FOUND');
    // The same answer as for an id that does not exist: nothing confirms it does.
    expect(JSON.stringify(get.body).replaceAll(ofB.id, UNKNOWN_ID)).toBe(
      JSON.stringify(unknown.body),
    );
    expect(await stored()).toEqual(
      expect.arrayContaining([{ id: ofB.id, owner: 'team-b', retired: false }]),
    );

    const list = async (key: string, query = '') =>
      (
        await api.request<SigningSecretListResponse>(
          'GET',
          `/signing-secrets${query}`,
          undefined,
          bearer(key),
        )
      ).body.items.map((s) => s.id);
    expect(await list(keys.a)).toEqual([ofA.id]);
    expect(await list(keys.b)).toEqual([ofB.id]);
    expect(await list(TEST_ADMIN_API_KEY)).toEqual([ofA.id, ofB.id]);
    expect(await list(TEST_ADMIN_API_KEY, '?owner=team-b')).toEqual([ofB.id]);
    expect(await list(keys.a, '?owner=team-a')).toEqual([ofA.id]);
    const other = await api.request(
      'GET',
      '/signing-secrets?owner=team-b',
      undefined,
      bearer(keys.a),
    );
    expect(expectProblem(other, 403, 'owner').code).toBe('FORBIDDEN');
  });

  it('retires a secret with 204, keeps it listed with retiredAt, and retiring again changes nothing', async () => {
    const own = await create(keys.a);

    const first = await api.request(
      'DELETE',
      `/signing-secrets/${own.id}`,
      undefined,
      bearer(keys.a),
    );
    expect(first.status).toBe(204);
    const retired = await api.request<SigningSecretResponse>(
      'GET',
      `/signing-secrets/${own.id}`,
      undefined,
      bearer(keys.a),
    );
    expect(retired.body.retiredAt).not.toBeNull();
    expect(Date.parse(retired.body.retiredAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(own.createdAt),
    );

    const again = await api.request(
      'DELETE',
      `/signing-secrets/${own.id}`,
      undefined,
      bearer(keys.a),
    );
    expect(again.status).toBe(204);
    const after = await api.request<SigningSecretResponse>(
      'GET',
      `/signing-secrets/${own.id}`,
      undefined,
      bearer(keys.a),
    );
    expect(after.body.retiredAt).toBe(retired.body.retiredAt);
  });

  it('pages the list with a cursor, oldest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(keys.a)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string =
        cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = await api.request<SigningSecretListResponse>(
        'GET',
        `/signing-secrets${query}`,
        undefined,
        bearer(keys.a),
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((s) => s.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== null);

    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    expectProblem(
      await api.request('GET', '/signing-secrets?cursor=nope', undefined),
      400,
      'cursor',
    );
    expectProblem(
      await api.request('GET', '/signing-secrets?limit=0', undefined),
      400,
      'limit',
    );
  });

  it('answers 400 naming id for an id that is not a UUID', async () => {
    expectProblem(
      await api.request('GET', '/signing-secrets/nope', undefined),
      400,
      'id',
    );
    expectProblem(
      await api.request('DELETE', '/signing-secrets/nope', undefined),
      400,
      'id',
    );
  });
});
