import {
  type CreateScheduleRequest,
  type ExecutionResponse,
  generateSecretsKey,
  parseSecretsKey,
  type ScheduleResponse,
  SECRET_MASK,
  type WebhookTriggerSpec,
} from '@scheduleman/domain';
import {
  type AppProcess,
  Cluster,
  createTestDatabase,
  TEST_ADMIN_API_KEY,
  type TestDatabase,
  waitFor,
} from '@scheduleman/testkit';
import type { Client } from 'pg';
import {
  connectSql,
  databaseNow,
  LOOPBACK_ALLOWED,
  PRETENDER,
  schedulerSpec,
} from './stack';

const OLD_KEY = generateSecretsKey();
const NEW_KEY = generateSecretsKey();
const NEW_KEY_ID = parseSecretsKey(NEW_KEY).id;
/** Every secret value of this file: none may appear in a log line or an answer. */
const SECRETS = {
  authorization: 'Bearer e2e-authorization-7f3a9c',
  token: 'e2e-api-token-51d0b2',
  rotated: 'Bearer e2e-rotated-c84e11',
  patched: 'e2e-patched-token-9e6d47',
};
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };

/**
 * Secrets at rest through the built processes: an API sealing with SECRETS_KEY, the
 * scheduler opening at fire time (the pretender receives the plaintext), neither writing
 * a secret value to its log at debug level; then a rotation: an API restarted with a new
 * SECRETS_KEY and the old one in SECRETS_KEY_PREVIOUS re-seals, and a scheduler with
 * only the new key still delivers.
 */
describe('secret header values, built apps', () => {
  const cluster = new Cluster();
  let db: TestDatabase;
  let sql: Client;
  let pretenderUrl: string;
  let api: AppProcess;
  let scheduler: AppProcess;

  function apiEnv(keys: Record<string, string>): Record<string, string> {
    return {
      ...LOOPBACK_ALLOWED,
      ADMIN_API_KEY: TEST_ADMIN_API_KEY,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'debug',
      ...keys,
    };
  }

  /** One request with the admin key; `body` is the parsed JSON answer, typed by the caller. */
  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const res = await fetch(api.url(path), {
      method,
      headers: {
        authorization: `Bearer ${TEST_ADMIN_API_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as unknown) : {},
    };
  }

  /** The execution of `scheduleId` once it finished, and what the pretender received for it. */
  async function delivered(scheduleId: string, executionId?: string) {
    const execution = await waitFor(
      `an execution of ${scheduleId} to finish`,
      async () => {
        const { body } = await call(
          'GET',
          `/schedules/${scheduleId}/executions`,
        );
        return (
          (body as { items: ExecutionResponse[] }).items.find(
            (e) =>
              (executionId === undefined || e.id === executionId) &&
              (e.status === 'succeeded' || e.status === 'failed'),
          ) ?? false
        );
      },
      WAIT,
    );
    const res = await fetch(
      `${pretenderUrl}/stats/requests?limit=10&key=${execution.id}`,
    );
    const { items } = (await res.json()) as {
      items: { headers: Record<string, string> }[];
    };
    return { execution, headers: items[0]?.headers };
  }

  beforeAll(
    cluster.withLogs(async () => {
      db = await createTestDatabase('e2e_secrets');
      [api, , scheduler] = await cluster.startReady(
        ['schedule-api', { env: apiEnv({ SECRETS_KEY: OLD_KEY }) }],
        PRETENDER,
        schedulerSpec('secrets-s1', db.url, {
          LOG_LEVEL: 'debug',
          SECRETS_KEY: NEW_KEY,
          SECRETS_KEY_PREVIOUS: OLD_KEY,
        }),
      );
      pretenderUrl = cluster.all()[1].url();
      sql = await connectSql(db.url);
    }),
    120_000,
  );

  afterAll(async () => {
    await sql.end();
    await cluster.stopAll();
    await db.drop();
  }, 30_000);

  function webhookBody(
    headers: Record<string, string>,
    schedule: CreateScheduleRequest['schedule'],
  ): CreateScheduleRequest {
    return {
      name: 'secret headers',
      schedule,
      trigger: {
        type: 'webhook',
        url: `${pretenderUrl}/tasks/secret`,
        headers,
        secretHeaders: Object.keys(headers).filter((n) => n.startsWith('X-')),
      },
    };
  }

  let fired: ScheduleResponse;
  let waiting: ScheduleResponse;

  it(
    'delivers the plaintext, answers the mask, and logs no secret value',
    cluster.withLogs(async () => {
      const at = new Date((await databaseNow(sql)).getTime() + 1_500);
      const created = await call(
        'POST',
        '/schedules',
        webhookBody(
          {
            Authorization: SECRETS.authorization,
            'X-Api-Token': SECRETS.token,
          },
          { type: 'at', at: at.toISOString() },
        ),
      );
      expect(created.status).toBe(201);
      fired = created.body as ScheduleResponse;
      expect((fired.trigger as WebhookTriggerSpec).headers).toEqual({
        Authorization: SECRET_MASK,
        'X-Api-Token': SECRET_MASK,
      });
      const { execution, headers } = await delivered(fired.id);
      expect(execution.status).toBe('succeeded');
      expect(headers).toMatchObject({
        authorization: SECRETS.authorization,
        'x-api-token': SECRETS.token,
      });

      // A schedule that waits for the rotation below; edited, read and refused once.
      waiting = (
        await call(
          'POST',
          '/schedules',
          webhookBody(
            { Authorization: SECRETS.rotated, 'X-Api-Token': SECRETS.token },
            { type: 'cron', expression: '0 0 1 1 *' },
          ),
        )
      ).body as ScheduleResponse;
      const trigger = waiting.trigger as WebhookTriggerSpec;
      const patched = await call('PATCH', `/schedules/${waiting.id}`, {
        trigger: {
          ...trigger,
          headers: { ...trigger.headers, 'X-Api-Token': SECRETS.patched },
        },
      });
      expect(patched.status).toBe(200);
      const bad = webhookBody(
        { Authorization: SECRETS.authorization },
        { type: 'delay', delay: 'PT1H' },
      );
      const refused = await call('POST', '/schedules', {
        ...bad,
        trigger: { ...bad.trigger, secretHeaders: ['X-Missing'] },
      });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).not.toContain(SECRETS.authorization);

      const { rows } = await sql.query<{ text: string }>(
        'select trigger::text as text from schedules',
      );
      expect(rows).toHaveLength(2);
      // Both logged while handling these (at debug level), and neither wrote a secret.
      expect(api.output()).toContain('schedule created');
      expect(scheduler.output()).toContain('scheduler started');
      for (const app of [api, scheduler]) {
        const output = app.output();
        for (const secret of Object.values(SECRETS)) {
          expect({ app: app.name, leaked: output.includes(secret) }).toEqual({
            app: app.name,
            leaked: false,
          });
          for (const row of rows) expect(row.text).not.toContain(secret);
        }
      }
    }),
    60_000,
  );

  it(
    'reseals under a new SECRETS_KEY at API start, and a scheduler with only that key delivers',
    cluster.withLogs(async () => {
      await api.stop();
      api = await cluster
        .startReady([
          'schedule-api',
          {
            name: 'schedule-api-rotated',
            env: apiEnv({
              SECRETS_KEY: NEW_KEY,
              SECRETS_KEY_PREVIOUS: OLD_KEY,
            }),
          },
        ])
        .then(([started]) => started);
      const done = await waitFor(
        'the API to log that it resealed',
        () => {
          const line = api
            .output()
            .split('\n')
            .find((l) =>
              l.includes('secret header values resealed under SECRETS_KEY'),
            );
          return line === undefined
            ? false
            : (JSON.parse(line) as Record<string, unknown>);
        },
        WAIT,
      );
      expect(done).toMatchObject({
        keyId: NEW_KEY_ID,
        schedules: 2,
        values: 4,
      });
      const { rows } = await sql.query<{ trigger: WebhookTriggerSpec }>(
        'select trigger from schedules',
      );
      for (const row of rows)
        for (const value of Object.values(row.trigger.headers))
          expect(value.startsWith(`sm1.${NEW_KEY_ID}.`)).toBe(true);

      // SECRETS_KEY_PREVIOUS dropped: only values sealed under the new key open.
      await scheduler.stop();
      [scheduler] = await cluster.startReady(
        schedulerSpec('secrets-s2', db.url, {
          LOG_LEVEL: 'debug',
          SECRETS_KEY: NEW_KEY,
        }),
      );
      const run = await call('POST', `/schedules/${waiting.id}/trigger`);
      expect(run.status).toBeLessThan(300);
      const { execution, headers } = await delivered(
        waiting.id,
        (run.body as ExecutionResponse).id,
      );
      expect(execution.status).toBe('succeeded');
      expect(headers).toMatchObject({
        authorization: SECRETS.rotated,
        'x-api-token': SECRETS.patched,
      });
      for (const app of [api, scheduler])
        for (const secret of Object.values(SECRETS))
          expect(app.output()).not.toContain(secret);
    }),
    90_000,
  );
});
