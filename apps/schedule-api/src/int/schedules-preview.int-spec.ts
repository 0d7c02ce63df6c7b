import type { PreviewResponse } from '@scheduleman/domain';
import { type ApiHarness, expectProblem, startApi } from './api-harness';

describe('schedule API: POST /schedules/preview', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi('api_preview');
  });

  afterAll(async () => {
    await api.close();
  });

  it('explains a Berlin 02:30 over the spring-forward day and stores nothing', async () => {
    const res = await api.request<PreviewResponse>(
      'POST',
      '/schedules/preview',
      {
        schedule: {
          type: 'cron',
          expression: '30 2 * * *',
          timezone: 'Europe/Berlin',
        },
        count: 3,
        from: '2027-03-27T00:00:00+01:00',
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.description).toBe('At 02:30, every day (Europe/Berlin)');
    expect(res.body.items.map((i) => i.at)).toEqual([
      '2027-03-27T01:30:00.000Z',
      '2027-03-28T01:00:00.000Z',
      '2027-03-29T00:30:00.000Z',
    ]);
    expect(res.body.items.map((i) => i.notes.length)).toEqual([0, 1, 0]);
    expect(res.body.items[1]?.notes[0]).toMatch(
      /^02:30 does not exist on 2027-03-28 in Europe\/Berlin .*fires once at 03:00 \+02:00/,
    );
    expect(await api.count('schedules')).toBe(0);
  });

  it('gives a delay its one occurrence, about now + delay', async () => {
    const before = Date.now();
    const res = await api.request<PreviewResponse>(
      'POST',
      '/schedules/preview',
      { schedule: { type: 'delay', delay: 'PT1H' } },
    );
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const at = Date.parse(res.body.items[0]?.at ?? '');
    expect(at - before).toBeGreaterThanOrEqual(3_600_000 - 1000);
    expect(at - before).toBeLessThan(3_600_000 + 10_000);
  });

  it('shows an at accepted a moment in the past, as create would store it', async () => {
    const at = new Date(Date.now() - 2000).toISOString();
    const res = await api.request<PreviewResponse>(
      'POST',
      '/schedules/preview',
      { schedule: { type: 'at', at } },
    );
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([{ at, notes: [] }]);
  });

  it.each([
    [
      'a bad expression',
      { schedule: { type: 'cron', expression: '61 * * * *' } },
      'schedule.expression',
    ],
    [
      'an unknown zone',
      {
        schedule: {
          type: 'cron',
          expression: '0 0 * * *',
          timezone: 'Mars/Base',
        },
      },
      'schedule.timezone',
    ],
    ['a missing schedule', { count: 3 }, 'schedule'],
    [
      'count 0',
      { schedule: { type: 'cron', expression: '0 0 * * *' }, count: 0 },
      'count',
    ],
    [
      'count 101',
      { schedule: { type: 'cron', expression: '0 0 * * *' }, count: 101 },
      'count',
    ],
    [
      'count as a string',
      { schedule: { type: 'cron', expression: '0 0 * * *' }, count: '5' },
      'count',
    ],
    [
      'from without an offset',
      {
        schedule: { type: 'cron', expression: '0 0 * * *' },
        from: '2027-01-01T00:00:00',
      },
      'from',
    ],
    [
      'from not a date',
      { schedule: { type: 'cron', expression: '0 0 * * *' }, from: 'tomorrow' },
      'from',
    ],
    [
      'from a number',
      { schedule: { type: 'cron', expression: '0 0 * * *' }, from: 5 },
      'from',
    ],
  ])('rejects %s naming the field', async (_name, body, field) => {
    const res = await api.request('POST', '/schedules/preview', body);
    expectProblem(res, 400, field);
  });
});
