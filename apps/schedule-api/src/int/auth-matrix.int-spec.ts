import { executionIdFor } from '@scheduleman/domain';
import { randomUUID } from 'node:crypto';
import { expectProblem, TEST_ADMIN_API_KEY } from './api-harness';
import {
  type AuthFixture,
  type Credentials,
  expectNothingChanged,
  startAuthFixture,
  unknownKey,
} from './auth-fixture';
import {
  KEY_WITH,
  KEYS_LACKING,
  MATRIX_INSTANT,
  OTHER_OWNER_KEY_WITH,
  type RouteCase,
  ROUTES,
  TARGETS,
  writesNothing,
} from './auth-matrix.routes';

/**
 * The authentication matrix: every route of schedule-api (auth-matrix.routes.ts) against
 * every way a call can lack the right to it, on the real app and PostgreSQL. Each refusal
 * must have the contract's status and code, and leave every table exactly as it was;
 * each route must also answer an allowed call, so a refusal is never a broken route.
 */

/** Credentials that do not authenticate, and why. */
const UNAUTHENTICATED: [string, (f: AuthFixture) => Credentials][] = [
  ['no Authorization header', () => ({ headers: {} })],
  [
    'the Basic scheme carrying a valid key',
    (f) => ({
      headers: {
        authorization: `Basic ${Buffer.from(`x:${f.keys.writerA}`).toString('base64')}`,
      },
    }),
  ],
  ['"Bearer" without a key', () => ({ headers: { authorization: 'Bearer' } })],
  [
    'a valid key without the Bearer scheme',
    (f) => ({ headers: { authorization: f.keys.adminScoped } }),
  ],
  [
    'two tokens after Bearer',
    (f) => ({
      headers: { authorization: `Bearer ${f.keys.adminScoped} extra` },
    }),
  ],
  [
    'an unknown well-formed smk_ key',
    () => ({ headers: { authorization: `Bearer ${unknownKey()}` } }),
  ],
  [
    'ADMIN_API_KEY with its last character changed',
    () => ({
      headers: {
        authorization: `Bearer ${TEST_ADMIN_API_KEY.slice(0, -1)}${TEST_ADMIN_API_KEY.endsWith('x') ? 'y' : 'x'}`,
      },
    }),
  ],
  [
    'a key with its last character cut',
    (f) => ({
      headers: { authorization: `Bearer ${f.keys.adminScoped.slice(0, -1)}` },
    }),
  ],
  ['a revoked key (admin scope)', () => 'revoked'],
  ['an expired key (admin scope)', () => 'expired'],
];

const pathOf = (route: RouteCase, id: string | undefined): string => {
  if (!route.path.includes(':id') && !route.path.includes(':executionId'))
    return route.path;
  if (id === undefined) throw new Error(`${route.path} needs a target`);
  return route.path
    .replace(':executionId', executionIdFor(id, MATRIX_INSTANT))
    .replace(':id', id);
};

describe('the authentication matrix', () => {
  let f: AuthFixture;

  beforeAll(async () => {
    f = await startAuthFixture('auth_matrix');
    // Rows of another owner exist too, so "nothing changed" covers them as well.
    await f.createSchedule('team-b');
  }, 60_000);

  afterAll(async () => {
    await f.close();
  });

  it('has a line for every route of the OpenAPI document', async () => {
    const doc = await f.call<{ paths: Record<string, object> }>(
      'GET',
      '/docs-json',
      undefined,
      { headers: {} },
    );
    expect(doc.status).toBe(200);
    const documented = Object.entries(doc.body.paths).flatMap(
      ([path, operations]) =>
        Object.keys(operations)
          .filter((m) => ['get', 'post', 'patch', 'put', 'delete'].includes(m))
          .map(
            (m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
          ),
    );
    expect(ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      documented.sort(),
    );
  });

  describe.each(
    ROUTES.map((route): [string, RouteCase] => [
      `${route.method} ${route.path}`,
      route,
    ]),
  )('%s', (_, route) => {
    /** A row that every refused call addresses; refusals leave it as it is. */
    let targetId: string | undefined;
    const send = (credentials: Credentials, id = targetId) =>
      f.call(route.method, pathOf(route, id), route.body?.(), credentials);

    beforeAll(async () => {
      if (route.target) targetId = await TARGETS[route.target].create(f);
    });

    it.each(UNAUTHENTICATED)(
      'answers 401 to %s and changes nothing',
      async (_, credentials) => {
        await expectNothingChanged(f, async () => {
          const res = await send(credentials(f));
          const body = expectProblem(res, 401, 'authorization');
          expect(body).toMatchObject({
            error: 'Unauthorized',
            code: 'UNAUTHENTICATED',
          });
          expect(res.headers.get('www-authenticate')).toBe('Bearer');
        });
      },
    );

    it.each(KEYS_LACKING[route.scope])(
      `answers 403 to %s (it lacks ${route.scope}) and changes nothing`,
      async (key) => {
        await expectNothingChanged(f, async () => {
          const res = await send(key);
          const body = expectProblem(res, 403, 'authorization');
          expect(body.code).toBe('FORBIDDEN');
          expect(body.message).toContain(`"${route.scope}"`);
        });
      },
    );

    const otherOwner = OTHER_OWNER_KEY_WITH[route.scope];
    if (route.target && TARGETS[route.target].owned && otherOwner) {
      it(`answers another owner's key (${otherOwner}) exactly as for a missing id, and changes nothing`, async () => {
        const id = targetId ?? '';
        await expectNothingChanged(f, async () => {
          const res = await send(otherOwner);
          expectProblem(res, 404, 'id');
          const missingId = randomUUID();
          const missing = await send(otherOwner, missingId);
          // A route keyed by execution id names that id: masked the same way.
          const masked = (body: unknown, scheduleId: string) =>
            JSON.stringify(body)
              .replaceAll(executionIdFor(scheduleId, MATRIX_INSTANT), '<id>')
              .replaceAll(scheduleId, '<id>');
          expect(masked(res.body, id)).toBe(masked(missing.body, missingId));
        });
      });
    }

    it(`answers ${route.ok} to the owner's key with ${route.scope}; ${writesNothing(route) ? 'reads write nothing' : 'the write shows in the database'}`, async () => {
      const id = route.target
        ? await TARGETS[route.target].create(f)
        : undefined;
      const before = await f.snapshot();
      const res = await send(KEY_WITH[route.scope], id);
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: route.ok,
      });
      // The proof that "changes nothing" above can fail: this call changes something.
      if (writesNothing(route)) expect(await f.snapshot()).toEqual(before);
      else expect(await f.snapshot()).not.toEqual(before);
    });
  });

  it('showed no key in any answer but the 201 that created it', () => {
    const created = new Map<string, string>();
    for (const answer of f.answers) {
      const key = /"key":"(smk_[A-Za-z0-9_-]{43})"/.exec(answer.text)?.[1];
      if (key && answer.request === 'POST /api-keys' && answer.status === 201)
        created.set(key, answer.text);
    }
    expect(created.size).toBeGreaterThanOrEqual(Object.keys(f.keys).length);
    const leaks = f.answers.flatMap((answer) =>
      [...created]
        .filter(
          ([key, own]) => answer.text.includes(key) && answer.text !== own,
        )
        .map(() => answer.request),
    );
    expect(leaks).toEqual([]);
    expect(
      f.answers.filter((a) => a.text.includes(TEST_ADMIN_API_KEY)),
    ).toEqual([]);
  });
});
