import {
  type ConnectionListResponse,
  type ConnectionResponse,
  connectionUrlContext,
  type CreatedApiKeyResponse,
  type ErrorResponse,
  parseSecretsKey,
  SecretBox,
} from '@scheduleman/domain';
import { TEST_SECRETS_KEY } from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import {
  type ApiHarness,
  type ApiResponse,
  bearer,
  cronBody,
  expectProblem,
  NO_AUTH,
  startApi,
} from './api-harness';

/** Starting an app and a database takes seconds on a loaded machine. */
const SETUP_TIMEOUT_MS = 30_000;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const PASSWORD = 'Sw0rdf1sh-Sw0rdf1sh';
const AMQP_URL = `amqp://app:${PASSWORD}@127.0.0.1:5672/orders`;

describe('connections API: create, read, delete', () => {
  const logs: string[] = [];
  let api: ApiHarness;
  let teamA: string;
  let teamB: string;
  let schedulesOnly: string;

  beforeAll(async () => {
    api = await startApi('api_connections', { logs });
    teamA = await createKey('team-a', ['connections:write']);
    teamB = await createKey('team-b', ['connections:write', 'schedules:write']);
    schedulesOnly = await createKey('team-a', ['schedules:write']);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await api.close();
  });

  async function createKey(owner: string, scopes: string[]): Promise<string> {
    const res = await api.request<CreatedApiKeyResponse>('POST', '/api-keys', {
      owner,
      scopes,
    });
    expect(res.status).toBe(201);
    return res.body.key;
  }

  async function create(
    body: Record<string, unknown>,
    key?: string,
  ): Promise<ConnectionResponse> {
    const res = await api.request<ConnectionResponse>(
      'POST',
      '/connections',
      body,
      key === undefined ? {} : bearer(key),
    );
    expect({ status: res.status, body: res.body }).toMatchObject({
      status: 201,
    });
    return res.body;
  }

  /** Inserts a schedule whose trigger names `connectionId`, as a broker trigger will. */
  async function insertScheduleUsing(
    connectionId: string,
    owner: string | null = 'team-a',
  ): Promise<string> {
    const id = randomUUID();
    await api.sql.query(
      `insert into schedules (id, owner, schedule_type, schedule, trigger_type, trigger, next_run_at)
values ($1::uuid, $2::text, 'cron', '{"type":"cron","expression":"0 * * * *","timezone":"UTC"}'::jsonb,
'amqp', $3::jsonb, now() + interval '1 hour')`,
      [
        id,
        owner,
        JSON.stringify({
          type: 'amqp',
          connectionId,
          exchange: '',
          routingKey: 'jobs',
        }),
      ],
    );
    return id;
  }

  it('creates a connection, answers with the URL masked, and seals the URL at rest', async () => {
    const before = logs.length;
    const res = await api.request<ConnectionResponse>(
      'POST',
      '/connections',
      { name: 'orders-rabbit', type: 'amqp', url: AMQP_URL },
      bearer(teamA),
    );
    expect(res.status).toBe(201);
    const { id, createdAt, ...rest } = res.body;
    expect(rest).toEqual({
      name: 'orders-rabbit',
      type: 'amqp',
      url: 'amqp://app:***@127.0.0.1:5672/orders',
      owner: 'team-a',
    });
    expect(Date.parse(createdAt)).not.toBeNaN();
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);

    const [row] = await api.sql.query<
      { url_sealed: string; url_masked: string; owner: string }[]
    >(
      `select url_sealed, url_masked, owner from connections where id = $1::uuid`,
      [id],
    );
    expect(row.url_masked).toBe('amqp://app:***@127.0.0.1:5672/orders');
    expect(row.url_sealed).toMatch(/^sm1\./);
    expect(row.url_sealed).not.toContain(PASSWORD);
    expect(row.url_sealed).not.toContain('127.0.0.1');
    const box = new SecretBox(parseSecretsKey(TEST_SECRETS_KEY));
    expect(box.open(row.url_sealed, connectionUrlContext(id))).toBe(AMQP_URL);
    // Sealed for this row only: another row's context does not open it.
    expect(() =>
      box.open(row.url_sealed, connectionUrlContext(UNKNOWN_ID)),
    ).toThrow();

    const written = logs.slice(before);
    expect(written.join('\n')).toContain('connection created');
    expect(written.join('\n')).not.toContain(PASSWORD);
  });

  it('creates one of every type, masking each credential', async () => {
    const cases: [string, string, string][] = [
      ['amqp', 'amqps://u:pw1@127.0.0.1', 'amqps://u:***@127.0.0.1'],
      ['nats', 'nats://tok3n@127.0.0.1:4222', 'nats://***@127.0.0.1:4222'],
      [
        'redis',
        'redis://:pw2@127.0.0.1:6379/2',
        'redis://:***@127.0.0.1:6379/2',
      ],
      ['mqtt', 'mqtts://u:pw3@[::1]:8883', 'mqtts://u:***@[::1]:8883'],
      [
        'kafka',
        'kafka://u:pw4@127.0.0.1:9092,127.0.0.2:9093?tls=true&sasl=scram-sha-256',
        'kafka://u:***@127.0.0.1:9092,127.0.0.2:9093?tls=true&sasl=scram-sha-256',
      ],
    ];
    for (const [type, url, masked] of cases) {
      const created = await create(
        { name: `every-type-${type}`, type, url },
        teamA,
      );
      expect(created).toMatchObject({ type, url: masked });
      const got = await api.request<ConnectionResponse>(
        'GET',
        `/connections/${created.id}`,
        undefined,
        bearer(teamA),
      );
      expect(got.body).toEqual(created);
    }
    const all = await api.sql.query<{ url_sealed: string }[]>(
      `select url_sealed from connections`,
    );
    for (const { url_sealed } of all)
      expect(url_sealed).not.toMatch(/pw\d|tok3n/);
  });

  it('scopes connections to the key’s owner', async () => {
    const mine = await create(
      { name: 'scoped', type: 'redis', url: 'redis://127.0.0.1' },
      teamA,
    );
    const theirs = await create(
      { name: 'scoped', type: 'redis', url: 'redis://127.0.0.1' },
      teamB,
    );
    expect([mine.owner, theirs.owner]).toEqual(['team-a', 'team-b']);

    const get = await api.request(
      'GET',
      `/connections/${theirs.id}`,
      undefined,
      bearer(teamA),
    );
    expectProblem(get, 404, 'id');
    const del = await api.request(
      'DELETE',
      `/connections/${theirs.id}`,
      undefined,
      bearer(teamA),
    );
    expectProblem(del, 404, 'id');
    const stillThere = await api.request('GET', `/connections/${theirs.id}`);
    expect(stillThere.status).toBe(200);

    const list = await api.request<ConnectionListResponse>(
      'GET',
      '/connections?limit=500',
      undefined,
      bearer(teamA),
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((c) => c.id)).toContain(mine.id);
    expect(list.body.items.every((c) => c.owner === 'team-a')).toBe(true);

    expectProblem(
      await api.request(
        'GET',
        '/connections?owner=team-b',
        undefined,
        bearer(teamA),
      ),
      403,
      'owner',
    );
    expectProblem(
      await api.request(
        'POST',
        '/connections',
        { name: 'x', type: 'redis', url: 'redis://127.0.0.1', owner: 'team-b' },
        bearer(teamA),
      ),
      403,
      'owner',
    );
    // The admin key sees every owner, and can filter.
    const adminList = await api.request<ConnectionListResponse>(
      'GET',
      '/connections?owner=team-b&limit=500',
    );
    expect(adminList.body.items.map((c) => c.id)).toEqual([theirs.id]);
  });

  it('needs connections:write for every route', async () => {
    const existing = await create(
      { name: 'scope-check', type: 'mqtt', url: 'mqtt://127.0.0.1' },
      teamA,
    );
    const attempts: [string, string, unknown][] = [
      [
        'POST',
        '/connections',
        { name: 'n', type: 'mqtt', url: 'mqtt://127.0.0.1' },
      ],
      ['GET', '/connections', undefined],
      ['GET', `/connections/${existing.id}`, undefined],
      ['DELETE', `/connections/${existing.id}`, undefined],
    ];
    const before = await api.count('connections');
    for (const [method, path, body] of attempts) {
      const forbidden = await api.request<ErrorResponse>(
        method,
        path,
        body,
        bearer(schedulesOnly),
      );
      expect(expectProblem(forbidden, 403, 'authorization')).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('connections:write') as unknown,
      });
      const anonymous = await api.request(method, path, body, NO_AUTH);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(await api.count('connections')).toBe(before);
  });

  it('refuses a second connection of the same name for one owner with 409 naming name', async () => {
    await create({ name: 'dup', type: 'nats', url: 'nats://127.0.0.1' }, teamA);
    const before = await api.count('connections');
    const again = await api.request<ErrorResponse>(
      'POST',
      '/connections',
      { name: 'dup', type: 'amqp', url: 'amqp://127.0.0.1' },
      bearer(teamA),
    );
    expect(expectProblem(again, 409, 'name').code).toBe('CONFLICT');
    expect(await api.count('connections')).toBe(before);
    // Another owner, and the admin's owner-less namespace, are separate.
    await create({ name: 'dup', type: 'nats', url: 'nats://127.0.0.1' }, teamB);
    const ownerless = await create({
      name: 'dup',
      type: 'nats',
      url: 'nats://127.0.0.1',
    });
    expect(ownerless.owner).toBeNull();
    expectProblem(
      await api.request('POST', '/connections', {
        name: 'dup',
        type: 'nats',
        url: 'nats://127.0.0.1',
      }),
      409,
      'name',
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no name', { type: 'amqp', url: 'amqp://127.0.0.1' }, 'name'],
    [
      'a blank name',
      { name: '  ', type: 'amqp', url: 'amqp://127.0.0.1' },
      'name',
    ],
    ['no type', { name: 'n', url: 'amqp://127.0.0.1' }, 'type'],
    [
      'an unknown type',
      { name: 'n', type: 'sqs', url: 'amqp://127.0.0.1' },
      'type',
    ],
    ['no url', { name: 'n', type: 'amqp' }, 'url'],
    ['a number as url', { name: 'n', type: 'amqp', url: 5672 }, 'url'],
    [
      'a scheme of another type',
      { name: 'n', type: 'amqp', url: `redis://u:${PASSWORD}@127.0.0.1` },
      'url',
    ],
    [
      'an http URL',
      { name: 'n', type: 'mqtt', url: 'http://127.0.0.1' },
      'url',
    ],
    [
      'no host',
      { name: 'n', type: 'amqp', url: `amqp://u:${PASSWORD}@/vhost` },
      'url',
    ],
    [
      'a control character',
      { name: 'n', type: 'amqp', url: 'amqp://127.0.0.1/\u0000' },
      'url',
    ],
    [
      'a URL too long',
      { name: 'n', type: 'amqp', url: `amqp://127.0.0.1/${'v'.repeat(2048)}` },
      'url',
    ],
    [
      'a password in the query',
      {
        name: 'n',
        type: 'kafka',
        url: `kafka://127.0.0.1:9092?password=${PASSWORD}`,
      },
      'url',
    ],
    [
      'an unencoded "/" in the password',
      { name: 'n', type: 'amqp', url: `amqp://u:a/${PASSWORD}@127.0.0.1` },
      'url',
    ],
    [
      'an unknown field',
      { name: 'n', type: 'amqp', url: 'amqp://127.0.0.1', tls: true },
      'tls',
    ],
  ])(
    'refuses %s with 400 naming the field and stores nothing',
    async (_, body, field) => {
      const before = await api.count('connections');
      const res = await api.request<ErrorResponse>(
        'POST',
        '/connections',
        body,
      );
      expect(expectProblem(res, 400, field).code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
      expect(await api.count('connections')).toBe(before);
    },
  );

  it('pages through connections oldest first', async () => {
    const owner = `pager-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (
          await create({
            name: `page-${i}`,
            type: 'redis',
            url: 'redis://127.0.0.1',
            owner,
          })
        ).id,
      );
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: ApiResponse<ConnectionListResponse> =
        await api.request<ConnectionListResponse>(
          'GET',
          `/connections?owner=${owner}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual(ids);
    expectProblem(
      await api.request('GET', '/connections?cursor=nonsense'),
      400,
      'cursor',
    );
  });

  it('deletes an unused connection', async () => {
    const created = await create(
      { name: 'unused', type: 'amqp', url: 'amqp://127.0.0.1' },
      teamA,
    );
    const del = await api.request(
      'DELETE',
      `/connections/${created.id}`,
      undefined,
      bearer(teamA),
    );
    expect(del.status).toBe(204);
    expectProblem(
      await api.request('GET', `/connections/${created.id}`),
      404,
      'id',
    );
    expectProblem(
      await api.request('DELETE', `/connections/${created.id}`),
      404,
      'id',
    );
    expectProblem(await api.request('DELETE', '/connections/nope'), 400, 'id');
  });

  it('refuses to delete a connection in use with 409 naming its schedules, unless cascade=true', async () => {
    const used = await create(
      { name: 'in-use', type: 'amqp', url: 'amqp://127.0.0.1' },
      teamA,
    );
    const other = await create(
      { name: 'in-use-other', type: 'amqp', url: 'amqp://127.0.0.1' },
      teamA,
    );
    const users = [
      await insertScheduleUsing(used.id),
      await insertScheduleUsing(used.id),
    ];
    const bystander = await insertScheduleUsing(other.id);
    await api.sql.query(
      `insert into executions (id, schedule_id, scheduled_at, due_at) values ($1::uuid, $2::uuid, now(), now())`,
      [randomUUID(), users[0]],
    );

    const refused = await api.request<ErrorResponse>(
      'DELETE',
      `/connections/${used.id}`,
      undefined,
      bearer(teamA),
    );
    const body = expectProblem(refused, 409, 'id');
    expect(body.code).toBe('CONFLICT');
    expect(body.message).toContain('used by 2 schedules');
    for (const id of users) expect(body.message).toContain(id);
    expect(body.message).toContain('cascade=true');
    expect((await api.request('GET', `/connections/${used.id}`)).status).toBe(
      200,
    );

    expectProblem(
      await api.request('DELETE', `/connections/${used.id}?cascade=yes`),
      400,
      'cascade',
    );
    const cascaded = await api.request(
      'DELETE',
      `/connections/${used.id}?cascade=true`,
      undefined,
      bearer(teamA),
    );
    expect(cascaded.status).toBe(204);
    const left = await api.sql.query<{ id: string }[]>(
      `select id from schedules where id = any($1::uuid[])`,
      [[...users, bystander]],
    );
    expect(left.map((r) => r.id)).toEqual([bystander]);
    const executions = await api.sql.query<{ n: number }[]>(
      `select count(*)::int as n from executions where schedule_id = $1::uuid`,
      [users[0]],
    );
    expect(executions[0].n).toBe(0);
    expectProblem(
      await api.request('GET', `/connections/${used.id}`),
      404,
      'id',
    );
  });

  it("takes the schedules a cascade deletes out of their owner's quota totals", async () => {
    const connection = await create(
      { name: 'usage', type: 'amqp', url: 'amqp://127.0.0.1' },
      teamA,
    );
    const totals = async () =>
      (
        await api.sql.query<{ schedules: number; fires: number }[]>(
          `select schedules, fires_per_hour::float8 as fires from owner_usage where owner = 'team-a'`,
        )
      ).at(0) ?? { schedules: 0, fires: 0 };
    const before = await totals();
    for (const routingKey of ['a', 'b']) {
      const created = await api.request(
        'POST',
        '/schedules',
        cronBody({
          trigger: {
            type: 'amqp',
            connectionId: connection.id,
            exchange: '',
            routingKey,
          },
        }),
      );
      expect(created.status).toBe(201);
    }
    expect(await totals()).toEqual({
      schedules: before.schedules + 2,
      fires: before.fires + 2 * 720,
    });
    const cascaded = await api.request(
      'DELETE',
      `/connections/${connection.id}?cascade=true`,
      undefined,
      bearer(teamA),
    );
    expect(cascaded.status).toBe(204);
    expect(await totals()).toEqual(before);
  });

  it('names at most 20 schedules in the 409, and counts them all', async () => {
    const busy = await create({
      name: 'busy',
      type: 'amqp',
      url: 'amqp://127.0.0.1',
      owner: 'team-a',
    });
    const users: string[] = [];
    for (let i = 0; i < 23; i++) users.push(await insertScheduleUsing(busy.id));
    const refused = await api.request<ErrorResponse>(
      'DELETE',
      `/connections/${busy.id}`,
    );
    const { message } = expectProblem(refused, 409, 'id');
    expect(message).toContain('used by 23 schedules (the first 20:');
    const named = users.filter((id) => message.includes(id));
    expect(named).toHaveLength(20);
  });
});

describe('connections API without SECRETS_KEY', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('api_connections_nobox', {
      secretsKey: null,
      allowedNetworks: '',
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await api.close();
  });

  it('stores the URL as given, still masks it, and allows only public addresses when the allow-list is empty', async () => {
    const url = `redis://app:${PASSWORD}@8.8.8.8:6379/1`;
    const res = await api.request<ConnectionResponse>('POST', '/connections', {
      name: 'plain',
      type: 'redis',
      url,
    });
    expect(res.status).toBe(201);
    expect(res.body.url).toBe('redis://app:***@8.8.8.8:6379/1');
    const [row] = await api.sql.query<{ url_sealed: string }[]>(
      `select url_sealed from connections where id = $1::uuid`,
      [res.body.id],
    );
    expect(row.url_sealed).toBe(url);

    // A duplicate name is answered without a failed query, which TypeORM would log
    // (to the console, parameters included: here the URL in clear).
    const printed: unknown[][] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map(
      (method) =>
        jest.spyOn(console, method).mockImplementation((...args) => {
          printed.push(args);
        }),
    );
    try {
      const duplicate = await api.request('POST', '/connections', {
        name: 'plain',
        type: 'redis',
        url,
      });
      expectProblem(duplicate, 409, 'name');
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(JSON.stringify(printed)).not.toContain(PASSWORD);

    const loopback = await api.request('POST', '/connections', {
      name: 'local',
      type: 'redis',
      url: 'redis://127.0.0.1:6379',
    });
    expect(expectProblem(loopback, 400, 'url').message).toMatch(
      /destination not allowed: 127\.0\.0\.1 .*WEBHOOK_ALLOWED_NETWORKS/,
    );
    expect(await api.count('connections')).toBe(1);
  });
});
