import type {
  CreatedApiKeyResponse,
  ScheduleResponse,
} from '@scheduleman/domain';
import { createDataSource, MIGRATIONS } from '@scheduleman/domain/persistence';
import { createTestDatabase } from '@scheduleman/testkit';
import {
  type ApiHarness,
  type ApiResponse,
  bearer,
  cronBody,
  expectProblem,
  startApi,
} from './api-harness';

interface Usage {
  owner: string;
  schedules: number;
  fires_per_hour: number;
}

/**
 * QUOTA_MAX_SCHEDULES_PER_OWNER=3, QUOTA_MIN_CRON_INTERVAL=1m and
 * QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER=2 through the real app. `* * * * *` fires once
 * a minute, so two of them are an owner's whole rate. Every refusal is checked to have
 * stored nothing: neither the schedule nor a change of the owner's totals.
 */
describe('quotas per owner', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('api_quotas', {
      quotas: {
        maxSchedulesPerOwner: 3,
        minCronIntervalMs: 60_000,
        maxFiresPerMinutePerOwner: 2,
      },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  async function keyOf(owner: string): Promise<Record<string, string>> {
    const res = await api.request<CreatedApiKeyResponse>('POST', '/api-keys', {
      owner,
      scopes: ['schedules:write'],
    });
    expect(res.status).toBe(201);
    return bearer(res.body.key);
  }

  const everyMinute = { type: 'cron', expression: '* * * * *' };
  const inAnHour = { type: 'delay', delay: 'PT1H' };

  function create(
    auth: Record<string, string>,
    schedule: unknown,
    body: Record<string, unknown> = {},
  ): Promise<ApiResponse<ScheduleResponse>> {
    return api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      { ...cronBody({ owner: undefined, schedule }), ...body },
      auth,
    );
  }

  async function created(
    auth: Record<string, string>,
    schedule: unknown,
    body: Record<string, unknown> = {},
  ): Promise<ScheduleResponse> {
    const res = await create(auth, schedule, body);
    expect({ status: res.status, body: res.body }).toMatchObject({
      status: 201,
    });
    return res.body;
  }

  async function usage(owner: string): Promise<Omit<Usage, 'owner'> | null> {
    const rows = await api.sql.query<Usage[]>(
      `select owner, schedules, fires_per_hour::float8 as fires_per_hour from owner_usage where owner = $1`,
      [owner],
    );
    return rows[0]
      ? { schedules: rows[0].schedules, fires_per_hour: rows[0].fires_per_hour }
      : null;
  }

  /** The state a refusal must leave exactly as it was. */
  async function snapshot(owner: string): Promise<unknown> {
    return {
      usage: await usage(owner),
      rows: await api.sql.query<unknown[]>(
        `select id, status, schedule, owner, fires_per_hour, version from schedules where owner = $1 order by id`,
        [owner],
      ),
    };
  }

  it('refuses a cron more frequent than QUOTA_MIN_CRON_INTERVAL, for an admin too', async () => {
    const auth = await keyOf('interval-owner');
    const before = await api.count('schedules');
    const res = await create(auth, {
      type: 'cron',
      expression: '*/30 * * * * *',
    });
    const body = expectProblem(res, 409, 'schedule.expression');
    expect(body.code).toBe('QUOTA_EXCEEDED');
    expect(body.message).toMatch(
      /every 30 s.*60 s \(QUOTA_MIN_CRON_INTERVAL\)/,
    );
    const asAdmin = await api.request('POST', '/schedules', {
      ...cronBody({ owner: undefined }),
      schedule: { type: 'cron', expression: '*/30 * * * * *' },
    });
    expectProblem(asAdmin, 409, 'schedule.expression');
    expect(await api.count('schedules')).toBe(before);
    expect(await usage('interval-owner')).toBeNull();
  });

  it('refuses the schedule after QUOTA_MAX_SCHEDULES_PER_OWNER, naming the owner, and frees a place on delete', async () => {
    const auth = await keyOf('count-owner');
    const kept = [
      await created(auth, inAnHour),
      await created(auth, inAnHour),
      await created(auth, inAnHour),
    ];
    const before = await snapshot('count-owner');
    const body = expectProblem(await create(auth, inAnHour), 409, 'owner');
    expect(body).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(body.message).toBe(
      'owner: owner "count-owner" already has 3 schedules; at most 3 are allowed (QUOTA_MAX_SCHEDULES_PER_OWNER); delete some first',
    );
    expect(await snapshot('count-owner')).toEqual(before);

    // Another owner is not affected; a deleted schedule frees its place.
    await created(await keyOf('other-owner'), inAnHour);
    expect(
      (await api.request('DELETE', `/schedules/${kept[0].id}`, undefined, auth))
        .status,
    ).toBe(204);
    expect(await usage('count-owner')).toEqual({
      schedules: 2,
      fires_per_hour: 0,
    });
    await created(auth, inAnHour);
  });

  it('counts paused schedules too: every stored schedule takes a place', async () => {
    const auth = await keyOf('stored-owner');
    const paused = await created(auth, everyMinute);
    await api.request('POST', `/schedules/${paused.id}/pause`, undefined, auth);
    await created(auth, inAnHour);
    await created(auth, inAnHour);
    expectProblem(await create(auth, inAnHour), 409, 'owner');
  });

  it('refuses what would take the owner over QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER, but not a one-shot', async () => {
    const auth = await keyOf('fires-owner');
    await created(auth, everyMinute);
    await created(auth, everyMinute);
    expect(await usage('fires-owner')).toEqual({
      schedules: 2,
      fires_per_hour: 120,
    });
    const before = await snapshot('fires-owner');
    const hourly = await create(auth, {
      type: 'cron',
      expression: '0 * * * *',
    });
    const body = expectProblem(hourly, 409, 'owner');
    expect(body.message).toMatch(
      /would fire 2\.02 times a minute; at most 2 are allowed \(QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER\)/,
    );
    expect(await snapshot('fires-owner')).toEqual(before);
    // A one-shot adds no rate: it only takes the third place.
    await created(auth, inAnHour);
  });

  it('checks PATCH and resume against the rate, and pause gives the rate back', async () => {
    const auth = await keyOf('edit-owner');
    const a = await created(auth, everyMinute);
    const b = await created(auth, everyMinute);
    const oneShot = await created(auth, inAnHour);
    const patch = (id: string, body: unknown) =>
      api.request<ScheduleResponse>('PATCH', `/schedules/${id}`, body, auth);
    const post = (path: string) =>
      api.request<ScheduleResponse>('POST', path, undefined, auth);

    // Turning the one-shot into a third cron: over the rate, nothing changes.
    let before = await snapshot('edit-owner');
    expectProblem(
      await patch(oneShot.id, { schedule: everyMinute }),
      409,
      'owner',
    );
    expect(await snapshot('edit-owner')).toEqual(before);
    // A cron edited to fire more often than the interval allows: refused the same way.
    expectProblem(
      await patch(a.id, {
        schedule: { type: 'cron', expression: '*/10 * * * * *' },
      }),
      409,
      'schedule.expression',
    );
    expect(await snapshot('edit-owner')).toEqual(before);
    // Edits that do not add to the rate are fine at the limit.
    expect((await patch(a.id, { name: 'renamed' })).status).toBe(200);
    expect(
      (
        await patch(b.id, {
          schedule: { type: 'cron', expression: '*/5 * * * *' },
        })
      ).status,
    ).toBe(200);
    expect(await usage('edit-owner')).toEqual({
      schedules: 3,
      fires_per_hour: 72,
    });

    // Pausing gives the rate back; resuming takes it again, and is refused when it is gone.
    expect((await post(`/schedules/${a.id}/pause`)).body.status).toBe('paused');
    expect(await usage('edit-owner')).toEqual({
      schedules: 3,
      fires_per_hour: 12,
    });
    expect((await patch(oneShot.id, { schedule: everyMinute })).status).toBe(
      200,
    );
    expect(await usage('edit-owner')).toEqual({
      schedules: 3,
      fires_per_hour: 72,
    });
    before = await snapshot('edit-owner');
    expectProblem(await post(`/schedules/${a.id}/resume`), 409, 'owner');
    expect(await snapshot('edit-owner')).toEqual(before);
    expect((await post(`/schedules/${b.id}/pause`)).status).toBe(200);
    expect((await post(`/schedules/${a.id}/resume`)).body.status).toBe(
      'active',
    );
    expect(await usage('edit-owner')).toEqual({
      schedules: 3,
      fires_per_hour: 120,
    });
  });

  it('refuses moving a schedule to an owner that is full (admin PATCH of owner)', async () => {
    const full = await keyOf('full-owner');
    for (let i = 0; i < 3; i++) await created(full, inAnHour);
    const mover = await created(await keyOf('moving-owner'), everyMinute);
    const before = [
      await snapshot('full-owner'),
      await snapshot('moving-owner'),
    ];
    const res = await api.request('PATCH', `/schedules/${mover.id}`, {
      owner: 'full-owner',
    });
    expectProblem(res, 409, 'owner');
    expect([
      await snapshot('full-owner'),
      await snapshot('moving-owner'),
    ]).toEqual(before);
    // To an owner with room the move carries the schedule's rate along.
    expect(
      (
        await api.request('PATCH', `/schedules/${mover.id}`, {
          owner: 'roomy-owner',
        })
      ).status,
    ).toBe(200);
    expect(await usage('moving-owner')).toEqual({
      schedules: 0,
      fires_per_hour: 0,
    });
    expect(await usage('roomy-owner')).toEqual({
      schedules: 1,
      fires_per_hour: 60,
    });
  });

  it('does not count schedules without an owner (only an admin makes them)', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await api.request('POST', '/schedules', {
        ...cronBody({ owner: undefined }),
        schedule: everyMinute,
      });
      expect(res.status).toBe(201);
    }
  });

  it('lets exactly the quota through when one owner creates concurrently', async () => {
    const auth = await keyOf('race-owner');
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => create(auth, inAnHour)),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([
      ...Array<number>(3).fill(201),
      ...Array<number>(9).fill(409),
    ]);
    const [row] = await api.sql.query<{ n: number }[]>(
      `select count(*)::int as n from schedules where owner = 'race-owner'`,
    );
    expect(row.n).toBe(3);
    expect(await usage('race-owner')).toEqual({
      schedules: 3,
      fires_per_hour: 0,
    });
  });

  it('recounts before refusing, so totals that drifted (rows deleted in SQL) do not refuse', async () => {
    const auth = await keyOf('drift-owner');
    const gone = await created(auth, everyMinute);
    await created(auth, everyMinute);
    await api.sql.query(`delete from schedules where id = $1`, [gone.id]);
    expect(await usage('drift-owner')).toEqual({
      schedules: 2,
      fires_per_hour: 120,
    });
    await created(auth, everyMinute);
    expect(await usage('drift-owner')).toEqual({
      schedules: 2,
      fires_per_hour: 120,
    });
  });

  it('keeps every owner total equal to what its schedules add up to', async () => {
    const drifted = await api.sql.query<unknown[]>(`
select u.owner, u.schedules, c.schedules as counted
from owner_usage u
left join (
  select owner, count(*)::int as schedules,
  coalesce(sum(fires_per_hour) filter (where status <> 'paused'), 0) as fires_per_hour
  from schedules where owner is not null group by owner
) c on c.owner = u.owner
where u.schedules <> coalesce(c.schedules, 0)
or u.fires_per_hour <> coalesce(c.fires_per_hour, 0)`);
    expect(drifted).toEqual([]);
  });
});

describe('the owner quotas migration', () => {
  it('rates the stored crons and counts every owner from its schedules', async () => {
    const db = await createTestDatabase('quota_migration');
    const ds = createDataSource({
      url: db.url,
      applicationName: 'quota-migration',
    });
    await ds.initialize();
    const runner = ds.createQueryRunner();
    try {
      const index = MIGRATIONS.findIndex(
        (m) => m.name === 'OwnerQuotas1733300000000',
      );
      expect(index).toBeGreaterThan(0);
      for (const Migration of MIGRATIONS.slice(0, index))
        await new Migration().up(runner);
      await ds.query(`
insert into schedules (id, owner, schedule_type, schedule, trigger_type, trigger, status)
select gen_random_uuid(), v.owner, v.type, v.schedule::jsonb, 'webhook', '{"type":"webhook","url":"http://127.0.0.1:3100/"}'::jsonb, v.status
from (values
  ('m-a', 'cron', '{"type":"cron","expression":"* * * * *","timezone":"UTC"}', 'active'),
  ('m-a', 'cron', '{"type":"cron","expression":"*/5 * * * * *","timezone":"UTC"}', 'paused'),
  ('m-a', 'cron', '{"type":"cron","expression":"*/5 * * * * *","timezone":"UTC"}', 'active'),
  ('m-b', 'at', '{"type":"at","at":"2020-01-01T00:00:00.000Z"}', 'completed'),
  (null, 'cron', '{"type":"cron","expression":"* * * * *","timezone":"UTC"}', 'active')
) as v (owner, type, schedule, status)`);
      await new MIGRATIONS[index]().up(runner);
      const rates = await ds.query<
        { expression: string | null; fires_per_hour: number }[]
      >(
        `select schedule->>'expression' as expression, fires_per_hour from schedules order by 2, 1`,
      );
      expect(rates).toEqual([
        { expression: null, fires_per_hour: 0 },
        { expression: '* * * * *', fires_per_hour: 60 },
        { expression: '* * * * *', fires_per_hour: 60 },
        { expression: '*/5 * * * * *', fires_per_hour: 720 },
        { expression: '*/5 * * * * *', fires_per_hour: 720 },
      ]);
      expect(
        await ds.query(
          `select owner, schedules, fires_per_hour::float8 as fires_per_hour from owner_usage order by owner`,
        ),
      ).toEqual([
        { owner: 'm-a', schedules: 3, fires_per_hour: 780 },
        { owner: 'm-b', schedules: 1, fires_per_hour: 0 },
      ]);
    } finally {
      await runner.release();
      await ds.destroy();
      await db.drop();
    }
  });
});
