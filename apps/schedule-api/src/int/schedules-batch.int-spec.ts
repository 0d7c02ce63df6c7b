import type {
  CreatedApiKeyResponse,
  ErrorResponse,
  ScheduleBatchResponse,
  ScheduleResponse,
} from '@scheduleman/domain';
import { WAKEUP_CHANNEL } from '@scheduleman/domain/persistence';
import { waitFor } from '@scheduleman/testkit';
import { Client, type Notification } from 'pg';
import {
  type ApiHarness,
  type ApiResponse,
  bearer,
  cronBody,
  ERROR_RESPONSE_KEYS,
  NO_AUTH,
  startApi,
  TEST_BODY_LIMIT_BYTES,
} from './api-harness';

/**
 * POST /schedules/batch through the real app: all or none, every refused item named by
 * index and field, quotas counted per item. QUOTA_MAX_SCHEDULES_PER_OWNER=1100 and
 * QUOTA_MIN_CRON_INTERVAL=2s, so a batch can go over both.
 */
describe('schedule API: bulk creation', () => {
  let api: ApiHarness;
  let listener: Client;
  const notifications: Notification[] = [];

  beforeAll(async () => {
    api = await startApi('api_batch', {
      quotas: { maxSchedulesPerOwner: 1_100, minCronIntervalMs: 2_000 },
    });
    listener = new Client({ connectionString: api.db.url });
    await listener.connect();
    listener.on('notification', (n) => notifications.push(n));
    await listener.query(`listen ${WAKEUP_CHANNEL}`);
  });

  afterAll(async () => {
    await listener.end();
    await api.close();
  });

  function batch(
    schedules: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<ScheduleBatchResponse & ErrorResponse>> {
    return api.request('POST', '/schedules/batch', { schedules }, headers);
  }

  async function keyOf(
    owner: string,
    scopes = ['schedules:write'],
  ): Promise<Record<string, string>> {
    const res = await api.request<CreatedApiKeyResponse>('POST', '/api-keys', {
      owner,
      scopes,
    });
    expect(res.status).toBe(201);
    return bearer(res.body.key);
  }

  async function countOf(owner: string): Promise<number> {
    const [row] = await api.sql.query<{ n: number }[]>(
      `select count(*)::int as n from schedules where owner = $1`,
      [owner],
    );
    return row.n;
  }

  async function usageOf(owner: string): Promise<number | null> {
    const rows = await api.sql.query<{ schedules: number }[]>(
      `select schedules from owner_usage where owner = $1`,
      [owner],
    );
    return rows[0]?.schedules ?? null;
  }

  /**
   * 1000 schedules of `owner`, copied in SQL from the first test's, and its totals:
   * their count, or `schedules` when given (totals that have drifted).
   */
  async function ownerOfThousand(
    owner: string,
    schedules?: number,
  ): Promise<void> {
    await api.sql.query(
      `insert into schedules (id, name, owner, metadata, schedule_type, schedule, trigger_type, trigger, misfire_policy, max_attempts, status, next_run_at, fires_per_hour)
select gen_random_uuid(), name, $1, metadata, schedule_type, schedule, trigger_type, trigger, misfire_policy, max_attempts, status, next_run_at, fires_per_hour
from schedules where owner = 'bulk-owner'`,
      [owner],
    );
    await api.sql.query(
      `insert into owner_usage (owner, schedules, fires_per_hour)
select $1, coalesce($2::int, count(*)), sum(fires_per_hour) from schedules where owner = $1`,
      [owner, schedules ?? null],
    );
  }

  const items = (n: number, owner: string, name = 'item'): unknown[] =>
    Array.from({ length: n }, (_, i) =>
      cronBody({ owner, name: `${name} ${i}` }),
    );

  it('stores 1000 schedules in the order sent, with their events and owner totals', async () => {
    const sent = items(1000, 'bulk-owner');
    expect(JSON.stringify({ schedules: sent }).length).toBeGreaterThan(
      TEST_BODY_LIMIT_BYTES,
    );
    const res = await batch(sent);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['items']);
    expect(res.body.items.map((s) => s.name)).toEqual(
      sent.map((_, i) => `item ${i}`),
    );
    const single = await api.request<ScheduleResponse>(
      'GET',
      `/schedules/${res.body.items[999].id}`,
    );
    expect(res.body.items[999]).toEqual(single.body);
    expect(single.body).toMatchObject({
      owner: 'bulk-owner',
      status: 'active',
      schedule: { type: 'cron', expression: '*/5 * * * * *' },
    });
    expect(await countOf('bulk-owner')).toBe(1000);
    expect(await usageOf('bulk-owner')).toBe(1000);
    const events = await api.sql.query<{ details: unknown }[]>(
      `select details from audit_events where action = 'schedule.created' and owner = 'bulk-owner'`,
    );
    expect(events).toHaveLength(1000);
    expect(events[0].details).toEqual({
      scheduleType: 'cron',
      triggerType: 'webhook',
    });
  });

  it('answers each item as GET returns it, whatever fields it sets, with time-ordered ids', async () => {
    const sent = [
      cronBody({
        owner: 'rich-owner',
        name: 'rich',
        metadata: { z: 1, a: { nested: [1, 'two', null] }, ticket: 'OPS-1' },
        misfirePolicy: 'skip',
        maxAttempts: 5,
        resultTimeout: 'PT30S',
        silentAfter: 'P2D',
        exclusions: [{ date: '2030-12-25' }],
        overlapPolicy: 'skip',
        trigger: {
          type: 'webhook',
          url: 'http://127.0.0.1:3100/tasks',
          method: 'PUT',
          headers: { 'X-Api-Token': 'secret-value', 'X-Plain': 'plain' },
          secretHeaders: ['X-Api-Token'],
          body: { report: 'nightly' },
        },
      }),
      cronBody({
        owner: 'rich-owner',
        name: 'paused',
        pausedUntil: '2027-06-01T00:00:00.000Z',
      }),
      {
        owner: 'rich-owner',
        schedule: { type: 'at', at: '2027-06-01T12:00:00.000Z' },
        trigger: { type: 'webhook', url: 'http://127.0.0.1:3100/once' },
      },
    ];
    const res = await batch(sent);
    expect({ status: res.status, errors: res.body.errors }).toEqual({
      status: 201,
      errors: undefined,
    });
    for (const item of res.body.items) {
      const one = await api.request<ScheduleResponse>(
        'GET',
        `/schedules/${item.id}`,
      );
      expect(item).toEqual(one.body);
    }
    expect(res.body.items[0].trigger).toMatchObject({
      headers: { 'X-Api-Token': '********', 'X-Plain': 'plain' },
    });
    expect(res.body.items[1].status).toBe('paused');
    const ids = res.body.items.map((item) => item.id);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]/);
    expect([...ids].sort()).toEqual(ids);
    const events = await api.sql.query<{ id: string; resource_id: string }[]>(
      `select id, resource_id from audit_events where action = 'schedule.created' and owner = 'rich-owner' order by id`,
    );
    expect(events.map((e) => e.resource_id)).toEqual(ids);
    for (const e of events) expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('refuses a batch with bad items, naming every one by index and field, and stores nothing', async () => {
    const sent = items(200, 'refused-owner');
    sent[3] = cronBody({
      owner: 'refused-owner',
      schedule: { type: 'cron', expression: '61 * * * *' },
    });
    sent[100] = { ...cronBody({ owner: 'refused-owner' }), colour: 'red' };
    sent[198] = 'not an object';
    const before = await api.count('schedules');
    const res = await batch(sent);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body).sort()).toEqual(ERROR_RESPONSE_KEYS);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(
      res.body.errors.map(({ index, field }) => ({ index, field })),
    ).toEqual([
      { index: 3, field: 'schedules[3].schedule.expression' },
      { index: 100, field: 'schedules[100].colour' },
      { index: 198, field: 'schedules[198]' },
    ]);
    expect(res.body.errors[0].message).toMatch(/61/);
    expect(await api.count('schedules')).toBe(before);
    expect(await usageOf('refused-owner')).toBeNull();
  });

  it('stores nothing when only the last item of 1000 is bad, after earlier chunks were inserted', async () => {
    const sent = items(1000, 'late-refusal-owner');
    sent[999] = cronBody({
      owner: 'late-refusal-owner',
      schedule: { type: 'cron', expression: '61 * * * *' },
    });
    const schedules = await api.count('schedules');
    const eventsOf = async () =>
      (
        await api.sql.query<{ n: number }[]>(
          `select count(*)::int as n from audit_events`,
        )
      )[0].n;
    const events = await eventsOf();
    const res = await batch(sent);
    expect(res.status).toBe(400);
    expect(res.body.errors.map(({ field }) => field)).toEqual([
      'schedules[999].schedule.expression',
    ]);
    expect(await api.count('schedules')).toBe(schedules);
    expect(await eventsOf()).toBe(events);
    expect(await usageOf('late-refusal-owner')).toBeNull();
  });

  it('reports all the problems of one item, as POST /schedules would', async () => {
    const res = await batch([
      cronBody(),
      cronBody({
        schedule: { type: 'cron', expression: 'nope' },
        trigger: { type: 'webhook', url: 'not a url' },
      }),
    ]);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.field)).toEqual([
      'schedules[1].schedule.expression',
      'schedules[1].trigger.url',
    ]);
    expect(res.body.errors.every((e) => e.index === 1)).toBe(true);
  });

  it('refuses an empty list, a missing one, and more than 1000 items, naming schedules', async () => {
    const before = await api.count('schedules');
    for (const body of [
      { schedules: [] },
      {},
      { schedules: items(1001, 'too-many') },
      { schedules: 'all of them' },
    ]) {
      const res = await api.request<ErrorResponse>(
        'POST',
        '/schedules/batch',
        body,
      );
      expect({ status: res.status, field: res.body.errors[0]?.field }).toEqual({
        status: 400,
        field: 'schedules',
      });
    }
    expect(await api.count('schedules')).toBe(before);
  });

  it('keeps the body limit of every other route', async () => {
    const res = await api.request<ErrorResponse>(
      'POST',
      '/schedules',
      cronBody({ name: 'x'.repeat(TEST_BODY_LIMIT_BYTES) }),
    );
    expect(res.status).toBe(413);
  });

  it('applies the owner rules of a key to every item: another owner is a 403 by index', async () => {
    const auth = await keyOf('team-k');
    const before = await api.count('schedules');
    const refused = await batch(
      [
        cronBody({ owner: undefined }),
        cronBody({ owner: 'team-other' }),
        cronBody({ owner: 'team-k' }),
        cronBody({ owner: 'team-other', schedule: { type: 'cron' } }),
      ],
      auth,
    );
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect(refused.body.errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'schedules[1].owner'],
      [3, 'schedules[3].owner'],
    ]);
    expect(await api.count('schedules')).toBe(before);
    const stored = await batch(
      [cronBody({ owner: undefined }), cronBody({ owner: 'team-k' })],
      auth,
    );
    expect(stored.status).toBe(201);
    expect(stored.body.items.map((s) => s.owner)).toEqual(['team-k', 'team-k']);
  });

  it('needs a key with schedules:write', async () => {
    const before = await api.count('schedules');
    expect((await batch([cronBody()], NO_AUTH)).status).toBe(401);
    const reader = await keyOf('team-r', ['schedules:read']);
    expect((await batch([cronBody({ owner: 'team-r' })], reader)).status).toBe(
      403,
    );
    expect(await api.count('schedules')).toBe(before);
  });

  it('counts every item against its owner quota, all or none', async () => {
    await ownerOfThousand('quota-owner');
    expect(await countOf('quota-owner')).toBe(1000);
    const over = await batch(items(101, 'quota-owner', 'more'));
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('QUOTA_EXCEEDED');
    expect(over.body.errors[0].field).toBe('owner');
    expect(over.body.errors[0].message).toMatch(
      /QUOTA_MAX_SCHEDULES_PER_OWNER/,
    );
    expect(await countOf('quota-owner')).toBe(1000);
    expect(await usageOf('quota-owner')).toBe(1000);
    const fits = await batch(items(100, 'quota-owner', 'fits'));
    expect(fits.status).toBe(201);
    expect(await usageOf('quota-owner')).toBe(1100);
  });

  it('recounts drifted totals with the batch counted once, then stores them', async () => {
    await ownerOfThousand('drift-owner', 1090);
    // The totals refuse 100 more (1190); the exact count, 1000 + 100, takes them.
    const fits = await batch(items(100, 'drift-owner', 'fits'));
    expect(fits.status).toBe(201);
    expect(await countOf('drift-owner')).toBe(1100);
    expect(await usageOf('drift-owner')).toBe(1100);
    const over = await batch(items(1, 'drift-owner', 'over'));
    expect(over.status).toBe(409);
    expect(await countOf('drift-owner')).toBe(1100);
  });

  it('refuses items that fire more often than QUOTA_MIN_CRON_INTERVAL by index; invalid input outranks them', async () => {
    const everySecond = cronBody({
      owner: 'interval-owner',
      schedule: { type: 'cron', expression: '* * * * * *' },
    });
    const quota = await batch([cronBody(), everySecond]);
    expect(quota.status).toBe(409);
    expect(quota.body.errors).toEqual([
      expect.objectContaining({
        index: 1,
        field: 'schedules[1].schedule.expression',
      }),
    ]);
    const mixed = await batch([everySecond, cronBody({ maxAttempts: 0 })]);
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors.map((e) => e.field)).toEqual([
      'schedules[0].schedule.expression',
      'schedules[1].maxAttempts',
    ]);
    expect(await countOf('interval-owner')).toBe(0);
  });

  it('refuses items naming a calendar their owner does not have, by index, in the transaction', async () => {
    const before = await api.count('schedules');
    const res = await batch([
      cronBody(),
      cronBody({ calendarIds: ['00000000-0000-4000-8000-000000000001'] }),
    ]);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'schedules[1].calendarIds[0]'],
    ]);
    expect(await api.count('schedules')).toBe(before);
  });

  it('retries a batch whose first INSERT hit a deadlock, not hidden by the statements sent after it', async () => {
    // The first INSERT of this owner's rows fails once with 40P01 (a sequence, outside
    // the transaction, counts the tries); the second chunk's calendar check was sent
    // behind it and fails only as "transaction is aborted" (25P02).
    await api.sql.query(`create sequence batch_deadlock_tries`);
    await api.sql
      .query(`create function batch_deadlock_once() returns trigger language plpgsql as $$
begin
  if new.owner = 'deadlock-owner' and nextval('batch_deadlock_tries') = 1 then
    raise exception 'deadlock detected (test)' using errcode = '40P01';
  end if;
  return new;
end $$`);
    await api.sql.query(
      `create trigger batch_deadlock_once before insert on schedules for each row execute function batch_deadlock_once()`,
    );
    try {
      const sent = items(400, 'deadlock-owner');
      sent[300] = cronBody({
        owner: 'deadlock-owner',
        calendarIds: ['00000000-0000-4000-8000-000000000002'],
      });
      const res = await batch(sent);
      // Retried, then refused for the calendar: a 400 naming it, not a 500.
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e) => [e.index, e.field])).toEqual([
        [300, 'schedules[300].calendarIds[0]'],
      ]);
      const [{ tries }] = await api.sql.query<{ tries: string }[]>(
        `select last_value as tries from batch_deadlock_tries`,
      );
      expect(Number(tries)).toBeGreaterThan(1);
      expect(await countOf('deadlock-owner')).toBe(0);
    } finally {
      await api.sql.query(`drop trigger batch_deadlock_once on schedules`);
      await api.sql.query(`drop function batch_deadlock_once()`);
      await api.sql.query(`drop sequence batch_deadlock_tries`);
    }
  });

  it('wakes the schedulers once for a batch due soon, not once per item', async () => {
    notifications.length = 0;
    const res = await batch(
      Array.from({ length: 50 }, () =>
        cronBody({ schedule: { type: 'delay', delay: 'PT1S' } }),
      ),
    );
    expect(res.status).toBe(201);
    await waitFor('the wake-up NOTIFY', () => notifications.length > 0);
    const after = await batch([
      cronBody({ schedule: { type: 'delay', delay: 'PT1H' } }),
    ]);
    expect(after.status).toBe(201);
    // A NOTIFY is delivered at commit; the second batch (not due soon) sends none.
    await listener.query('select 1');
    expect(notifications).toHaveLength(1);
    expect(JSON.parse(notifications[0].payload ?? '')).toEqual({
      reason: 'created',
      schedules: 50,
    });
  });
});
