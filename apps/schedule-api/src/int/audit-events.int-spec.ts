import type {
  AuditEvent,
  AuditEventListResponse,
  ConnectionResponse,
  CreatedApiKeyResponse,
  CreatedSigningSecretResponse,
  ExecutionResponse,
  ScheduleResponse,
} from '@scheduleman/domain';
import { waitFor } from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import { cronBody, expectProblem } from './api-harness';
import {
  type AuthFixture,
  type Credentials,
  expectNothingChanged,
  OWNER_A,
  OWNER_B,
  OWNER_OPS,
  startAuthFixture,
} from './auth-fixture';

const SETUP_TIMEOUT_MS = 60_000;

/** Values that must never reach the audit log, whoever made the change. */
const HEADER_SECRET = 'Bearer audit-header-s3cret';
const CONNECTION_PASSWORD = 'audit-conn-pa55word';
const CONNECTION_URL = `amqp://guest:${CONNECTION_PASSWORD}@127.0.0.1:5672/`;

/** The fields of an event in GET /audit-events, exactly. */
const EVENT_KEYS = [
  'action',
  'actorKeyId',
  'actorOwner',
  'at',
  'details',
  'id',
  'owner',
  'resourceId',
  'resourceType',
  'scheduleId',
];

/** A schedule body whose trigger carries a secret header value. */
function secretScheduleBody(owner: string): Record<string, unknown> {
  return cronBody({
    owner,
    trigger: {
      type: 'webhook',
      url: 'http://127.0.0.1:3100/tasks',
      headers: { Authorization: HEADER_SECRET, 'X-Team': 'platform' },
    },
  });
}

describe('schedule API: the audit log (GET /audit-events)', () => {
  let f: AuthFixture;
  /** Every secret value an answer showed once: none may be in any event. */
  const secrets: string[] = [
    HEADER_SECRET,
    CONNECTION_PASSWORD,
    CONNECTION_URL,
  ];

  beforeAll(async () => {
    f = await startAuthFixture('api_audit_events');
    secrets.push(...Object.values(f.keys));
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await f.close();
  });

  async function page(
    query: string,
    as: Credentials = 'admin',
  ): Promise<AuditEventListResponse> {
    const res = await f.call<AuditEventListResponse>(
      'GET',
      `/audit-events${query}`,
      undefined,
      as,
    );
    expect({ status: res.status, body: res.body }).toMatchObject({
      status: 200,
    });
    return res.body;
  }

  /** The events of one resource, oldest first. */
  async function eventsOf(resourceId: string): Promise<AuditEvent[]> {
    const rows = await f.api.sql.query<{ id: string }[]>(
      `select id from audit_events where resource_id = $1::uuid order by at, id`,
      [resourceId],
    );
    const all = (await page('?limit=500')).items;
    return rows.map(({ id }) => {
      const event = all.find((e) => e.id === id);
      if (!event) throw new Error(`event ${id} not in the first 500`);
      return event;
    });
  }

  async function ok<T>(
    method: string,
    path: string,
    body: unknown,
    as: Credentials,
    status: number,
  ): Promise<T> {
    const res = await f.call<T>(method, path, body, as);
    expect({ status: res.status, body: res.body }).toMatchObject({ status });
    return res.body;
  }

  it("records each change of a schedule with the owner key that made it, the schedule's owner and id", async () => {
    const created = await ok<ScheduleResponse>(
      'POST',
      '/schedules',
      secretScheduleBody(OWNER_A),
      'writerA',
      201,
    );
    const id = created.id;
    await ok(
      'PATCH',
      `/schedules/${id}`,
      {
        name: 'renamed',
        trigger: {
          type: 'webhook',
          url: 'http://127.0.0.1:3100/other',
          headers: { Authorization: HEADER_SECRET },
        },
      },
      'writerA',
      200,
    );
    await ok('POST', `/schedules/${id}/pause`, undefined, 'writerA', 200);
    await ok('POST', `/schedules/${id}/resume`, undefined, 'writerA', 200);
    const run = await ok<ExecutionResponse>(
      'POST',
      `/schedules/${id}/trigger`,
      undefined,
      'writerA',
      202,
    );
    await ok('DELETE', `/schedules/${id}`, undefined, 'writerA', 204);

    const actor = {
      actorKeyId: f.keyIds.writerA,
      actorOwner: OWNER_A,
      owner: OWNER_A,
      resourceType: 'schedule',
      resourceId: id,
      scheduleId: id,
    };
    const events = await eventsOf(id);
    expect(events).toEqual([
      expect.objectContaining({
        ...actor,
        action: 'schedule.created',
        details: { scheduleType: 'cron', triggerType: 'webhook' },
      }),
      expect.objectContaining({
        ...actor,
        action: 'schedule.updated',
        details: { fields: ['name', 'trigger'] },
      }),
      expect.objectContaining({ ...actor, action: 'schedule.paused' }),
      expect.objectContaining({
        ...actor,
        action: 'schedule.resumed',
        details: { status: 'active' },
      }),
      expect.objectContaining({
        ...actor,
        action: 'schedule.triggered',
        details: { executionId: run.id },
      }),
      expect.objectContaining({
        ...actor,
        action: 'schedule.deleted',
        details: {},
      }),
    ]);
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(EVENT_KEYS);
      expect(new Date(event.at).toISOString()).toBe(event.at);
    }
    // The deleted schedule keeps its history, newest first through the filter.
    const bySchedule = await page(`?scheduleId=${id}`);
    expect(bySchedule.items.map((e) => e.action)).toEqual(
      events.map((e) => e.action).reverse(),
    );
    expect(bySchedule.nextCursor).toBeNull();
  });

  it('records ADMIN_API_KEY with no key and no owner, a key with the admin scope with its id and owner', async () => {
    const byAdmin = await ok<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody({ owner: OWNER_B }),
      'admin',
      201,
    );
    const byOps = await ok<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody({ owner: OWNER_B }),
      'adminScoped',
      201,
    );
    await ok(
      'PATCH',
      `/schedules/${byOps.id}`,
      { owner: OWNER_A },
      'adminScoped',
      200,
    );
    expect(await eventsOf(byAdmin.id)).toEqual([
      expect.objectContaining({
        action: 'schedule.created',
        actorKeyId: null,
        actorOwner: null,
        owner: OWNER_B,
      }),
    ]);
    expect(await eventsOf(byOps.id)).toEqual([
      expect.objectContaining({
        action: 'schedule.created',
        actorKeyId: f.keyIds.adminScoped,
        actorOwner: OWNER_OPS,
        owner: OWNER_B,
      }),
      expect.objectContaining({
        action: 'schedule.updated',
        actorKeyId: f.keyIds.adminScoped,
        actorOwner: OWNER_OPS,
        owner: OWNER_A,
        details: { fields: ['owner'], previousOwner: OWNER_B },
      }),
    ]);
  });

  it('records api keys, signing secrets and connections, once per change', async () => {
    const key = await ok<CreatedApiKeyResponse>(
      'POST',
      '/api-keys',
      { owner: OWNER_B, scopes: ['schedules:read'], name: 'audited' },
      'admin',
      201,
    );
    secrets.push(key.key);
    await ok('DELETE', `/api-keys/${key.id}`, undefined, 'admin', 204);
    // Revoking a revoked key changes nothing and records nothing.
    await ok('DELETE', `/api-keys/${key.id}`, undefined, 'adminScoped', 204);
    expect(await eventsOf(key.id)).toEqual([
      expect.objectContaining({
        action: 'api_key.created',
        actorKeyId: null,
        owner: OWNER_B,
        resourceType: 'api_key',
        scheduleId: null,
        details: { scopes: ['schedules:read'], expiresAt: null },
      }),
      expect.objectContaining({
        action: 'api_key.revoked',
        actorKeyId: null,
        owner: OWNER_B,
        details: {},
      }),
    ]);

    const secret = await ok<CreatedSigningSecretResponse>(
      'POST',
      '/signing-secrets',
      {},
      'writerA',
      201,
    );
    secrets.push(secret.secret);
    await ok(
      'DELETE',
      `/signing-secrets/${secret.id}`,
      undefined,
      'writerA',
      204,
    );
    await ok(
      'DELETE',
      `/signing-secrets/${secret.id}`,
      undefined,
      'writerA',
      204,
    );
    expect(await eventsOf(secret.id)).toEqual([
      expect.objectContaining({
        action: 'signing_secret.created',
        actorKeyId: f.keyIds.writerA,
        actorOwner: OWNER_A,
        owner: OWNER_A,
        resourceType: 'signing_secret',
        details: { fingerprint: secret.fingerprint },
      }),
      expect.objectContaining({
        action: 'signing_secret.retired',
        actorKeyId: f.keyIds.writerA,
        owner: OWNER_A,
      }),
    ]);

    const connection = await ok<ConnectionResponse>(
      'POST',
      '/connections',
      { name: 'audited-rabbit', type: 'amqp', url: CONNECTION_URL },
      'connectionsA',
      201,
    );
    // A schedule on it, as a broker trigger makes one: the cascade deletes it.
    const scheduleId = randomUUID();
    await f.api.sql.query(
      `insert into schedules (id, owner, schedule_type, schedule, trigger_type, trigger, next_run_at)
values ($1::uuid, $2::text, 'cron', '{"type":"cron","expression":"0 * * * *","timezone":"UTC"}'::jsonb,
'amqp', $3::jsonb, now() + interval '1 hour')`,
      [
        scheduleId,
        OWNER_A,
        JSON.stringify({
          type: 'amqp',
          connectionId: connection.id,
          exchange: '',
          routingKey: 'jobs',
        }),
      ],
    );
    await ok(
      'DELETE',
      `/connections/${connection.id}?cascade=true`,
      undefined,
      'connectionsA',
      204,
    );
    const actorA = {
      actorKeyId: f.keyIds.connectionsA,
      actorOwner: OWNER_A,
      owner: OWNER_A,
    };
    expect(await eventsOf(connection.id)).toEqual([
      expect.objectContaining({
        ...actorA,
        action: 'connection.created',
        resourceType: 'connection',
        details: { name: 'audited-rabbit', type: 'amqp' },
      }),
      expect.objectContaining({
        ...actorA,
        action: 'connection.deleted',
        details: { cascade: true, deletedSchedules: 1 },
      }),
    ]);
    expect(await eventsOf(scheduleId)).toEqual([
      expect.objectContaining({
        ...actorA,
        action: 'schedule.deleted',
        scheduleId,
        details: { cause: 'connection.deleted', connectionId: connection.id },
      }),
    ]);
  });

  it('records one revoke and one retire however many race', async () => {
    const key = await ok<CreatedApiKeyResponse>(
      'POST',
      '/api-keys',
      { owner: OWNER_A, scopes: ['schedules:read'] },
      'admin',
      201,
    );
    secrets.push(key.key);
    const secret = await ok<CreatedSigningSecretResponse>(
      'POST',
      '/signing-secrets',
      {},
      'writerA',
      201,
    );
    secrets.push(secret.secret);
    // Hold both rows so that every request is inside its statement, waiting, before
    // any can go on: the race is certain, not left to timing.
    const holder = f.api.sql.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`select 1 from api_keys where id = $1 for update`, [
      key.id,
    ]);
    await holder.query(
      `select 1 from signing_secrets where id = $1 for update`,
      [secret.id],
    );
    // Two of each: the harness's pool has 5 connections, one stays for key lookups.
    const racing = Promise.all([
      f.call('DELETE', `/api-keys/${key.id}`, undefined, 'admin'),
      f.call('DELETE', `/api-keys/${key.id}`, undefined, 'admin'),
      f.call('DELETE', `/signing-secrets/${secret.id}`, undefined, 'writerA'),
      f.call('DELETE', `/signing-secrets/${secret.id}`, undefined, 'writerA'),
    ]);
    await waitFor(
      '4 revokes and retires waiting on the row locks',
      async () => {
        const [{ n }] = await f.api.sql.query<{ n: number }[]>(
          `select count(*)::int as n from pg_stat_activity
where datname = current_database() and wait_event_type = 'Lock'`,
        );
        return n >= 4;
      },
    );
    await holder.commitTransaction();
    await holder.release();
    expect((await racing).map((res) => res.status)).toEqual([
      204, 204, 204, 204,
    ]);
    expect((await eventsOf(key.id)).map((e) => e.action)).toEqual([
      'api_key.created',
      'api_key.revoked',
    ]);
    expect((await eventsOf(secret.id)).map((e) => e.action)).toEqual([
      'signing_secret.created',
      'signing_secret.retired',
    ]);
  });

  it('records nothing for a refused request or one that changes nothing', async () => {
    const id = await f.createSchedule(OWNER_A);
    await ok('POST', `/schedules/${id}/pause`, undefined, 'admin', 200);
    await ok(
      'POST',
      '/connections',
      { name: 'taken', type: 'amqp', url: CONNECTION_URL },
      'connectionsA',
      201,
    );
    // One refusal per line:
    // prettier-ignore
    const refusals: [string, string, unknown, Credentials, number, string][] = [
      ['POST', '/schedules', cronBody({ schedule: { type: 'cron' } }), 'writerA', 400, 'schedule.expression'],
      ['POST', '/schedules', cronBody({ owner: OWNER_B }), 'writerA', 403, 'owner'],
      ['PATCH', `/schedules/${id}`, { name: 'x' }, 'writerB', 404, 'id'],
      ['PATCH', `/schedules/${id}`, { maxAttempts: 0 }, 'writerA', 400, 'maxAttempts'],
      ['DELETE', `/schedules/${id}`, undefined, 'writerB', 404, 'id'],
      ['POST', `/schedules/${id}/trigger`, undefined, 'writerB', 404, 'id'],
      ['POST', '/api-keys', { owner: OWNER_A, scopes: ['nope'] }, 'admin', 400, 'scopes[0]'],
      ['POST', '/signing-secrets', {}, 'admin', 400, 'owner'],
      ['POST', '/connections', { name: 'taken', type: 'amqp', url: CONNECTION_URL }, 'connectionsA', 409, 'name'],
      ['DELETE', `/connections/${randomUUID()}`, undefined, 'connectionsA', 404, 'id'],
    ];
    await expectNothingChanged(f, async () => {
      for (const [method, path, body, as, status, field] of refusals)
        expectProblem(await f.call(method, path, body, as), status, field);
      // Pausing a paused schedule is an idempotent no-op.
      await ok('POST', `/schedules/${id}/pause`, undefined, 'writerA', 200);
    });
  });

  it('filters by owner, schedule and action, and pages newest first over more than one page', async () => {
    const owner = `team-paging-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push(
        (
          await ok<ScheduleResponse>(
            'POST',
            '/schedules',
            cronBody({ owner }),
            'admin',
            201,
          )
        ).id,
      );
    await ok('POST', `/schedules/${ids[0]}/pause`, undefined, 'admin', 200);

    const pages: AuditEventListResponse[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const next = await page(
        `?owner=${owner}&limit=3${cursor === '' ? '' : `&cursor=${cursor}`}`,
      );
      pages.push(next);
      cursor = next.nextCursor;
    }
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 2]);
    const items = pages.flatMap((p) => p.items);
    const stored = await f.api.sql.query<{ id: string }[]>(
      `select id from audit_events where owner = $1 order by at desc, id desc`,
      [owner],
    );
    expect(items.map((e) => e.id)).toEqual(stored.map((r) => r.id));
    expect(items[0]).toMatchObject({
      action: 'schedule.paused',
      scheduleId: ids[0],
    });
    expect(new Set(items.map((e) => e.owner))).toEqual(new Set([owner]));
    expect(
      items
        .filter((e) => e.action === 'schedule.created')
        .map((e) => e.resourceId),
    ).toEqual([...ids].reverse());

    const oneSchedule = await page(`?scheduleId=${ids[0]}`);
    expect(oneSchedule.items.map((e) => e.action)).toEqual([
      'schedule.paused',
      'schedule.created',
    ]);
    const paused = await page(`?owner=${owner}&action=schedule.paused`);
    expect(paused.items.map((e) => e.resourceId)).toEqual([ids[0]]);
    // Every owner's events without a filter, newest first.
    const all = await page('?limit=2');
    expect(all.items.map((e) => e.id)).toEqual(
      stored.slice(0, 2).map((r) => r.id),
    );
  });

  it('is for admins: an owner key gets 403, bad query values a 400 naming the field', async () => {
    for (const as of ['readerA', 'writerA', 'connectionsA'] as const) {
      const res = await f.call('GET', '/audit-events', undefined, as);
      expectProblem(res, 403, 'authorization');
    }
    await page('', 'adminScoped');
    const bad: [string, string][] = [
      ['?scheduleId=nope', 'scheduleId'],
      ['?action=schedule.exploded', 'action'],
      ['?limit=0', 'limit'],
      ['?limit=501', 'limit'],
      ['?cursor=not-a-cursor', 'cursor'],
    ];
    for (const [query, field] of bad)
      expectProblem(
        await f.call('GET', `/audit-events${query}`, undefined, 'admin'),
        400,
        field,
      );
  });

  it('holds no secret value: no key, signing secret, header value or connection URL in any event', async () => {
    // This runs last: every event of the tests above is in the table.
    const [{ n }] = await f.api.sql.query<{ n: number }[]>(
      `select count(*)::int as n from audit_events`,
    );
    expect(n).toBeGreaterThan(30);
    expect(secrets.length).toBeGreaterThan(12);
    const table = await f.api.sql.query<{ row: string }[]>(
      `select row_to_json(e)::text as row from audit_events e`,
    );
    const answer = JSON.stringify((await page('?limit=500')).items);
    for (const text of [...table.map((r) => r.row), answer])
      for (const secret of secrets) expect(text).not.toContain(secret);
    expect(answer).not.toContain('127.0.0.1:5672');
  });
});
