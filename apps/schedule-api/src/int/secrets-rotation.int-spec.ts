import { randomUUID } from 'node:crypto';
import {
  generateSecretsKey,
  openTriggerSecrets,
  parseSecretsKey,
  type ScheduleResponse,
  SecretBox,
  sealTriggerSecrets,
  type TriggerSpec,
  type WebhookTriggerSpec,
} from '@scheduleman/domain';
import { createTestDatabase, type TestDatabase } from '@scheduleman/testkit';
import type { DataSource } from 'typeorm';
import {
  RESEAL_BATCH_SIZE,
  type ResealSummary,
  TriggerResealer,
} from '../secrets/trigger-resealer';
import { type ApiHarness, cronBody, startApi } from './api-harness';

const oldKey = parseSecretsKey(generateSecretsKey());
const newKey = parseSecretsKey(generateSecretsKey());
const unknownKey = parseSecretsKey(generateSecretsKey());
/** More than two batches, so that two APIs walking at once meet on locked rows. */
const SEALED_ROWS = RESEAL_BATCH_SIZE * 2 + 50;

function webhook(headers: Record<string, string>): WebhookTriggerSpec {
  return {
    type: 'webhook',
    url: 'https://example.com/hook',
    method: 'POST',
    headers,
    secretHeaders: Object.keys(headers).filter((n) => n.startsWith('X-')),
  };
}

/** Rows written straight in SQL: paused, so nothing but the re-sealing looks at them. */
async function insertTriggers(
  sql: DataSource,
  triggers: { id: string; trigger: TriggerSpec }[],
): Promise<void> {
  await sql.query(
    `insert into schedules (id, schedule_type, schedule, trigger_type, trigger, status)
select v.id, 'cron', '{"type":"cron","expression":"0 0 1 1 *"}'::jsonb, 'webhook', v.trigger::jsonb, 'paused'
from unnest($1::uuid[], $2::text[]) as v (id, trigger)`,
    [triggers.map((t) => t.id), triggers.map((t) => JSON.stringify(t.trigger))],
  );
}

describe('schedule API start: re-sealing secret header values under a new SECRETS_KEY', () => {
  let db: TestDatabase;
  let sql: DataSource;
  const apis: ApiHarness[] = [];
  const sealedIds: string[] = [];
  let plainId: string;
  let unknownId: string;
  let unknownTrigger: TriggerSpec;
  let viaApi: ScheduleResponse;
  let updatedAt: Date;

  beforeAll(async () => {
    db = await createTestDatabase('api_rotation');
    // Written by an API that has only the old key.
    const old = await startApi('api_rotation', {
      database: db,
      secretBox: new SecretBox(oldKey),
    });
    const created = await old.request<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody({
        trigger: {
          type: 'webhook',
          url: 'http://127.0.0.1:3100/tasks',
          headers: { Authorization: 'Bearer via-api' },
        },
      }),
    );
    expect(created.status).toBe(201);
    viaApi = created.body;
    await old.close();

    sql = await db.dataSource();
    const oldBox = new SecretBox(oldKey);
    const rows = Array.from({ length: SEALED_ROWS }, (_, i) => {
      const id = randomUUID();
      sealedIds.push(id);
      return {
        id,
        trigger: sealTriggerSecrets(
          webhook({ Authorization: `Bearer old-${i}`, 'X-Token': `t-${i}` }),
          { scheduleId: id, box: oldBox },
        ),
      };
    });
    plainId = randomUUID();
    unknownId = randomUUID();
    unknownTrigger = sealTriggerSecrets(webhook({ Cookie: 'c=1' }), {
      scheduleId: unknownId,
      box: new SecretBox(unknownKey),
    });
    await insertTriggers(sql, [
      ...rows,
      // Stored as given, by an API that had no SECRETS_KEY (AUTH_DISABLED).
      { id: plainId, trigger: webhook({ Cookie: 'session=plain' }) },
      { id: unknownId, trigger: unknownTrigger },
      { id: randomUUID(), trigger: webhook({}) },
    ]);
    [{ updated_at: updatedAt }] = await sql.query<{ updated_at: Date }[]>(
      'select updated_at from schedules where id = $1',
      [sealedIds[0]],
    );
  }, 60_000);

  afterAll(async () => {
    for (const api of apis) await api.close();
    await db.drop();
  });

  it('re-seals every value once, with two APIs starting at once, and logs the counts', async () => {
    const logs: string[][] = [[], []];
    apis.push(
      ...(await Promise.all(
        logs.map((logLines) =>
          startApi('api_rotation', {
            database: db,
            secretBox: new SecretBox(newKey, [oldKey]),
            logs: logLines,
          }),
        ),
      )),
    );
    const summaries = (await Promise.all(
      apis.map((api) => api.app.get(TriggerResealer).whenDone()),
    )) as ResealSummary[];

    // Each value sealed anew exactly once between the two: 2 per bulk row, 1 via the
    // API, 1 stored as given. Both saw the row of the unknown key and left it.
    const total = summaries.reduce(
      (sum, s) => ({
        schedules: sum.schedules + s.schedules,
        values: sum.values + s.values,
      }),
      { schedules: 0, values: 0 },
    );
    expect(total).toEqual({
      schedules: SEALED_ROWS + 2,
      values: SEALED_ROWS * 2 + 2,
    });
    expect(summaries.map((s) => s.unopenable)).toEqual([1, 1]);
    // Nest's loggers are process-wide: the lines of both apps land in the last one's list.
    const lines = logs.flat();
    const done = lines.filter((l) =>
      l.includes('secret header values resealed under SECRETS_KEY'),
    );
    expect(done).toHaveLength(2);
    for (const line of done)
      expect(JSON.parse(line)).toMatchObject({ keyId: newKey.id });
    expect(lines.join('')).not.toContain('Bearer old-');
    expect(lines.join('')).not.toContain('session=plain');
  }, 60_000);

  it('leaves values that open with the new key alone', async () => {
    const newOnly = new SecretBox(newKey);
    const rows = await sql.query<{ id: string; trigger: TriggerSpec }[]>(
      'select id, trigger from schedules where id = any ($1::uuid[])',
      [[...sealedIds, plainId, viaApi.id]],
    );
    expect(rows).toHaveLength(SEALED_ROWS + 2);
    for (const row of rows) {
      const stored = (row.trigger as WebhookTriggerSpec).headers;
      for (const value of Object.values(stored))
        expect(value.startsWith(`sm1.${newKey.id}.`)).toBe(true);
    }
    const opened = (id: string) =>
      (
        openTriggerSecrets(
          rows.find((r) => r.id === id)?.trigger ?? { type: 'none' },
          id,
          newOnly,
        ) as WebhookTriggerSpec
      ).headers;
    expect(opened(sealedIds[7])).toEqual({
      Authorization: 'Bearer old-7',
      'X-Token': 't-7',
    });
    expect(opened(plainId)).toEqual({ Cookie: 'session=plain' });
    expect(opened(viaApi.id)).toEqual({ Authorization: 'Bearer via-api' });

    const [unknown] = await sql.query<{ trigger: TriggerSpec }[]>(
      'select trigger from schedules where id = $1',
      [unknownId],
    );
    expect(unknown.trigger).toEqual(unknownTrigger);
    const [{ updated_at }] = await sql.query<{ updated_at: Date }[]>(
      'select updated_at from schedules where id = $1',
      [sealedIds[0]],
    );
    expect(updated_at).toEqual(updatedAt);
  });

  it('finds nothing left to do at the next start', async () => {
    const again = await startApi('api_rotation', {
      database: db,
      secretBox: new SecretBox(newKey, [oldKey]),
    });
    apis.push(again);
    expect(await again.app.get(TriggerResealer).whenDone()).toEqual({
      schedules: 0,
      values: 0,
      unopenable: 1,
    });
  }, 60_000);
});
