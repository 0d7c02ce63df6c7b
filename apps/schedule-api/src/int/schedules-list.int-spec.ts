import type { ScheduleListResponse } from '@scheduleman/domain';
import {
  type ApiHarness,
  type ApiResponse,
  cronBody,
  startApi,
} from './api-harness';

/**
 * Inserts `count` schedules in one statement, so they share created_at and only the id
 * orders them. `createdAt` may backdate them, as a long transaction that commits late does.
 */
async function insertSchedules(
  api: ApiHarness,
  count: number,
  owner: (i: string) => string,
  status: (i: string) => string,
  createdAt = 'now()',
): Promise<void> {
  await api.sql.query(
    `insert into schedules (id, name, owner, schedule_type, schedule, trigger_type, trigger, status, next_run_at, created_at)
select gen_random_uuid(), 'bulk ' || i, ${owner('i')}, 'cron', '{"type":"cron","expression":"0 * * * *","timezone":"UTC"}',
'webhook', '{"type":"webhook","url":"http://127.0.0.1:3100/t","method":"POST","headers":{}}',
${status('i')}, case when ${status('i')} = 'active' then now() + interval '1 hour' end, ${createdAt}
from generate_series(1, $1::int) as i`,
    [count],
  );
}

async function pageThrough(
  api: ApiHarness,
  query: string,
  onPage?: () => Promise<void>,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: ApiResponse<ScheduleListResponse> = await api.request(
      'GET',
      `/schedules?${query}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status).toBe(200);
    ids.push(...res.body.items.map((s) => s.id));
    cursor = res.body.nextCursor;
    pages++;
    await onPage?.();
  } while (cursor !== null);
  return { ids, pages };
}

async function idsWhere(api: ApiHarness, where: string): Promise<string[]> {
  const rows: { id: string }[] = await api.sql.query(
    `select id from schedules where ${where} order by created_at, id`,
  );
  return rows.map((r) => r.id);
}

describe('schedule API: listing with keyset pagination and filters', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('api_list');
    // 150 rows sharing one created_at (ties broken by id), then more rows later on.
    await insertSchedules(
      api,
      150,
      (i) => `case when ${i} % 3 = 0 then 'team-x' else 'team-y' end`,
      (i) =>
        `case when ${i} % 5 = 0 then 'paused' when ${i} % 7 = 0 then 'completed' else 'active' end`,
    );
    for (let i = 0; i < 5; i++) {
      await insertSchedules(
        api,
        10,
        () => `'team-z'`,
        () => `'active'`,
      );
    }
  });

  afterAll(async () => {
    await api.close();
  });

  it('returns 50 items by default, oldest first, with a cursor to the next page', async () => {
    const res = await api.request<ScheduleListResponse>('GET', '/schedules');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(50);
    expect(typeof res.body.nextCursor).toBe('string');
    expect(res.body.items.map((s) => s.id)).toEqual(
      (await idsWhere(api, 'true')).slice(0, 50),
    );
  });

  it('returns up to 500 items and a null cursor on the last page', async () => {
    const res = await api.request<ScheduleListResponse>(
      'GET',
      '/schedules?limit=500',
    );
    expect(res.body.items).toHaveLength(await api.count('schedules'));
    expect(res.body.nextCursor).toBeNull();
  });

  it('sees every row that existed at the start exactly once while rows are inserted concurrently', async () => {
    const before = await idsWhere(api, 'true');
    const paged = new AbortController();
    let insertedDuringPaging = 0;
    const writer = (async () => {
      while (!paged.signal.aborted) {
        const res = await api.request(
          'POST',
          '/schedules',
          cronBody({ owner: 'concurrent' }),
        );
        expect(res.status).toBe(201);
        insertedDuringPaging++;
      }
    })();
    let pagesSeen = 0;
    // Between pages, also rows that sort before the cursor (backdated, like a long
    // transaction committing late): offset paging would then repeat rows; keyset must not.
    const { ids, pages } = await pageThrough(api, 'limit=7', async () => {
      pagesSeen++;
      if (pagesSeen % 3 === 0)
        await insertSchedules(
          api,
          3,
          () => `'between-pages'`,
          () => `'active'`,
          `now() - interval '1 day'`,
        );
    });
    paged.abort();
    await writer;

    expect(pages).toBeGreaterThan(before.length / 7);
    expect(insertedDuringPaging).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    const seen = new Set(ids);
    expect(before.filter((id) => !seen.has(id))).toEqual([]);
  });

  it('filters by owner', async () => {
    const { ids } = await pageThrough(api, 'owner=team-x&limit=9');
    expect(ids).toEqual(await idsWhere(api, `owner = 'team-x'`));
    expect(ids.length).toBe(50);
  });

  it('filters by status', async () => {
    const { ids } = await pageThrough(api, 'status=paused&limit=8');
    expect(ids).toEqual(await idsWhere(api, `status = 'paused'`));
    expect(ids.length).toBe(30);
    const res = await api.request<ScheduleListResponse>(
      'GET',
      '/schedules?status=paused&limit=1',
    );
    expect(res.body.items[0].status).toBe('paused');
    expect(res.body.items[0].nextRunAt).toBeNull();
  });

  it('filters by owner and status together', async () => {
    const { ids } = await pageThrough(
      api,
      'owner=team-x&status=completed&limit=2',
    );
    expect(ids).toEqual(
      await idsWhere(api, `owner = 'team-x' and status = 'completed'`),
    );
    expect(ids.length).toBeGreaterThan(0);
  });

  it('returns an empty page for a filter that matches nothing', async () => {
    expect((await api.request('GET', '/schedules?owner=nobody')).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('treats an empty cursor as the first page', async () => {
    const first = await api.request('GET', '/schedules?limit=3');
    const empty = await api.request('GET', '/schedules?limit=3&cursor=');
    expect(empty.body).toEqual(first.body);
  });
});
