import {
  type ScheduleListResponse,
  type ScheduleResponse,
  SECRET_MASK,
  parseSecretsKey,
  SecretBox,
  secretHeaderContext,
  type WebhookTriggerSpec,
} from '@scheduleman/domain';
import { TEST_SECRETS_KEY } from '@scheduleman/testkit';
import {
  type ApiHarness,
  cronBody,
  expectProblem,
  startApi,
} from './api-harness';

const AUTHORIZATION = 'Bearer hunter2-authorization';
const TOKEN = 'tok-0123456789-marked-secret';
const box = new SecretBox(parseSecretsKey(TEST_SECRETS_KEY));

/** A body whose trigger has an always-secret header, a marked one and a plain one. */
function secretBody(
  trigger: Record<string, unknown> = {},
): Record<string, unknown> {
  return cronBody({
    trigger: {
      type: 'webhook',
      url: 'http://127.0.0.1:3100/tasks',
      headers: {
        Authorization: AUTHORIZATION,
        'X-Api-Token': TOKEN,
        'X-Team': 'platform',
      },
      secretHeaders: ['x-api-token'],
      ...trigger,
    },
  });
}

const MASKED_HEADERS = {
  Authorization: SECRET_MASK,
  'X-Api-Token': SECRET_MASK,
  'X-Team': 'platform',
};

describe('schedule API: secret header values at rest', () => {
  let api: ApiHarness;
  const logLines: string[] = [];

  beforeAll(async () => {
    api = await startApi('api_secrets', { logs: logLines });
  }, 60_000);

  afterAll(async () => {
    await api.close();
  });

  async function create(
    body: Record<string, unknown> = secretBody(),
  ): Promise<ScheduleResponse> {
    const res = await api.request<ScheduleResponse>('POST', '/schedules', body);
    expect(res.status).toBe(201);
    return res.body;
  }

  async function storedTrigger(id: string): Promise<WebhookTriggerSpec> {
    const [row] = await api.sql.query<{ trigger: WebhookTriggerSpec }[]>(
      'select trigger from schedules where id = $1',
      [id],
    );
    return row.trigger;
  }

  function headersOf(schedule: ScheduleResponse): Record<string, string> {
    return (schedule.trigger as WebhookTriggerSpec).headers;
  }

  it('stores no plaintext: each secret value is sealed for its row and header', async () => {
    const created = await create();
    const [row] = await api.sql.query<{ text: string }[]>(
      'select trigger::text as text from schedules where id = $1',
      [created.id],
    );
    expect(row.text).not.toContain('hunter2');
    expect(row.text).not.toContain(TOKEN);
    const stored = await storedTrigger(created.id);
    const prefix = `sm1.${box.currentKeyId}.`;
    expect(stored.headers['Authorization'].startsWith(prefix)).toBe(true);
    expect(stored.headers['X-Api-Token'].startsWith(prefix)).toBe(true);
    expect(stored.headers['X-Team']).toBe('platform');
    expect(stored.secretHeaders).toEqual(['X-Api-Token']);
    expect(
      box.open(
        stored.headers['Authorization'],
        secretHeaderContext(created.id, 'authorization'),
      ),
    ).toBe(AUTHORIZATION);
    expect(
      box.open(
        stored.headers['X-Api-Token'],
        secretHeaderContext(created.id, 'X-Api-Token'),
      ),
    ).toBe(TOKEN);
  });

  it('masks secret values in every answer that holds the schedule', async () => {
    const created = await create();
    expect(created.trigger).toMatchObject({
      headers: MASKED_HEADERS,
      secretHeaders: ['X-Api-Token'],
    });
    const id = created.id;
    const answers: ScheduleResponse[] = [
      (await api.request<ScheduleResponse>('GET', `/schedules/${id}`)).body,
      (
        await api.request<ScheduleResponse>('PATCH', `/schedules/${id}`, {
          name: 'renamed',
        })
      ).body,
      (await api.request<ScheduleResponse>('POST', `/schedules/${id}/pause`))
        .body,
      (await api.request<ScheduleResponse>('POST', `/schedules/${id}/resume`))
        .body,
    ];
    const list = await api.request<ScheduleListResponse>(
      'GET',
      '/schedules?limit=100',
    );
    const listed = list.body.items.find((item) => item.id === id);
    if (listed === undefined) throw new Error('the schedule is not listed');
    for (const answer of [...answers, listed]) {
      expect(answer.id).toBe(id);
      expect(headersOf(answer)).toEqual(MASKED_HEADERS);
    }
    expect(JSON.stringify(list.body)).not.toContain('hunter2');
    expect(JSON.stringify(list.body)).not.toContain('sm1.');
  });

  it('keeps the stored value of a secret header PATCHed back as the mask, replaces one given anew', async () => {
    const created = await create();
    const before = await storedTrigger(created.id);
    // What a UI sends after showing the schedule: the trigger as read, one value edited.
    const res = await api.request<ScheduleResponse>(
      'PATCH',
      `/schedules/${created.id}`,
      {
        trigger: {
          ...created.trigger,
          headers: { ...headersOf(created), 'X-Api-Token': 'tok-new' },
        },
      },
    );
    expect(res.status).toBe(200);
    expect(headersOf(res.body)).toEqual(MASKED_HEADERS);
    const after = await storedTrigger(created.id);
    expect(after.headers['Authorization']).toBe(
      before.headers['Authorization'],
    );
    expect(after.headers['X-Api-Token']).not.toBe(
      before.headers['X-Api-Token'],
    );
    expect(
      box.open(
        after.headers['X-Api-Token'],
        secretHeaderContext(created.id, 'x-api-token'),
      ),
    ).toBe('tok-new');
  });

  it('refuses the mask where there is no stored value to keep, and changes nothing', async () => {
    const created = await create();
    const before = await storedTrigger(created.id);
    const patched = await api.request('PATCH', `/schedules/${created.id}`, {
      trigger: {
        type: 'webhook',
        url: 'http://127.0.0.1:3100/tasks',
        headers: { Cookie: SECRET_MASK },
      },
    });
    expectProblem(patched, 400, 'trigger.headers.Cookie');
    expect(await storedTrigger(created.id)).toEqual(before);

    // The mask never carries a stored secret to a new destination.
    const redirected = await api.request('PATCH', `/schedules/${created.id}`, {
      trigger: {
        type: 'webhook',
        url: 'http://127.0.0.2:3100/tasks',
        headers: { Authorization: SECRET_MASK },
      },
    });
    expectProblem(redirected, 400, 'trigger.headers.Authorization');
    expect(await storedTrigger(created.id)).toEqual(before);

    const schedules = await api.count('schedules');
    const refused = await api.request(
      'POST',
      '/schedules',
      secretBody({
        headers: { Authorization: SECRET_MASK },
        secretHeaders: [],
      }),
    );
    expectProblem(refused, 400, 'trigger.headers.Authorization');
    expect(await api.count('schedules')).toBe(schedules);
  });

  it.each([
    [['X-Api-Token', 'X-Missing'], 'trigger.secretHeaders[1]'],
    [[7], 'trigger.secretHeaders[0]'],
    [['X-Api-Token', 'x-api-token'], 'trigger.secretHeaders[1]'],
    ['X-Api-Token', 'trigger.secretHeaders'],
  ])(
    'refuses secretHeaders %j with a 400 naming %s, storing nothing',
    async (secretHeaders, field) => {
      const schedules = await api.count('schedules');
      const res = await api.request(
        'POST',
        '/schedules',
        secretBody({ secretHeaders }),
      );
      const body = expectProblem(res, 400, field);
      expect(JSON.stringify(body)).not.toContain('hunter2');
      expect(await api.count('schedules')).toBe(schedules);

      const created = await create();
      const before = await storedTrigger(created.id);
      const patched = await api.request('PATCH', `/schedules/${created.id}`, {
        trigger: (secretBody({ secretHeaders }) as { trigger: unknown })
          .trigger,
      });
      expectProblem(patched, 400, field);
      expect(await storedTrigger(created.id)).toEqual(before);
    },
  );

  it('writes no secret value to its log', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const log = logLines.join('');
    expect(log).toContain('schedule created');
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('tok-new');
  });
});

describe('schedule API without SECRETS_KEY (AUTH_DISABLED)', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('api_secrets_nobox', {
      authDisabled: true,
      secretBox: null,
    });
  }, 60_000);

  afterAll(async () => {
    await api.close();
  });

  it('stores values as given and still masks them in answers', async () => {
    const res = await api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      secretBody(),
    );
    expect(res.status).toBe(201);
    expect((res.body.trigger as WebhookTriggerSpec).headers).toEqual(
      MASKED_HEADERS,
    );
    const [row] = await api.sql.query<{ trigger: WebhookTriggerSpec }[]>(
      'select trigger from schedules where id = $1',
      [res.body.id],
    );
    expect(row.trigger.headers).toEqual({
      Authorization: AUTHORIZATION,
      'X-Api-Token': TOKEN,
      'X-Team': 'platform',
    });
    const got = await api.request<ScheduleResponse>(
      'GET',
      `/schedules/${res.body.id}`,
    );
    expect((got.body.trigger as WebhookTriggerSpec).headers).toEqual(
      MASKED_HEADERS,
    );
  });
});
