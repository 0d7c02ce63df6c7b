import type { ScheduleResponse } from '@scheduleman/domain';
import {
  type ApiHarness,
  cronBody,
  expectProblem,
  startApi,
} from './api-harness';

/**
 * Alerting on silence through the real API: `silentAfter` validated, stored, echoed and
 * cleared; `health` computed on every answer from the schedule's own columns (the facts
 * the schedulers keep, written here in SQL as they write them).
 */
describe('schedule API: silentAfter and health', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('api_health');
  }, 30_000);
  afterAll(async () => {
    await api.close();
  });

  async function create(
    overrides: Record<string, unknown> = {},
  ): Promise<ScheduleResponse> {
    const res = await api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody(overrides),
    );
    expect(res.status).toBe(201);
    return res.body;
  }

  const get = async (id: string) =>
    (await api.request<ScheduleResponse>('GET', `/schedules/${id}`)).body;

  it('stores and echoes silentAfter as sent, changes it in a PATCH and clears it with null', async () => {
    const created = await create({ silentAfter: 'PT2H' });
    expect(created).toMatchObject({
      silentAfter: 'PT2H',
      health: 'healthy',
      lastSuccessAt: null,
    });
    expect((await get(created.id)).silentAfter).toBe('PT2H');
    const patched = await api.request<ScheduleResponse>(
      'PATCH',
      `/schedules/${created.id}`,
      { silentAfter: 'p1d' },
    );
    expect(patched.body.silentAfter).toBe('p1d');
    const cleared = await api.request<ScheduleResponse>(
      'PATCH',
      `/schedules/${created.id}`,
      { silentAfter: null },
    );
    expect(cleared.body.silentAfter).toBeNull();
  });

  it('refuses a bad silentAfter with a 400 naming it, and stores nothing', async () => {
    const [{ n: before }]: { n: number }[] = await api.sql.query(
      `select count(*)::int as n from schedules`,
    );
    for (const bad of ['PT5S', 'P1Y', 'P400D', 'often', 42]) {
      const res = await api.request(
        'POST',
        '/schedules',
        cronBody({ silentAfter: bad }),
      );
      expectProblem(res, 400, 'silentAfter');
    }
    const [{ n: after }]: { n: number }[] = await api.sql.query(
      `select count(*)::int as n from schedules`,
    );
    expect(after).toBe(before);
    const existing = await create();
    expectProblem(
      await api.request('PATCH', `/schedules/${existing.id}`, {
        silentAfter: 'PT1S',
      }),
      400,
      'silentAfter',
    );
  });

  it('answers healthy, late, failing and silent from the stored facts, worst first', async () => {
    const s = await create({ silentAfter: 'PT1M' });
    const set = (assignments: string) =>
      api.sql.query(`update schedules set ${assignments} where id = $1::uuid`, [
        s.id,
      ]);

    expect((await get(s.id)).health).toBe('healthy');
    // Its next run unplanned for a minute: late.
    await set(`next_run_at = now() - interval '1 minute'`);
    expect((await get(s.id)).health).toBe('late');
    // The latest outcome failed: failing (worse than late).
    await set(`last_outcome = 'failed'`);
    expect((await get(s.id)).health).toBe('failing');
    // Nothing succeeded for longer than silentAfter since creation: silent (worst).
    await set(`created_at = now() - interval '2 minutes'`);
    expect((await get(s.id)).health).toBe('silent');
    // A recent success ends the silence; a success ends the failure.
    await set(
      `last_success_at = now() - interval '5 seconds', last_outcome = 'succeeded', next_run_at = now() + interval '1 minute'`,
    );
    const healthy = await get(s.id);
    expect(healthy.health).toBe('healthy');
    expect(healthy.lastSuccessAt).not.toBeNull();
    // A paused schedule is never silent or late.
    await set(
      `status = 'paused', next_run_at = null, last_success_at = now() - interval '1 hour'`,
    );
    expect((await get(s.id)).health).toBe('healthy');
    // Every list item carries it too.
    const list = await api.request<{ items: ScheduleResponse[] }>(
      'GET',
      '/schedules?limit=500',
    );
    expect(list.body.items.find((i) => i.id === s.id)?.health).toBe('healthy');
  });
});
