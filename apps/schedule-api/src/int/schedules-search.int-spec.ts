import type { ScheduleListResponse } from '@scheduleman/domain';
import {
  type ApiHarness,
  type ApiResponse,
  expectProblem,
  startApi,
} from './api-harness';

async function pageThrough(api: ApiHarness, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res: ApiResponse<ScheduleListResponse> = await api.request(
      'GET',
      `/schedules?${query}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status).toBe(200);
    ids.push(...res.body.items.map((s) => s.id));
    cursor = res.body.nextCursor;
  } while (cursor !== null);
  return ids;
}

describe('schedule API: GET /schedules with q= and sort=nextRunAt', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('api_search');
    // 120 rows: names "Nightly-<i>" / "hourly_<i>" / "100% done <i>"; next_run_at in
    // 10 distinct values (many ties, broken by id) or null for paused ones.
    await api.sql.query(
      `insert into schedules (id, name, owner, schedule_type, schedule, trigger_type, trigger, status, next_run_at)
select gen_random_uuid(),
  case i % 3 when 0 then 'Nightly-' || i when 1 then 'hourly_' || i else '100% done ' || i end,
  case when i % 2 = 0 then 'team-a' else 'team-b' end,
  'cron', '{"type":"cron","expression":"0 * * * *","timezone":"UTC"}',
  'webhook', '{"type":"webhook","url":"http://127.0.0.1:3100/t","method":"POST","headers":{}}',
  case when i % 4 = 0 then 'paused' else 'active' end,
  case when i % 4 = 0 then null else timestamptz '2030-01-01' + (i % 10) * interval '1.000001 minute' end
from generate_series(1, 120) as i`,
    );
  });

  afterAll(async () => {
    await api.close();
  });

  async function expected(where: string): Promise<string[]> {
    const rows: { id: string }[] = await api.sql.query(
      `select id from schedules where ${where} order by next_run_at nulls last, id`,
    );
    return rows.map((r) => r.id);
  }

  it('pages q + sort=nextRunAt across pages with no duplicates or gaps', async () => {
    const ids = await pageThrough(api, 'q=NIGHTLY&sort=nextRunAt&limit=7');
    expect(ids).toEqual(await expected(`name ilike '%nightly%'`));
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('combines q and sort with owner and status filters', async () => {
    const ids = await pageThrough(
      api,
      'q=ly&sort=nextRunAt&owner=team-a&status=active&limit=5',
    );
    expect(ids).toEqual(
      await expected(
        `name ilike '%ly%' and owner = 'team-a' and status = 'active'`,
      ),
    );
    expect(ids.length).toBeGreaterThan(10);
  });

  it('sorts every row by next run with the nulls last', async () => {
    const ids = await pageThrough(api, 'sort=nextRunAt&limit=11');
    expect(ids).toEqual(await expected('true'));
  });

  it('treats % and _ in q as text, and keeps the default order without sort', async () => {
    const percent = await pageThrough(api, `q=${encodeURIComponent('0% d')}`);
    expect(percent).toHaveLength(40);
    const underscore = await pageThrough(api, 'q=y_&limit=9');
    const rows: { id: string }[] = await api.sql.query(
      `select id from schedules where name like 'hourly\\_%' order by created_at, id`,
    );
    expect(underscore).toEqual(rows.map((r) => r.id));
  });

  it('rejects a q that is too long, a bad sort, and a cursor of the other order', async () => {
    expectProblem(
      await api.request('GET', `/schedules?q=${'x'.repeat(101)}`),
      400,
      'q',
    );
    expectProblem(
      await api.request('GET', '/schedules?sort=name'),
      400,
      'sort',
    );
    const first = await api.request<ScheduleListResponse>(
      'GET',
      '/schedules?limit=2',
    );
    expect(first.body.nextCursor).not.toBeNull();
    expectProblem(
      await api.request(
        'GET',
        `/schedules?sort=nextRunAt&cursor=${first.body.nextCursor ?? ''}`,
      ),
      400,
      'cursor',
    );
  });
});
