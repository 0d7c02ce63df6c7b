import type { ErrorResponse, ScheduleResponse } from '@scheduleman/domain';
import {
  type ApiHarness,
  type ApiResponse,
  cronBody,
  expectProblem,
  startApi,
  TEST_BODY_LIMIT_BYTES,
} from './api-harness';

/** A request that must be refused: the expected status and the field the answer must name. */
interface BadCase {
  send: (api: ApiHarness, id: string) => Promise<ApiResponse>;
  status: number;
  field: string;
}

const HOUR_MS = 3_600_000;
const post = (body: unknown) => (api: ApiHarness) =>
  api.request('POST', '/schedules', body);
const withSchedule = (schedule: unknown) => post(cronBody({ schedule }));
const withTrigger = (trigger: unknown) => post(cronBody({ trigger }));
const webhook = (extra: Record<string, unknown>) => ({
  type: 'webhook',
  url: 'http://127.0.0.1:3100/tasks',
  ...extra,
});
const get = (path: string) => (api: ApiHarness, id: string) =>
  api.request('GET', path.replace(':id', id));
/** Sends JSON text as is: a key such as `__proto__` survives only that way. */
const postJson = (json: string) => (api: ApiHarness) =>
  api.raw('POST', '/schedules', json, { 'content-type': 'application/json' });
const cronJson = (replace: string, withText: string) =>
  postJson(
    JSON.stringify(cronBody({ metadata: {} })).replace(replace, withText),
  );
const patch = (body: unknown) => (api: ApiHarness, id: string) =>
  api.request('PATCH', `/schedules/${id}`, body);

const CASES: Record<string, BadCase> = {
  // The body as a whole
  'malformed JSON': {
    send: (api) =>
      api.raw('POST', '/schedules', '{"name": "x",', {
        'content-type': 'application/json',
      }),
    status: 400,
    field: 'body',
  },
  'a JSON array as the body': {
    send: post([cronBody()]),
    status: 400,
    field: 'body',
  },
  'a JSON string as the body': {
    send: (api) =>
      api.raw('POST', '/schedules', '"hello"', {
        'content-type': 'application/json',
      }),
    status: 400,
    field: 'body',
  },
  'no body at all': {
    send: (api) => api.request('POST', '/schedules'),
    status: 400,
    field: 'body',
  },
  'a text/plain body': {
    send: (api) =>
      api.raw('POST', '/schedules', JSON.stringify(cronBody()), {
        'content-type': 'text/plain',
      }),
    status: 415,
    field: 'content-type',
  },
  'a form-encoded body': {
    send: (api) =>
      api.raw('POST', '/schedules', 'name=x', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
    status: 415,
    field: 'content-type',
  },
  'a body over the size limit': {
    send: post(
      cronBody({ metadata: { blob: 'x'.repeat(TEST_BODY_LIMIT_BYTES) } }),
    ),
    status: 413,
    field: 'body',
  },
  'metadata nested 5000 levels deep': {
    send: (api) =>
      api.raw(
        'POST',
        '/schedules',
        JSON.stringify(cronBody({ metadata: {} })).replace(
          '"metadata":{}',
          `"metadata":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`,
        ),
        { 'content-type': 'application/json' },
      ),
    status: 400,
    field: 'body',
  },
  'a webhook body nested 5000 levels deep': {
    send: (api) =>
      api.raw(
        'POST',
        '/schedules',
        JSON.stringify(cronBody({ trigger: webhook({ body: 0 }) })).replace(
          '"body":0',
          `"body":${'['.repeat(5000)}${']'.repeat(5000)}`,
        ),
        { 'content-type': 'application/json' },
      ),
    status: 400,
    field: 'body',
  },
  'a name holding U+0000': {
    send: post(cronBody({ name: 'nul\u0000byte' })),
    status: 400,
    field: 'name',
  },
  'metadata holding a lone surrogate': {
    send: post(cronBody({ metadata: { note: 'half \ud800 a pair' } })),
    status: 400,
    field: 'metadata.note',
  },
  'a webhook body holding U+0000': {
    send: withTrigger(webhook({ body: { text: '\u0000' } })),
    status: 400,
    field: 'trigger.body.text',
  },
  'an owner filter holding U+0000': {
    send: get('/schedules?owner=%00'),
    status: 400,
    field: 'owner',
  },
  'a top-level __proto__ key': {
    send: cronJson('"metadata":{}', '"__proto__":{"status":"paused"}'),
    status: 400,
    field: '__proto__',
  },
  'a constructor key in metadata': {
    send: cronJson('"metadata":{}', '"metadata":{"constructor":{"a":1}}'),
    status: 400,
    field: 'metadata.constructor',
  },
  'a prototype key deep in metadata': {
    send: cronJson('"metadata":{}', '"metadata":{"a":[{"b":{"prototype":1}}]}'),
    status: 400,
    field: 'metadata.a.0.b.prototype',
  },
  'a __proto__ webhook header': {
    send: cronJson(
      '"url":"http://127.0.0.1:3100/tasks"',
      '"url":"http://127.0.0.1:3100/tasks","headers":{"__proto__":"x"}',
    ),
    status: 400,
    field: 'trigger.headers.__proto__',
  },
  'a __proto__ key in a webhook body': {
    send: cronJson(
      '"url":"http://127.0.0.1:3100/tasks"',
      '"url":"http://127.0.0.1:3100/tasks","body":{"x":{"__proto__":{}}}',
    ),
    status: 400,
    field: 'trigger.body.x.__proto__',
  },
  'a PATCH with a __proto__ key': {
    send: (api, id) =>
      api.raw('PATCH', `/schedules/${id}`, '{"__proto__":{"name":"x"}}', {
        'content-type': 'application/json',
      }),
    status: 400,
    field: '__proto__',
  },
  'a webhook header value with CR/LF': {
    send: withTrigger(webhook({ headers: { 'X-A': 'v\r\nX-Injected: 1' } })),
    status: 400,
    field: 'trigger.headers.X-A',
  },
  'a webhook header name with LF': {
    send: withTrigger(webhook({ headers: { 'X-A\nX-B': 'v' } })),
    status: 400,
    field: 'trigger.headers.X-A\nX-B',
  },
  'a webhook URL over the length cap': {
    send: withTrigger(
      webhook({ url: `http://127.0.0.1:3100/${'a'.repeat(3000)}` }),
    ),
    status: 400,
    field: 'trigger.url',
  },
  'an unknown empty key': {
    send: post(cronBody({ '': 1 })),
    status: 400,
    field: '""',
  },
  'an unknown field': {
    send: post(cronBody({ colour: 'blue' })),
    status: 400,
    field: 'colour',
  },
  // Flat fields
  'a numeric name': {
    send: post(cronBody({ name: 42 })),
    status: 400,
    field: 'name',
  },
  'a name of 201 characters': {
    send: post(cronBody({ name: 'n'.repeat(201) })),
    status: 400,
    field: 'name',
  },
  'an owner of 201 characters': {
    send: post(cronBody({ owner: 'o'.repeat(201) })),
    status: 400,
    field: 'owner',
  },
  'metadata that is an array': {
    send: post(cronBody({ metadata: [1, 2] })),
    status: 400,
    field: 'metadata',
  },
  'metadata that is a string': {
    send: post(cronBody({ metadata: 'tags' })),
    status: 400,
    field: 'metadata',
  },
  'metadata over 16 KiB': {
    send: post(cronBody({ metadata: { blob: 'x'.repeat(17_000) } })),
    status: 400,
    field: 'metadata',
  },
  'maxAttempts 0': {
    send: post(cronBody({ maxAttempts: 0 })),
    status: 400,
    field: 'maxAttempts',
  },
  'maxAttempts above the maximum': {
    send: post(cronBody({ maxAttempts: 1000 })),
    status: 400,
    field: 'maxAttempts',
  },
  'maxAttempts as a string': {
    send: post(cronBody({ maxAttempts: '3' })),
    status: 400,
    field: 'maxAttempts',
  },
  'maxAttempts with a fraction': {
    send: post(cronBody({ maxAttempts: 2.5 })),
    status: 400,
    field: 'maxAttempts',
  },
  'an unknown misfirePolicy': {
    send: post(cronBody({ misfirePolicy: 'sometimes' })),
    status: 400,
    field: 'misfirePolicy',
  },
  // schedule
  'no schedule': {
    send: post({ trigger: webhook({}) }),
    status: 400,
    field: 'schedule',
  },
  'a schedule that is a string': {
    send: withSchedule('*/5 * * * *'),
    status: 400,
    field: 'schedule',
  },
  'an unknown schedule type': {
    send: withSchedule({ type: 'weekly' }),
    status: 400,
    field: 'schedule.type',
  },
  'a cron minute of 61': {
    send: withSchedule({ type: 'cron', expression: '61 * * * *' }),
    status: 400,
    field: 'schedule.expression',
  },
  'a cron of 7 fields': {
    send: withSchedule({ type: 'cron', expression: '0 0 0 * * * 2030' }),
    status: 400,
    field: 'schedule.expression',
  },
  'a cron of 3 fields': {
    send: withSchedule({ type: 'cron', expression: '* * *' }),
    status: 400,
    field: 'schedule.expression',
  },
  'a cron expression that is a number': {
    send: withSchedule({ type: 'cron', expression: 5 }),
    status: 400,
    field: 'schedule.expression',
  },
  'an unknown time zone': {
    send: withSchedule({
      type: 'cron',
      expression: '0 * * * *',
      timezone: 'Mars/Olympus',
    }),
    status: 400,
    field: 'schedule.timezone',
  },
  'a cron schedule with an at': {
    send: withSchedule({
      type: 'cron',
      expression: '0 * * * *',
      at: '2030-01-01T00:00:00Z',
    }),
    status: 400,
    field: 'schedule.at',
  },
  'an at without offset': {
    send: withSchedule({ type: 'at', at: '2030-01-01T00:00:00' }),
    status: 400,
    field: 'schedule.at',
  },
  'an at an hour in the past': {
    send: withSchedule({
      type: 'at',
      at: new Date(Date.now() - HOUR_MS).toISOString(),
    }),
    status: 400,
    field: 'schedule.at',
  },
  'an at that is not a date': {
    send: withSchedule({ type: 'at', at: 'tomorrow' }),
    status: 400,
    field: 'schedule.at',
  },
  'an at on February 30th': {
    send: withSchedule({ type: 'at', at: '2031-02-30T00:00:00Z' }),
    status: 400,
    field: 'schedule.at',
  },
  'a delay of zero': {
    send: withSchedule({ type: 'delay', delay: 'PT0S' }),
    status: 400,
    field: 'schedule.delay',
  },
  'a negative delay': {
    send: withSchedule({ type: 'delay', delay: '-PT5S' }),
    status: 400,
    field: 'schedule.delay',
  },
  'a delay of 400 days': {
    send: withSchedule({ type: 'delay', delay: 'P400D' }),
    status: 400,
    field: 'schedule.delay',
  },
  'a delay in words': {
    send: withSchedule({ type: 'delay', delay: '90 seconds' }),
    status: 400,
    field: 'schedule.delay',
  },
  'a delay as a number': {
    send: withSchedule({ type: 'delay', delay: 90 }),
    status: 400,
    field: 'schedule.delay',
  },
  // trigger
  'no trigger': {
    send: post({ schedule: { type: 'delay', delay: 'PT1M' } }),
    status: 400,
    field: 'trigger',
  },
  'an unknown trigger type': {
    send: withTrigger({ type: 'sqs', queueUrl: 'q' }),
    status: 400,
    field: 'trigger.type',
  },
  'a broker trigger without its connection': {
    send: withTrigger({ type: 'kafka', topic: 't' }),
    status: 400,
    field: 'trigger.connectionId',
  },
  'a broker trigger naming a connection that does not exist': {
    send: withTrigger({
      type: 'nats',
      connectionId: '00000000-0000-4000-8000-000000000000',
      subject: 'jobs.created',
    }),
    status: 400,
    field: 'trigger.connectionId',
  },
  'a NATS subject with a wildcard': {
    send: withTrigger({
      type: 'nats',
      connectionId: '00000000-0000-4000-8000-000000000000',
      subject: 'jobs.*',
    }),
    status: 400,
    field: 'trigger.subject',
  },
  'a url that is not a URL': {
    send: withTrigger(webhook({ url: 'not a url' })),
    status: 400,
    field: 'trigger.url',
  },
  'an ftp url': {
    send: withTrigger(webhook({ url: 'ftp://example.com/file' })),
    status: 400,
    field: 'trigger.url',
  },
  'a url with credentials': {
    send: withTrigger(webhook({ url: 'https://user:pw@example.com/' })),
    status: 400,
    field: 'trigger.url',
  },
  'an unknown webhook method': {
    send: withTrigger(webhook({ method: 'FETCH' })),
    status: 400,
    field: 'trigger.method',
  },
  'an unknown placeholder in a webhook body': {
    send: withTrigger(webhook({ body: { items: ['a', 'b', '{{secret}}'] } })),
    status: 400,
    field: 'trigger.body.items[2]',
  },
  'a placeholder with spaces in a header value': {
    send: withTrigger(webhook({ headers: { 'X-Tenant': '{{ owner }}' } })),
    status: 400,
    field: 'trigger.headers.X-Tenant',
  },
  'a placeholder in the host of a webhook url': {
    send: withTrigger(
      webhook({ url: 'http://{{metadata.host}}.example.com/tasks' }),
    ),
    status: 400,
    field: 'trigger.url',
  },
  'an unknown trigger format': {
    send: withTrigger(webhook({ format: 'cloud-events' })),
    status: 400,
    field: 'trigger.format',
  },
  'an unknown placeholder in a PATCH of the trigger': {
    send: patch({ trigger: webhook({ url: 'http://127.0.0.1:3100/{{x}}' }) }),
    status: 400,
    field: 'trigger.url',
  },
  'a reserved Idempotency-Key header': {
    send: withTrigger(webhook({ headers: { 'Idempotency-Key': 'x' } })),
    status: 400,
    field: 'trigger.headers.Idempotency-Key',
  },
  'a reserved X-Scheduleman header': {
    send: withTrigger(webhook({ headers: { 'x-scheduleman-attempt': '9' } })),
    status: 400,
    field: 'trigger.headers.x-scheduleman-attempt',
  },
  'a reserved Standard Webhooks header': {
    send: withTrigger(webhook({ headers: { 'Webhook-Signature': 'v1,x' } })),
    status: 400,
    field: 'trigger.headers.Webhook-Signature',
  },
  'a header value with CR LF': {
    send: withTrigger(webhook({ headers: { 'X-A': 'a\r\nX-B: b' } })),
    status: 400,
    field: 'trigger.headers.X-A',
  },
  'a body with method GET': {
    send: withTrigger(webhook({ method: 'GET', body: { a: 1 } })),
    status: 400,
    field: 'trigger.body',
  },
  'an unknown webhook field': {
    send: withTrigger(webhook({ retries: 3 })),
    status: 400,
    field: 'trigger.retries',
  },
  // Paths, methods and query strings
  'PUT on the collection': {
    send: (api) => api.request('PUT', '/schedules', cronBody()),
    status: 404,
    field: 'path',
  },
  'an unknown route': { send: get('/nowhere'), status: 404, field: 'path' },
  'a malformed uuid': { send: get('/schedules/123'), status: 400, field: 'id' },
  'a malformed uuid on a sub-resource': {
    send: (api) => api.request('POST', '/schedules/not-a-uuid/pause'),
    status: 400,
    field: 'id',
  },
  'a bad percent-encoding in the path': {
    send: get('/schedules/%FF'),
    status: 400,
    field: 'path',
  },
  'limit 0': { send: get('/schedules?limit=0'), status: 400, field: 'limit' },
  'limit 501': {
    send: get('/schedules?limit=501'),
    status: 400,
    field: 'limit',
  },
  'limit abc': {
    send: get('/schedules?limit=abc'),
    status: 400,
    field: 'limit',
  },
  'a garbage cursor': {
    send: get('/schedules?cursor=%24%24%24'),
    status: 400,
    field: 'cursor',
  },
  'a forged cursor': {
    send: get(
      `/schedules?cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`,
    ),
    status: 400,
    field: 'cursor',
  },
  'an unknown status filter': {
    send: get('/schedules?status=running'),
    status: 400,
    field: 'status',
  },
  'an unknown query parameter': {
    send: get('/schedules?sort=name'),
    status: 400,
    field: 'sort',
  },
  'count 0': {
    send: get('/schedules/:id/upcoming?count=0'),
    status: 400,
    field: 'count',
  },
  'count 101': {
    send: get('/schedules/:id/upcoming?count=101'),
    status: 400,
    field: 'count',
  },
  'an executions limit of -1': {
    send: get('/schedules/:id/executions?limit=-1'),
    status: 400,
    field: 'limit',
  },
  'an executions cursor from the schedule list': {
    send: get(
      `/schedules/:id/executions?cursor=${Buffer.from('["2030-01-01T00:00:00.000000","00000000-0000-4000-8000-000000000000"]').toString('base64url')}`,
    ),
    status: 400,
    field: 'cursor',
  },
  // PATCH
  'a PATCH with a null schedule': {
    send: patch({ schedule: null }),
    status: 400,
    field: 'schedule',
  },
  'a PATCH with a null maxAttempts': {
    send: patch({ maxAttempts: null }),
    status: 400,
    field: 'maxAttempts',
  },
  'a PATCH with a bad cron': {
    send: patch({ schedule: { type: 'cron', expression: 'every day' } }),
    status: 400,
    field: 'schedule.expression',
  },
  'a PATCH with an unknown field': {
    send: patch({ id: '00000000-0000-4000-8000-000000000000' }),
    status: 400,
    field: 'id',
  },
  'a PATCH with status': {
    send: patch({ status: 'paused' }),
    status: 400,
    field: 'status',
  },
};

describe('schedule API: bad input never gets in', () => {
  let api: ApiHarness;
  let existing: ApiResponse<ScheduleResponse>;
  let baseline: { schedules: number; executions: number; version: number };

  beforeAll(async () => {
    api = await startApi('api_bad_input');
    existing = await api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody({ schedule: { type: 'cron', expression: '0 0 1 1 *' } }),
    );
    baseline = {
      schedules: await api.count('schedules'),
      executions: await api.count('executions'),
      version: 1,
    };
  });

  afterAll(async () => {
    await api.close();
  });

  it(`covers at least 25 kinds of bad input (${Object.keys(CASES).length})`, () => {
    expect(Object.keys(CASES).length).toBeGreaterThanOrEqual(25);
  });

  it.each(Object.entries(CASES))(
    'refuses %s with a 4xx naming the field, and stores nothing',
    async (_name, bad) => {
      const res = await bad.send(api, existing.body.id);
      expectProblem(res, bad.status, bad.field);
      expect(await api.count('schedules')).toBe(baseline.schedules);
      expect(await api.count('executions')).toBe(baseline.executions);
      const rows: { version: number }[] = await api.sql.query(
        'select version from schedules where id = $1',
        [existing.body.id],
      );
      expect(rows[0].version).toBe(baseline.version);
    },
  );

  it('reports every bad field of a request, not only the first', async () => {
    const res = await api.request<ErrorResponse>('POST', '/schedules', {
      schedule: { type: 'cron', expression: '99 * * * *' },
      trigger: { type: 'webhook', url: 'ftp://x' },
      metadata: { big: 'y'.repeat(17_000) },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.field).sort()).toEqual([
      'metadata',
      'schedule.expression',
      'trigger.url',
    ]);
    expect(await api.count('schedules')).toBe(baseline.schedules);
  });

  it('keeps serving after all of that', async () => {
    expect((await api.request('GET', '/health')).status).toBe(200);
    expect((await api.request('POST', '/schedules', cronBody())).status).toBe(
      201,
    );
  });
});
