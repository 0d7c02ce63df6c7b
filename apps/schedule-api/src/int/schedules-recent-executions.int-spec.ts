import type {
  ScheduleListItem,
  ScheduleListResponse,
  ScheduleResponse,
} from '@scheduleman/domain';
import {
  type ApiHarness,
  type ApiResponse,
  expectProblem,
  startApi,
} from './api-harness';

const trigger = { type: 'webhook', url: 'http://127.0.0.1:3100/tasks' };

describe('schedule API: description and GET /schedules?include=recentExecutions', () => {
  let api: ApiHarness;
  let busy: ScheduleResponse;
  let idle: ScheduleResponse;

  beforeAll(async () => {
    api = await startApi('api_recent');
    const create = async (name: string, expression: string) => {
      const res = await api.request<ScheduleResponse>('POST', '/schedules', {
        name,
        schedule: { type: 'cron', expression, timezone: 'Europe/Berlin' },
        trigger,
      });
      expect(res.status).toBe(201);
      return res.body;
    };
    busy = await create('busy', '0 30 2 * * *');
    idle = await create('idle', '*/10 * * * *');
    // 8 executions of `busy`, one a minute from 2030-01-01T00:00Z: the odd ones fired
    // i × 1.5 s late, the last one still pending (not fired).
    await api.sql.query(
      `insert into executions (id, schedule_id, scheduled_at, due_at, status, fired_at, attempts)
select gen_random_uuid(), $1::uuid, t, t,
  case when i = 8 then 'pending' when i % 2 = 0 then 'failed' else 'succeeded' end,
  case when i = 8 then null else t + i * interval '1.5 seconds' end,
  case when i = 8 then 0 else 1 end
from generate_series(1, 8) as i,
lateral (select timestamptz '2030-01-01T00:00:00Z' + i * interval '1 minute' as t) as x`,
      [busy.id],
    );
  });

  afterAll(async () => {
    await api.close();
  });

  const list = (query: string) =>
    api.request<ScheduleListResponse>('GET', `/schedules?${query}`);

  it('describes the schedule in words on every answer that holds one', async () => {
    expect(busy.description).toBe('At 02:30, every day (Europe/Berlin)');
    const got = await api.request<ScheduleResponse>(
      'GET',
      `/schedules/${busy.id}`,
    );
    expect(got.body.description).toBe('At 02:30, every day (Europe/Berlin)');
    const page = await list('limit=10');
    expect(page.body.items.map((s) => s.description)).toEqual([
      'At 02:30, every day (Europe/Berlin)',
      'Every 10 minutes (Europe/Berlin)',
    ]);
  });

  it('adds the latest 5 executions, newest first, with their lateness', async () => {
    const res = await list('include=recentExecutions');
    expect(res.status).toBe(200);
    const [first, second] = res.body.items;
    expect(first.id).toBe(busy.id);
    const recent = first.recentExecutions ?? [];
    expect(
      recent.map((e) => [e.scheduledAt, e.status, e.firedAt, e.latenessMs]),
    ).toEqual([
      ['2030-01-01T00:08:00.000Z', 'pending', null, null],
      [
        '2030-01-01T00:07:00.000Z',
        'succeeded',
        '2030-01-01T00:07:10.500Z',
        10_500,
      ],
      ['2030-01-01T00:06:00.000Z', 'failed', '2030-01-01T00:06:09.000Z', 9_000],
      [
        '2030-01-01T00:05:00.000Z',
        'succeeded',
        '2030-01-01T00:05:07.500Z',
        7_500,
      ],
      ['2030-01-01T00:04:00.000Z', 'failed', '2030-01-01T00:04:06.000Z', 6_000],
    ]);
    const ids: { id: string }[] = await api.sql.query(
      `select id from executions where schedule_id = $1 order by scheduled_at desc limit 5`,
      [busy.id],
    );
    expect(recent.map((e) => e.id)).toEqual(ids.map((r) => r.id));
    expect(Object.keys(recent[0] ?? {}).sort()).toEqual([
      'firedAt',
      'id',
      'latenessMs',
      'scheduledAt',
      'status',
    ]);
    expect(second.id).toBe(idle.id);
    expect(second.recentExecutions).toEqual([]);
  });

  it('keeps the page, its order and its cursor as without include, in both sorts', async () => {
    for (const sort of ['createdAt', 'nextRunAt']) {
      const plain = await list(`sort=${sort}&limit=1`);
      const withRecent = await list(
        `sort=${sort}&limit=1&include=recentExecutions`,
      );
      const strip = (items: ScheduleListItem[]) =>
        items.map(({ recentExecutions: _, ...rest }) => rest);
      expect(strip(withRecent.body.items)).toEqual(plain.body.items);
      expect(withRecent.body.nextCursor).toBe(plain.body.nextCursor);
      const next: ApiResponse<ScheduleListResponse> = await list(
        `sort=${sort}&limit=1&include=recentExecutions&cursor=${String(plain.body.nextCursor)}`,
      );
      expect(next.body.items.map((s) => s.id)).toEqual(
        (
          await list(
            `sort=${sort}&limit=1&cursor=${String(plain.body.nextCursor)}`,
          )
        ).body.items.map((s) => s.id),
      );
      expect(next.body.items[0]?.recentExecutions).toBeDefined();
    }
  });

  it('leaves recentExecutions out unless asked, and an empty include adds nothing', async () => {
    for (const query of ['limit=5', 'include=']) {
      const res = await list(query);
      expect(res.status).toBe(200);
      expect(res.body.items.map((s) => 'recentExecutions' in s)).toEqual([
        false,
        false,
      ]);
    }
  });

  it.each([
    ['an unknown value', 'include=history'],
    ['one unknown value in a list', 'include=recentExecutions,history'],
    [
      'a repeated parameter with an unknown value',
      'include=recentExecutions&include=x',
    ],
  ])('refuses %s with a 400 naming include', async (_, query) => {
    const body = expectProblem(await list(query), 400, 'include');
    expect(body.message).toContain('recentExecutions');
  });
});
