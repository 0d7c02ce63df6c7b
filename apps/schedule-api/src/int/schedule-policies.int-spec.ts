import type {
  CalendarListResponse,
  CalendarResponse,
  CreatedApiKeyResponse,
  ErrorResponse,
  PreviewResponse,
  ScheduleResponse,
} from '@scheduleman/domain';
import {
  type ApiHarness,
  bearer,
  cronBody,
  expectProblem,
  startApi,
} from './api-harness';

/** Starting an app and a database takes seconds on a loaded machine. */
const SETUP_TIMEOUT_MS = 30_000;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/**
 * The time policies through the real API (docs/time.md): stored and echoed, validated
 * with field paths, calendars owned like connections, pause until, skip-next, and the
 * preview's notes. Nothing here fires: apps/scheduler/src/ledger/time-policies.int-spec.ts
 * shows the scheduler enforcing them.
 */
describe('schedule API: time policies', () => {
  let api: ApiHarness;
  let teamA: string;
  let teamB: string;

  beforeAll(async () => {
    api = await startApi('api_policies');
    teamA = await createKey('team-a');
    teamB = await createKey('team-b');
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await api.close();
  });

  async function createKey(owner: string): Promise<string> {
    const res = await api.request<CreatedApiKeyResponse>('POST', '/api-keys', {
      owner,
      scopes: ['schedules:write'],
    });
    expect(res.status).toBe(201);
    return res.body.key;
  }

  async function createCalendar(
    key: string,
    body: Record<string, unknown>,
  ): Promise<CalendarResponse> {
    const res = await api.request<CalendarResponse>(
      'POST',
      '/calendars',
      body,
      bearer(key),
    );
    expect({ status: res.status, body: res.body }).toMatchObject({
      status: 201,
    });
    return res.body;
  }

  async function createSchedule(
    body: Record<string, unknown>,
    key = teamA,
  ): Promise<ScheduleResponse> {
    const res = await api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody({ owner: undefined, ...body }),
      bearer(key),
    );
    expect({ status: res.status, body: res.body }).toMatchObject({
      status: 201,
    });
    return res.body;
  }

  it('echoes today’s defaults when no policy is sent', async () => {
    const created = await createSchedule({});
    expect(created).toMatchObject({
      catchUpWindow: null,
      exclusions: [],
      calendarIds: [],
      flexibleWindow: null,
      pausedUntil: null,
      overlapPolicy: 'allow',
      skipNextAt: null,
      dstGapPolicy: 'shift',
      dstOverlapPolicy: 'first',
      status: 'active',
    });
  });

  it('stores every policy on create, returns it on GET, and changes it with PATCH', async () => {
    const holidays = await createCalendar(teamA, {
      name: 'holidays',
      exclusions: [{ date: '2030-12-25' }],
    });
    const created = await createSchedule({
      schedule: {
        type: 'cron',
        expression: '30 2 * * *',
        timezone: 'Europe/Berlin',
      },
      catchUpWindow: 'PT10M',
      exclusions: [
        { from: '2030-12-24', to: '2030-12-26' },
        { daysOfWeek: [6, 0], between: ['22:00', '06:00'] },
      ],
      calendarIds: [holidays.id.toUpperCase()],
      flexibleWindow: 'PT5M',
      overlapPolicy: 'buffer_one',
      dstGapPolicy: 'skip',
      dstOverlapPolicy: 'twice',
    });
    const expected = {
      catchUpWindow: 'PT10M',
      exclusions: [
        { from: '2030-12-24', to: '2030-12-26' },
        { daysOfWeek: [0, 6], between: ['22:00', '06:00'] },
      ],
      calendarIds: [holidays.id],
      flexibleWindow: 'PT5M',
      overlapPolicy: 'buffer_one',
      dstGapPolicy: 'skip',
      dstOverlapPolicy: 'twice',
    };
    expect(created).toMatchObject(expected);
    const read = await api.request<ScheduleResponse>(
      'GET',
      `/schedules/${created.id}`,
      undefined,
      bearer(teamA),
    );
    expect(read.body).toMatchObject(expected);

    const patched = await api.request<ScheduleResponse>(
      'PATCH',
      `/schedules/${created.id}`,
      {
        catchUpWindow: null,
        flexibleWindow: 'PT1M',
        calendarIds: [],
        overlapPolicy: 'skip',
        dstOverlapPolicy: 'second',
      },
      bearer(teamA),
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      ...expected,
      catchUpWindow: null,
      flexibleWindow: 'PT1M',
      calendarIds: [],
      overlapPolicy: 'skip',
      dstOverlapPolicy: 'second',
    });
  });

  it.each([
    [
      'a catch-up window under 10 s',
      { catchUpWindow: 'PT5S' },
      'catchUpWindow',
    ],
    ['a catch-up window as a number', { catchUpWindow: 600 }, 'catchUpWindow'],
    [
      'a flexible window over 1 h',
      { flexibleWindow: 'PT2H' },
      'flexibleWindow',
    ],
    ['an unknown overlap policy', { overlapPolicy: 'queue' }, 'overlapPolicy'],
    ['an unknown DST gap policy', { dstGapPolicy: 'later' }, 'dstGapPolicy'],
    [
      'a null DST overlap policy',
      { dstOverlapPolicy: null },
      'dstOverlapPolicy',
    ],
    [
      'exclusions that are not a list',
      { exclusions: { date: '2030-12-25' } },
      'exclusions',
    ],
    [
      'an impossible date',
      { exclusions: [{ date: '2030-12-25' }, { date: '2030-02-30' }] },
      'exclusions[1].date',
    ],
    [
      'a backwards range',
      { exclusions: [{ from: '2030-12-26', to: '2030-12-24' }] },
      'exclusions[0].to',
    ],
    [
      'a weekday 7',
      { exclusions: [{ daysOfWeek: [7] }] },
      'exclusions[0].daysOfWeek[0]',
    ],
    [
      'an unknown exclusion field',
      { exclusions: [{ date: '2030-12-25', note: 'x' }] },
      'exclusions[0].note',
    ],
    [
      'a calendar id that is not a UUID',
      { calendarIds: ['holidays'] },
      'calendarIds[0]',
    ],
    ['an unknown calendar', { calendarIds: [UNKNOWN_ID] }, 'calendarIds[0]'],
    [
      'a pause end in the past',
      { pausedUntil: '2020-01-01T00:00:00Z' },
      'pausedUntil',
    ],
    [
      'a pause end without offset',
      { pausedUntil: '2031-01-01T00:00:00' },
      'pausedUntil',
    ],
  ])(
    'refuses %s with a 400 naming the field and stores nothing',
    async (_name, body, field) => {
      const before = await api.count('schedules');
      const res = await api.request(
        'POST',
        '/schedules',
        cronBody({ owner: undefined, ...body }),
        bearer(teamA),
      );
      expectProblem(res, 400, field);
      expect(await api.count('schedules')).toBe(before);
    },
  );

  it('reports every bad policy field of one request', async () => {
    const res = await api.request<ErrorResponse>(
      'POST',
      '/schedules',
      cronBody({ catchUpWindow: 'x', overlapPolicy: 'x' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.field)).toEqual([
      'catchUpWindow',
      'overlapPolicy',
    ]);
  });

  it('refuses another owner’s calendar as if it did not exist', async () => {
    const theirs = await createCalendar(teamB, {
      name: 'b-holidays',
      exclusions: [],
    });
    const res = await api.request(
      'POST',
      '/schedules',
      cronBody({ owner: undefined, calendarIds: [theirs.id] }),
      bearer(teamA),
    );
    expectProblem(res, 400, 'calendarIds[0]');
    const patch = await createSchedule({});
    const patched = await api.request(
      'PATCH',
      `/schedules/${patch.id}`,
      { calendarIds: [theirs.id] },
      bearer(teamA),
    );
    expectProblem(patched, 400, 'calendarIds[0]');
  });

  describe('calendars', () => {
    it('creates, reads, lists and deletes within the owner', async () => {
      const created = await createCalendar(teamA, {
        name: 'closures',
        exclusions: [{ daysOfWeek: [0] }],
      });
      expect(created).toMatchObject({
        name: 'closures',
        owner: 'team-a',
        exclusions: [{ daysOfWeek: [0] }],
      });
      const mine = await api.request<CalendarResponse>(
        'GET',
        `/calendars/${created.id}`,
        undefined,
        bearer(teamA),
      );
      expect(mine.body).toEqual(created);
      const theirs = await api.request(
        'GET',
        `/calendars/${created.id}`,
        undefined,
        bearer(teamB),
      );
      expectProblem(theirs, 404, 'id');
      const listB = await api.request<CalendarListResponse>(
        'GET',
        '/calendars',
        undefined,
        bearer(teamB),
      );
      expect(listB.body.items.map((c) => c.owner)).not.toContain('team-a');
      const listA = await api.request<CalendarListResponse>(
        'GET',
        '/calendars',
        undefined,
        bearer(teamA),
      );
      expect(listA.body.items.map((c) => c.id)).toContain(created.id);
      const deletedByB = await api.request(
        'DELETE',
        `/calendars/${created.id}`,
        undefined,
        bearer(teamB),
      );
      expectProblem(deletedByB, 404, 'id');
      const deleted = await api.request(
        'DELETE',
        `/calendars/${created.id}`,
        undefined,
        bearer(teamA),
      );
      expect(deleted.status).toBe(204);
      const gone = await api.request(
        'GET',
        `/calendars/${created.id}`,
        undefined,
        bearer(teamA),
      );
      expectProblem(gone, 404, 'id');
    });

    it('refuses a second calendar of the same name for one owner, not for another', async () => {
      await createCalendar(teamA, { name: 'dup', exclusions: [] });
      const again = await api.request(
        'POST',
        '/calendars',
        { name: 'dup', exclusions: [] },
        bearer(teamA),
      );
      expectProblem(again, 409, 'name');
      await createCalendar(teamB, { name: 'dup', exclusions: [] });
    });

    it.each([
      ['no name', { exclusions: [] }, 'name'],
      [
        'a bad exclusion',
        { name: 'x1', exclusions: [{ date: '2030-13-01' }] },
        'exclusions[0].date',
      ],
      ['no exclusions', { name: 'x2' }, 'exclusions'],
      ['an unknown field', { name: 'x3', exclusions: [], zone: 'UTC' }, 'zone'],
    ])('refuses %s naming the field', async (_name, body, field) => {
      const res = await api.request('POST', '/calendars', body, bearer(teamA));
      expectProblem(res, 400, field);
    });

    it('refuses to delete a calendar a schedule names, naming the schedule', async () => {
      const calendar = await createCalendar(teamA, {
        name: 'in-use',
        exclusions: [],
      });
      const schedule = await createSchedule({ calendarIds: [calendar.id] });
      const res = await api.request(
        'DELETE',
        `/calendars/${calendar.id}`,
        undefined,
        bearer(teamA),
      );
      const body = expectProblem(res, 409, 'id');
      expect(body.message).toContain(schedule.id);
      const cleared = await api.request(
        'PATCH',
        `/schedules/${schedule.id}`,
        { calendarIds: [] },
        bearer(teamA),
      );
      expect(cleared.status).toBe(200);
      const deleted = await api.request(
        'DELETE',
        `/calendars/${calendar.id}`,
        undefined,
        bearer(teamA),
      );
      expect(deleted.status).toBe(204);
    });
  });

  describe('pause until and skip-next', () => {
    const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();

    it('creates a schedule paused until an instant', async () => {
      const until = inOneDay();
      const created = await createSchedule({ pausedUntil: until });
      expect(created).toMatchObject({
        status: 'paused',
        nextRunAt: null,
        pausedUntil: until,
      });
    });

    it('pauses with { until }, moves the end, and clears it on resume', async () => {
      const schedule = await createSchedule({});
      const until = inOneDay();
      const paused = await api.request<ScheduleResponse>(
        'POST',
        `/schedules/${schedule.id}/pause`,
        { until },
        bearer(teamA),
      );
      expect(paused.body).toMatchObject({
        status: 'paused',
        pausedUntil: until,
        nextRunAt: null,
      });
      const later = new Date(Date.parse(until) + 3_600_000).toISOString();
      const moved = await api.request<ScheduleResponse>(
        'POST',
        `/schedules/${schedule.id}/pause`,
        { until: later },
        bearer(teamA),
      );
      expect(moved.body.pausedUntil).toBe(later);
      const plain = await api.request<ScheduleResponse>(
        'POST',
        `/schedules/${schedule.id}/pause`,
        undefined,
        bearer(teamA),
      );
      expect(plain.body.pausedUntil).toBe(later);
      const resumed = await api.request<ScheduleResponse>(
        'POST',
        `/schedules/${schedule.id}/resume`,
        undefined,
        bearer(teamA),
      );
      expect(resumed.body).toMatchObject({
        status: 'active',
        pausedUntil: null,
      });
    });

    it('refuses a bad until naming it, and an unknown body field', async () => {
      const schedule = await createSchedule({});
      expectProblem(
        await api.request(
          'POST',
          `/schedules/${schedule.id}/pause`,
          { until: 'tomorrow' },
          bearer(teamA),
        ),
        400,
        'until',
      );
      expectProblem(
        await api.request(
          'POST',
          `/schedules/${schedule.id}/pause`,
          { untill: inOneDay() },
          bearer(teamA),
        ),
        400,
        'untill',
      );
      const read = await api.request<ScheduleResponse>(
        'GET',
        `/schedules/${schedule.id}`,
        undefined,
        bearer(teamA),
      );
      expect(read.body.status).toBe('active');
    });

    it('marks the next occurrence, idempotently, and clears the mark when the timing changes', async () => {
      const schedule = await createSchedule({
        schedule: { type: 'cron', expression: '0 0 * * *' },
      });
      const first = await api.request<ScheduleResponse>(
        'POST',
        `/schedules/${schedule.id}/skip-next`,
        undefined,
        bearer(teamA),
      );
      expect(first.status).toBe(200);
      expect(first.body.skipNextAt).toBe(schedule.nextRunAt);
      const again = await api.request<ScheduleResponse>(
        'POST',
        `/schedules/${schedule.id}/skip-next`,
        undefined,
        bearer(teamA),
      );
      expect(again.body.skipNextAt).toBe(schedule.nextRunAt);
      expect(again.body.updatedAt).toBe(first.body.updatedAt);
      const edited = await api.request<ScheduleResponse>(
        'PATCH',
        `/schedules/${schedule.id}`,
        { schedule: { type: 'cron', expression: '0 1 * * *' } },
        bearer(teamA),
      );
      expect(edited.body.skipNextAt).toBeNull();
    });

    it('marks the first occurrence after a pause with an end, and refuses an endless pause', async () => {
      // Half past some hour, at least an hour ahead.
      const end = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 5_400_000;
      const schedule = await createSchedule({
        schedule: { type: 'cron', expression: '0 * * * *' },
        pausedUntil: new Date(end).toISOString(),
      });
      const skip = await api.request<ScheduleResponse>(
        'POST',
        `/schedules/${schedule.id}/skip-next`,
        undefined,
        bearer(teamA),
      );
      const expected = new Date(
        Math.ceil(end / 3_600_000) * 3_600_000,
      ).toISOString();
      expect(skip.body.skipNextAt).toBe(expected);
      const endless = await createSchedule({});
      await api.request(
        'POST',
        `/schedules/${endless.id}/pause`,
        undefined,
        bearer(teamA),
      );
      expectProblem(
        await api.request(
          'POST',
          `/schedules/${endless.id}/skip-next`,
          undefined,
          bearer(teamA),
        ),
        409,
        'status',
      );
    });
  });

  describe('preview notes', () => {
    const daily = {
      type: 'cron',
      expression: '30 2 * * *',
      timezone: 'Europe/Berlin',
    };

    it('marks excluded occurrences skipped, naming the calendar', async () => {
      const calendar = await createCalendar(teamA, {
        name: 'xmas',
        exclusions: [{ date: '2030-12-25' }],
      });
      const res = await api.request<PreviewResponse>(
        'POST',
        '/schedules/preview',
        {
          schedule: daily,
          from: '2030-12-23T00:00:00Z',
          count: 4,
          calendarIds: [calendar.id],
          exclusions: [{ daysOfWeek: [2] }],
        },
        bearer(teamA),
      );
      expect(res.status).toBe(200);
      // 2030-12-24 is a Tuesday.
      expect(
        res.body.items.map((i) => [i.at, i.skipped ?? null, i.notes]),
      ).toEqual([
        ['2030-12-23T01:30:00.000Z', null, []],
        [
          '2030-12-24T01:30:00.000Z',
          'exclusion',
          ['excluded by exclusions[0] (Tuesday): skipped'],
        ],
        [
          '2030-12-25T01:30:00.000Z',
          'exclusion',
          ["excluded by calendar 'xmas' (2030-12-25): skipped"],
        ],
        ['2030-12-26T01:30:00.000Z', null, []],
      ]);
      expect(await api.count('schedules')).toBeGreaterThan(0);
    });

    it('applies the DST policies sent: a gap wall time shifted by default, skipped with skip', async () => {
      // Europe/Berlin springs forward on 2031-03-30 02:00 → 03:00: 02:30 does not exist.
      const at = async (extra: Record<string, unknown>) => {
        const res = await api.request<PreviewResponse>(
          'POST',
          '/schedules/preview',
          { schedule: daily, from: '2031-03-29T00:00:00Z', count: 2, ...extra },
          bearer(teamA),
        );
        expect(res.status).toBe(200);
        return res.body.items.map((i) => i.at);
      };
      expect(await at({})).toEqual([
        '2031-03-29T01:30:00.000Z',
        '2031-03-30T01:00:00.000Z',
      ]);
      expect(await at({ dstGapPolicy: 'skip' })).toEqual([
        '2031-03-29T01:30:00.000Z',
        '2031-03-31T00:30:00.000Z',
      ]);
    });

    it('shows where a flexible window fires, the catch-up deadline and the overlap policy', async () => {
      const schedule = await createSchedule({
        schedule: daily,
        flexibleWindow: 'PT5M',
      });
      const res = await api.request<PreviewResponse>(
        'POST',
        '/schedules/preview',
        {
          schedule: daily,
          from: '2030-12-23T00:00:00Z',
          count: 1,
          scheduleId: schedule.id,
          flexibleWindow: 'PT5M',
          catchUpWindow: 'PT10M',
          overlapPolicy: 'skip',
        },
        bearer(teamA),
      );
      expect(res.status).toBe(200);
      const [item] = res.body.items;
      const firesAt = Date.parse(item.firesAt ?? '');
      const at = Date.parse('2030-12-23T01:30:00.000Z');
      expect(firesAt - at).toBeGreaterThanOrEqual(0);
      expect(firesAt - at).toBeLessThanOrEqual(300_000);
      expect(item.notes).toEqual([
        expect.stringMatching(
          /^fires at 2030-12-23 02:3\d.* into its 5 min flexible window$/,
        ),
        // The deadline counts from the instant the window fires it at.
        expect.stringContaining(
          `(${new Date(firesAt + 600_000).toISOString()}), it is skipped: catch-up window of 10 min`,
        ),
        'skipped if the previous execution has not finished by then (overlap policy skip)',
      ]);
    });

    it('marks occurrences before the end of a pause', async () => {
      const until = new Date(Date.now() + 2 * 86_400_000);
      const res = await api.request<PreviewResponse>(
        'POST',
        '/schedules/preview',
        {
          schedule: { type: 'cron', expression: '0 0 * * *' },
          count: 3,
          pausedUntil: until.toISOString(),
        },
        bearer(teamA),
      );
      expect(res.status).toBe(200);
      const skipped = res.body.items.filter((i) => i.skipped === 'paused');
      expect(skipped.length).toBeGreaterThanOrEqual(1);
      for (const item of skipped)
        expect(Date.parse(item.at)).toBeLessThan(until.getTime());
      expect(skipped[0]?.notes.at(-1)).toMatch(
        /^paused until .*: does not fire$/,
      );
    });

    it.each([
      [
        'a bad exclusion',
        { exclusions: [{ date: 'x' }] },
        'exclusions[0].date',
      ],
      ['a bad flexible window', { flexibleWindow: 'PT0S' }, 'flexibleWindow'],
      ['an unknown calendar', { calendarIds: [UNKNOWN_ID] }, 'calendarIds[0]'],
      ['a bad schedule id', { scheduleId: 'nope' }, 'scheduleId'],
    ])('refuses %s naming the field', async (_name, body, field) => {
      const res = await api.request(
        'POST',
        '/schedules/preview',
        { schedule: daily, ...body },
        bearer(teamA),
      );
      expectProblem(res, 400, field);
    });
  });
});
