import type {
  ErrorResponse,
  ScheduleResponse,
  UpcomingResponse,
} from '@scheduleman/domain';
import {
  type ApiHarness,
  type ApiResponse,
  cronBody,
  expectProblem,
  nextRunMs,
  oneShotAt,
  startApi,
} from './api-harness';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The subset of the OpenAPI document this test reads. */
interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: {
          content: Record<string, { examples?: Record<string, unknown> }>;
        };
        responses: Record<
          string,
          { content?: Record<string, { schema: { $ref?: string } }> }
        >;
      }
    >
  >;
}

describe('schedule API: create, read, update, delete', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('api_crud');
  });

  afterAll(async () => {
    await api.close();
  });

  async function create(
    body: Record<string, unknown> = {},
  ): Promise<ApiResponse<ScheduleResponse>> {
    const res = await api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody(body),
    );
    expect(res.status).toBe(201);
    return res;
  }

  it('creates a cron schedule, commits it before answering 201, and returns the stored shape', async () => {
    const asked = Date.now();
    const res = await api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody({
        metadata: { ticket: 'OPS-1' },
        schedule: {
          type: 'cron',
          expression: '0 9 * * 1-5',
          timezone: 'Europe/Berlin',
        },
      }),
    );
    expect(res.status).toBe(201);
    const { id, nextRunAt, createdAt, updatedAt, ...stored } = res.body;
    expect(stored).toEqual({
      name: 'every five seconds',
      owner: 'team-a',
      metadata: { ticket: 'OPS-1' },
      schedule: {
        type: 'cron',
        expression: '0 9 * * 1-5',
        timezone: 'Europe/Berlin',
      },
      description: 'At 09:00, Monday through Friday (Europe/Berlin)',
      trigger: {
        type: 'webhook',
        url: 'http://127.0.0.1:3100/tasks',
        method: 'POST',
        headers: {},
      },
      status: 'active',
      misfirePolicy: 'fire_once',
      maxAttempts: 5,
      resultTimeout: null,
      // The time policies' defaults: today's behaviour.
      catchUpWindow: null,
      exclusions: [],
      calendarIds: [],
      flexibleWindow: null,
      pausedUntil: null,
      overlapPolicy: 'allow',
      skipNextAt: null,
      dstGapPolicy: 'shift',
      dstOverlapPolicy: 'first',
      // Alerting on silence: none asked for, nothing has run yet.
      silentAfter: null,
      health: 'healthy',
      lastSuccessAt: null,
    });
    expect(id).toMatch(UUID);
    // 09:00 in Berlin is 07:00 or 08:00 UTC depending on daylight saving time.
    expect(nextRunAt).toMatch(/T0[78]:00:00\.000Z$/);
    expect(updatedAt).toBe(createdAt);
    expect(Math.abs(Date.parse(createdAt) - asked)).toBeLessThan(60_000);
    const rows: { status: string; next_run_at: Date }[] = await api.sql.query(
      'select status, next_run_at from schedules where id = $1',
      [res.body.id],
    );
    expect(rows).toEqual([
      { status: 'active', next_run_at: new Date(nextRunMs(res.body)) },
    ]);
  });

  it('creates an at schedule from a time with an offset, stored in UTC', async () => {
    const at = new Date(Date.now() + 3_600_000);
    at.setUTCMilliseconds(0);
    const withOffset = `${new Date(at.getTime() + 2 * 3_600_000).toISOString().slice(0, 19)}+02:00`;
    const res = await create({
      schedule: { type: 'at', at: withOffset },
      misfirePolicy: 'skip',
      maxAttempts: 2,
    });
    expect(res.body.schedule).toEqual({ type: 'at', at: at.toISOString() });
    expect(res.body.nextRunAt).toBe(at.toISOString());
    expect(res.body).toMatchObject({ misfirePolicy: 'skip', maxAttempts: 2 });
  });

  it('fixes a delay to an absolute time when it accepts it', async () => {
    const before = Date.now();
    const res = await create({ schedule: { type: 'delay', delay: 'PT90S' } });
    const after = Date.now();
    const at = oneShotAt(res.body);
    expect(res.body.schedule).toEqual({ type: 'delay', delay: 'PT90S', at });
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before + 90_000);
    expect(Date.parse(at)).toBeLessThanOrEqual(after + 90_000);
    expect(res.body.nextRunAt).toBe(at);
  });

  it('stores a webhook trigger with method, headers and body', async () => {
    const trigger = {
      type: 'webhook',
      url: 'https://example.com/hook?x=1',
      method: 'put',
      headers: { 'X-Team': 'platform' },
      body: { a: [1, 2] },
    };
    const res = await create({ trigger, name: null, owner: null });
    expect(res.body.trigger).toEqual({ ...trigger, method: 'PUT' });
    expect(res.body).toMatchObject({ name: null, owner: null, metadata: null });
  });

  it('stores a templated cloudevents trigger as written and returns it on GET', async () => {
    const trigger = {
      type: 'webhook',
      url: 'https://example.com/tenants/{{metadata.tenant}}?run={{executionId}}',
      method: 'POST',
      headers: { 'X-Attempt': '{{attempt}}' },
      body: { at: '{{scheduledAt}}', who: '{{owner}}' },
      format: 'cloudevents',
    };
    const res = await create({ trigger, metadata: { tenant: 'acme' } });
    const got = await api.request<ScheduleResponse>(
      'GET',
      `/schedules/${res.body.id}`,
    );
    expect(got.body.trigger).toEqual(trigger);
  });

  it('gets a schedule by id, and answers 404 naming the id for an unknown one', async () => {
    const created = await create();
    const got = await api.request<ScheduleResponse>(
      'GET',
      `/schedules/${created.body.id}`,
    );
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    const upper = await api.request<ScheduleResponse>(
      'GET',
      `/schedules/${created.body.id.toUpperCase()}`,
    );
    expect(upper.body.id).toBe(created.body.id);
    const missing = await api.request('GET', `/schedules/${UNKNOWN_ID}`);
    expect(expectProblem(missing, 404, 'id')).toMatchObject({
      error: 'Not Found',
      code: 'NOT_FOUND',
    });
  });

  it('patches plain fields without touching the timing, and bumps updatedAt and version', async () => {
    const created = await create({
      schedule: { type: 'cron', expression: '0 0 1 1 *' },
    });
    const res = await api.request<ScheduleResponse>(
      'PATCH',
      `/schedules/${created.body.id}`,
      {
        name: 'renamed',
        owner: null,
        metadata: { v: 2 },
        maxAttempts: 7,
        misfirePolicy: 'fire_all',
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'renamed',
      owner: null,
      metadata: { v: 2 },
      maxAttempts: 7,
      misfirePolicy: 'fire_all',
      nextRunAt: created.body.nextRunAt,
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(created.body.updatedAt),
    );
    const rows: { version: number }[] = await api.sql.query(
      'select version from schedules where id = $1',
      [created.body.id],
    );
    expect(rows[0].version).toBe(2);
  });

  it('patches the trigger and the schedule, recomputing nextRunAt', async () => {
    const created = await create({
      schedule: { type: 'cron', expression: '0 0 1 1 *' },
    });
    const res = await api.request<ScheduleResponse>(
      'PATCH',
      `/schedules/${created.body.id}`,
      {
        schedule: { type: 'cron', expression: '*/10 * * * * *' },
        trigger: {
          type: 'webhook',
          url: 'http://127.0.0.1:3100/other',
          method: 'GET',
        },
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.trigger).toEqual({
      type: 'webhook',
      url: 'http://127.0.0.1:3100/other',
      method: 'GET',
      headers: {},
    });
    expect(res.body.schedule).toEqual({
      type: 'cron',
      expression: '*/10 * * * * *',
      timezone: 'UTC',
    });
    const nextRunAt = nextRunMs(res.body);
    expect(nextRunAt - Date.now()).toBeLessThanOrEqual(10_000);
    expect(new Date(nextRunAt).getUTCSeconds() % 10).toBe(0);
  });

  it('treats an empty PATCH as a no-op and answers 404 for an unknown id', async () => {
    const created = await create();
    const res = await api.request<ScheduleResponse>(
      'PATCH',
      `/schedules/${created.body.id}`,
      {},
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created.body);
    expect(
      (await api.request('PATCH', `/schedules/${UNKNOWN_ID}`, { name: 'x' }))
        .status,
    ).toBe(404);
  });

  it('deletes a schedule with its executions (204), then answers 404', async () => {
    const created = await create();
    await api.sql.query(
      `insert into executions (id, schedule_id, scheduled_at, due_at) values (gen_random_uuid(), $1, now(), now())`,
      [created.body.id],
    );
    const res = await api.request('DELETE', `/schedules/${created.body.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect(
      (await api.request('GET', `/schedules/${created.body.id}`)).status,
    ).toBe(404);
    expect(
      (await api.request('DELETE', `/schedules/${created.body.id}`)).status,
    ).toBe(404);
    const left: unknown[] = await api.sql.query(
      'select 1 from executions where schedule_id = $1',
      [created.body.id],
    );
    expect(left).toEqual([]);
  });

  it('lists upcoming occurrences (default 10, ?count up to 100)', async () => {
    const created = await create({
      schedule: { type: 'cron', expression: '30 2 * * *', timezone: 'UTC' },
    });
    const res = await api.request<UpcomingResponse>(
      'GET',
      `/schedules/${created.body.id}/upcoming`,
    );
    expect(res.status).toBe(200);
    expect(res.body.scheduleId).toBe(created.body.id);
    expect(res.body.items).toHaveLength(10);
    expect(res.body.items[0]).toBe(created.body.nextRunAt);
    for (let i = 1; i < 10; i++)
      expect(
        Date.parse(res.body.items[i]) - Date.parse(res.body.items[i - 1]),
      ).toBe(86_400_000);
    const many = await api.request<UpcomingResponse>(
      'GET',
      `/schedules/${created.body.id}/upcoming?count=100`,
    );
    expect(many.body.items).toHaveLength(100);
    expect(
      (await api.request('GET', `/schedules/${UNKNOWN_ID}/upcoming`)).status,
    ).toBe(404);
  });

  it('lists only future occurrences of a cron whose stored next run is overdue', async () => {
    const created = await create({
      schedule: { type: 'cron', expression: '*/5 * * * * *' },
    });
    await api.sql.query(
      `update schedules set next_run_at = now() - interval '1 hour' where id = $1`,
      [created.body.id],
    );
    const asked = Date.now();
    const res = await api.request<UpcomingResponse>(
      'GET',
      `/schedules/${created.body.id}/upcoming?count=3`,
    );
    expect(res.body.items).toHaveLength(3);
    for (const item of res.body.items)
      expect(Date.parse(item)).toBeGreaterThan(asked - 1_000);
  });

  it('lists the single upcoming occurrence of a one-shot', async () => {
    const created = await create({
      schedule: { type: 'delay', delay: 'PT1H' },
    });
    const res = await api.request<UpcomingResponse>(
      'GET',
      `/schedules/${created.body.id}/upcoming?count=5`,
    );
    expect(res.body.items).toEqual([oneShotAt(created.body)]);
  });

  it.each([
    ['GET', ''],
    ['PATCH', ''],
    ['DELETE', ''],
    ['GET', '/upcoming'],
    ['POST', '/pause'],
    ['POST', '/resume'],
    ['POST', '/trigger'],
    ['GET', '/executions'],
  ])(
    'answers %s /schedules/:id%s for an unknown id with 404 naming the id',
    async (method, suffix) => {
      const res = await api.request<ErrorResponse>(
        method,
        `/schedules/${UNKNOWN_ID}${suffix}`,
        method === 'PATCH' ? { name: 'x' } : undefined,
      );
      const body = expectProblem(res, 404, 'id');
      expect(body).toMatchObject({ error: 'Not Found', code: 'NOT_FOUND' });
      expect(body.message).toContain(UNKNOWN_ID);
    },
  );

  it('serves Swagger UI at /docs and the OpenAPI document at /docs-json with an example per schedule type', async () => {
    const ui = await api.request('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(String(ui.body)).toContain('swagger');
    const doc = await api.request<OpenApiDocument>('GET', '/docs-json');
    expect(doc.status).toBe(200);
    const post = doc.body.paths['/schedules'].post;
    expect(
      Object.keys(post.requestBody?.content['application/json'].examples ?? {}),
    ).toEqual(['cron', 'at', 'delay']);
    expect(
      post.responses['400'].content?.['application/json'].schema.$ref,
    ).toBe('#/components/schemas/ErrorResponseDto');
    expect(Object.keys(doc.body.paths).sort()).toEqual(
      [
        '/api-keys',
        '/api-keys/{id}',
        '/audit-events',
        '/calendars',
        '/calendars/{id}',
        '/connections',
        '/connections/{id}',
        '/schedules',
        '/schedules/batch',
        '/schedules/preview',
        '/schedules/{id}',
        '/schedules/{id}/upcoming',
        '/schedules/{id}/pause',
        '/schedules/{id}/resume',
        '/schedules/{id}/trigger',
        '/schedules/{id}/skip-next',
        '/schedules/{id}/executions',
        '/schedules/{id}/executions/{executionId}',
        '/schedules/{id}/executions/{executionId}/attempts',
        '/schedules/{id}/history',
        '/executions/{executionId}/result',
        '/signing-secrets',
        '/signing-secrets/{id}',
      ].sort(),
    );
  });

  it('answers health, readiness, liveness and metrics', async () => {
    expect((await api.request('GET', '/health')).body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' } },
    });
    expect((await api.request('GET', '/health/ready')).status).toBe(200);
    expect((await api.request('GET', '/health/live')).status).toBe(200);
    const metrics = await api.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/schedules",status_code="201"\} [1-9]/,
    );
  });
});
