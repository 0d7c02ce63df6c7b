import type {
  ScheduleHistoryResponse,
  ScheduleResponse,
} from '@scheduleman/domain';
import { MAX_NOTE_LENGTH } from '@scheduleman/domain';
import { cronBody, expectProblem } from './api-harness';
import { type AuthFixture, OWNER_A, startAuthFixture } from './auth-fixture';

const SETUP_TIMEOUT_MS = 60_000;

describe('schedule API: the schedule history (GET /schedules/:id/history)', () => {
  let f: AuthFixture;

  beforeAll(async () => {
    f = await startAuthFixture('api_schedule_history');
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await f.close();
  });

  async function createSchedule(): Promise<string> {
    const created = await f.call<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody({ owner: OWNER_A }),
      'writerA',
    );
    expect(created.status).toBe(201);
    return created.body.id;
  }

  it('records pause and resume with who, when and the note, and an edit with its fields, newest first', async () => {
    const id = await createSchedule();
    const paused = await f.call<ScheduleResponse>(
      'POST',
      `/schedules/${id}/pause`,
      { note: 'database migration, OPS-123' },
      'writerA',
    );
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    // Pausing a paused schedule changes nothing, so its note is not recorded.
    await f.call(
      'POST',
      `/schedules/${id}/pause`,
      { note: 'again' },
      'writerA',
    );
    const edited = await f.call(
      'PATCH',
      `/schedules/${id}`,
      { name: 'renamed' },
      'writerA',
    );
    expect(edited.status).toBe(200);
    // No body at all: a resume without a note.
    const resumed = await f.call<ScheduleResponse>(
      'POST',
      `/schedules/${id}/resume`,
      undefined,
      'admin',
    );
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('active');

    const history = await f.call<ScheduleHistoryResponse>(
      'GET',
      `/schedules/${id}/history`,
      undefined,
      'readerA',
    );
    expect(history.status).toBe(200);
    const writer = { keyId: f.keyIds.writerA, owner: OWNER_A };
    expect({
      ...history.body,
      items: history.body.items.map((e) => ({ ...e, at: typeof e.at })),
    }).toEqual({
      items: [
        {
          at: 'string',
          action: 'resumed',
          actor: { keyId: null, owner: null },
          note: null,
        },
        {
          at: 'string',
          action: 'updated',
          actor: writer,
          note: null,
          changes: ['name'],
        },
        {
          at: 'string',
          action: 'paused',
          actor: writer,
          note: 'database migration, OPS-123',
        },
        {
          at: 'string',
          action: 'created',
          actor: writer,
          note: null,
        },
      ],
      nextCursor: null,
    });
    const times = history.body.items.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('pages with limit and cursor, each entry once', async () => {
    const id = await createSchedule();
    for (let i = 0; i < 3; i++) {
      await f.call(
        'POST',
        `/schedules/${id}/pause`,
        { note: `p${i}` },
        'writerA',
      );
      await f.call(
        'POST',
        `/schedules/${id}/resume`,
        { note: `r${i}` },
        'writerA',
      );
    }
    const notes: (string | null)[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor
        ? `?limit=2&cursor=${encodeURIComponent(cursor)}`
        : '?limit=2';
      const res = await f.call<ScheduleHistoryResponse>(
        'GET',
        `/schedules/${id}/history${query}`,
        undefined,
        'readerA',
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      notes.push(...res.body.items.map((e) => e.note));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(4);
    expect(notes).toEqual(['r2', 'p2', 'r1', 'p1', 'r0', 'p0', null]);
  });

  it('refuses a note that is too long or not a string with a 400 naming note, and changes nothing', async () => {
    const id = await createSchedule();
    const tooLong = await f.call(
      'POST',
      `/schedules/${id}/pause`,
      { note: 'x'.repeat(MAX_NOTE_LENGTH + 1) },
      'writerA',
    );
    expectProblem(tooLong, 400, 'note');
    const notString = await f.call(
      'POST',
      `/schedules/${id}/pause`,
      { note: 42 },
      'writerA',
    );
    expectProblem(notString, 400, 'note');
    const got = await f.call<ScheduleResponse>(
      'GET',
      `/schedules/${id}`,
      undefined,
      'readerA',
    );
    expect(got.body.status).toBe('active');
  });

  it("answers 404 for another owner's schedule", async () => {
    const id = await createSchedule();
    const res = await f.call(
      'GET',
      `/schedules/${id}/history`,
      undefined,
      'readerB',
    );
    expect(res.status).toBe(404);
  });
});
