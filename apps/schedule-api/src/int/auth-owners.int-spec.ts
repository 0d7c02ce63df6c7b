import type {
  ApiKeyListResponse,
  ApiKeyResponse,
  CreatedApiKeyResponse,
  ScheduleListResponse,
  ScheduleResponse,
} from '@scheduleman/domain';
import { waitFor } from '@scheduleman/testkit';
import { cronBody, expectProblem, TEST_ADMIN_API_KEY } from './api-harness';
import {
  type AuthFixture,
  type Credentials,
  expectNothingChanged,
  OWNER_A,
  OWNER_B,
  OWNER_OPS,
  startAuthFixture,
} from './auth-fixture';

/**
 * Owner scoping, revocation, expiry and the secrecy of keys, through the real app on
 * PostgreSQL. The route-by-route refusals are in auth-matrix.int-spec.ts.
 */
describe('owners and API keys', () => {
  let f: AuthFixture;
  const schedules: Record<string, string[]> = {};

  const listIds = async (
    credentials: Credentials,
    query = '',
  ): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: ScheduleListResponse } = await f.call(
        'GET',
        `/schedules?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        credentials,
      );
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((s) => s.id));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    return ids.sort();
  };

  beforeAll(async () => {
    f = await startAuthFixture('auth_owners');
    for (const owner of [OWNER_A, OWNER_B, OWNER_OPS]) {
      schedules[owner] = [];
      for (let i = 0; i < 3; i++)
        schedules[owner].push(await f.createSchedule(owner));
      schedules[owner].sort();
    }
  }, 60_000);

  afterAll(async () => {
    await f.close();
  });

  describe('a key bound to an owner', () => {
    it("lists only its owner's schedules, on every page and with every filter", async () => {
      expect(await listIds('readerA')).toEqual(schedules[OWNER_A]);
      expect(await listIds('writerB')).toEqual(schedules[OWNER_B]);
      expect(await listIds('readerA', `&owner=${OWNER_A}`)).toEqual(
        schedules[OWNER_A],
      );
      expect(await listIds('readerB', '&status=active')).toEqual(
        schedules[OWNER_B],
      );
    });

    it('gets 403 naming owner for a list filtered by another owner', async () => {
      await expectNothingChanged(f, async () => {
        const res = await f.call(
          'GET',
          `/schedules?owner=${OWNER_B}`,
          undefined,
          'readerA',
        );
        expect(expectProblem(res, 403, 'owner').code).toBe('FORBIDDEN');
      });
    });

    it.each<[string, unknown]>([
      ['another owner', OWNER_B],
      ['null (no owner)', null],
      ['an owner differing in case only', 'TEAM-A'],
    ])(
      'gets 403 naming owner for a create naming %s, and nothing is stored',
      async (_, owner) => {
        await expectNothingChanged(f, async () => {
          const res = await f.call(
            'POST',
            '/schedules',
            cronBody({ owner }),
            'writerA',
          );
          expect(expectProblem(res, 403, 'owner').message).toContain(
            `"${OWNER_A}"`,
          );
        });
      },
    );

    it('gets 403 naming owner for a PATCH that would hand its schedule to another owner', async () => {
      await expectNothingChanged(f, async () => {
        const res = await f.call(
          'PATCH',
          `/schedules/${schedules[OWNER_A][0]}`,
          { owner: OWNER_B },
          'writerA',
        );
        expectProblem(res, 403, 'owner');
      });
    });

    it("gets 404 for a PATCH that would take another owner's schedule for its own", async () => {
      await expectNothingChanged(f, async () => {
        const res = await f.call(
          'PATCH',
          `/schedules/${schedules[OWNER_A][0]}`,
          { owner: OWNER_B, name: 'mine now' },
          'writerB',
        );
        expectProblem(res, 404, 'id');
      });
    });

    it('creates for its own owner when the body names none, or names its own', async () => {
      const { owner: _, ...withoutOwner } = cronBody();
      const implicit = await f.call<ScheduleResponse>(
        'POST',
        '/schedules',
        withoutOwner,
        'writerB',
      );
      expect(implicit.status).toBe(201);
      expect(implicit.body.owner).toBe(OWNER_B);
      const explicit = await f.call<ScheduleResponse>(
        'POST',
        '/schedules',
        cronBody({ owner: OWNER_B }),
        'writerB',
      );
      expect(explicit.body.owner).toBe(OWNER_B);
      for (const id of [implicit.body.id, explicit.body.id])
        expect(
          (await f.call('DELETE', `/schedules/${id}`, undefined, 'writerB'))
            .status,
        ).toBe(204);
    });
  });

  describe('keys that see every owner', () => {
    it.each<[string, Credentials]>([
      ['a key with the admin scope', 'adminScoped'],
      ['ADMIN_API_KEY', 'admin'],
    ])('%s lists, reads and filters every owner', async (_, credentials) => {
      const everyone = Object.values(schedules).flat().sort();
      expect(await listIds(credentials)).toEqual(everyone);
      expect(await listIds(credentials, `&owner=${OWNER_B}`)).toEqual(
        schedules[OWNER_B],
      );
      for (const id of everyone) {
        const res = await f.call(
          'GET',
          `/schedules/${id}/executions`,
          undefined,
          credentials,
        );
        expect(res.status).toBe(200);
      }
    });

    it('a key with the admin scope creates for any owner, and for its own by default', async () => {
      const forB = await f.call<ScheduleResponse>(
        'POST',
        '/schedules',
        cronBody({ owner: OWNER_B }),
        'adminScoped',
      );
      expect([forB.status, forB.body.owner]).toEqual([201, OWNER_B]);
      const { owner: _, ...withoutOwner } = cronBody();
      const own = await f.call<ScheduleResponse>(
        'POST',
        '/schedules',
        withoutOwner,
        'adminScoped',
      );
      expect([own.status, own.body.owner]).toEqual([201, OWNER_OPS]);
      for (const id of [forB.body.id, own.body.id])
        await f.call('DELETE', `/schedules/${id}`, undefined, 'adminScoped');
    });
  });

  describe('revocation and expiry', () => {
    it('refuses a revoked key on the very next request', async () => {
      const key = await f.createKey(OWNER_A);
      const as = { headers: { authorization: `Bearer ${key.key}` } };
      expect((await f.call('GET', '/schedules', undefined, as)).status).toBe(
        200,
      );
      expect(
        (await f.call('DELETE', `/api-keys/${key.id}`, undefined, 'admin'))
          .status,
      ).toBe(204);
      const refused = await f.call('GET', '/schedules', undefined, as);
      expect(expectProblem(refused, 401, 'authorization').message).toContain(
        'revoked',
      );
      const shown = await f.call<ApiKeyResponse>(
        'GET',
        `/api-keys/${key.id}`,
        undefined,
        'admin',
      );
      expect(shown.body.revokedAt).not.toBeNull();
      // Revoking again is a no-op: the first instant stays.
      await expectNothingChanged(f, async () => {
        const again = await f.call(
          'DELETE',
          `/api-keys/${key.id}`,
          undefined,
          'admin',
        );
        expect(again.status).toBe(204);
      });
    });

    it('refuses a key once its expiresAt has passed, by the database clock', async () => {
      const [{ at }] = await f.api.sql.query<{ at: string }[]>(
        `select to_char((now() + interval '4 seconds') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at`,
      );
      const created = await f.call<CreatedApiKeyResponse>(
        'POST',
        '/api-keys',
        { owner: OWNER_A, scopes: ['schedules:read'], expiresAt: at },
        'admin',
      );
      expect([created.status, created.body.expiresAt]).toEqual([
        201,
        new Date(at).toISOString(),
      ]);
      const as = { headers: { authorization: `Bearer ${created.body.key}` } };
      expect((await f.call('GET', '/schedules', undefined, as)).status).toBe(
        200,
      );
      const refused = await waitFor(
        'the key to expire',
        async () => {
          const res = await f.call('GET', '/schedules', undefined, as);
          return res.status !== 200 && res;
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(expectProblem(refused, 401, 'authorization').message).toContain(
        'expired',
      );
    });

    it('refuses to create a key that expires in the past, naming expiresAt', async () => {
      await expectNothingChanged(f, async () => {
        const res = await f.call(
          'POST',
          '/api-keys',
          {
            owner: OWNER_A,
            scopes: ['schedules:read'],
            expiresAt: '2020-01-01T00:00:00Z',
          },
          'admin',
        );
        expectProblem(res, 400, 'expiresAt');
      });
    });
  });

  describe('the secrecy of keys', () => {
    it('shows a key only in the answer that created it', async () => {
      const created = await f.createKey(OWNER_B);
      expect(created.key).toMatch(/^smk_[A-Za-z0-9_-]{43}$/);
      expect(created.prefix).toBe(created.key.slice(0, 12));
      const as = { headers: { authorization: `Bearer ${created.key}` } };
      const answers = [
        await f.call('GET', '/api-keys?limit=100', undefined, 'admin'),
        await f.call('GET', `/api-keys?owner=${OWNER_B}`, undefined, 'admin'),
        await f.call('GET', `/api-keys/${created.id}`, undefined, 'admin'),
        await f.call('GET', '/schedules', undefined, as),
        await f.call('POST', '/schedules', cronBody(), as),
        await f.call(
          'GET',
          `/schedules/${schedules[OWNER_A][0]}`,
          undefined,
          as,
        ),
        await f.call('GET', '/api-keys', undefined, as),
        await f.call('DELETE', `/api-keys/${created.id}`, undefined, 'admin'),
        await f.call('GET', '/schedules', undefined, as),
      ];
      expect(answers.map((a) => a.status)).toEqual([
        200, 200, 200, 200, 403, 404, 403, 204, 401,
      ]);
      const list = answers[0].body as ApiKeyListResponse;
      expect(list.items.map((k) => k.id)).toContain(created.id);
      for (const item of list.items) expect(item).not.toHaveProperty('key');
      const shown = f.answers.filter((a) => a.text.includes(created.key));
      expect(shown.map((a) => `${a.request} ${a.status}`)).toEqual([
        'POST /api-keys 201',
      ]);
    });

    it('stores no key in clear: only its SHA-256 and its first 12 characters', async () => {
      const created = await f.createKey(OWNER_A);
      const secretPart = created.key.slice(12);
      const [row] = await f.api.sql.query<{ text: string; hashed: boolean }[]>(
        `select t::text as text, key_hash = sha256(convert_to($2::text, 'UTF8')) as hashed
from api_keys t where id = $1::uuid`,
        [created.id, created.key],
      );
      expect(row.hashed).toBe(true);
      expect(row.text).toContain(created.prefix);
      expect(row.text).not.toContain(secretPart);
      // Nowhere else either, in any table, nor ADMIN_API_KEY.
      const tables = Object.keys(await f.snapshot());
      for (const table of tables) {
        const [{ n }] = await f.api.sql.query<{ n: number }[]>(
          `select count(*)::int as n from "${table}" t
where strpos(t::text, $1::text) > 0 or strpos(t::text, $2::text) > 0`,
          [secretPart, TEST_ADMIN_API_KEY],
        );
        expect({ table, n }).toEqual({ table, n: 0 });
      }
    });
  });
});
