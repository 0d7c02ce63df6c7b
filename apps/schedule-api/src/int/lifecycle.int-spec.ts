import {
  type ExecutionListResponse,
  type ExecutionResponse,
  executionIdFor,
  type ScheduleResponse,
  type UpcomingResponse,
} from '@scheduleman/domain';
import { WAKEUP_CHANNEL } from '@scheduleman/domain/persistence';
import { waitFor } from '@scheduleman/testkit';
import { Client, type Notification } from 'pg';
import {
  type ApiHarness,
  type ApiResponse,
  cronBody,
  expectProblem,
  nextRunMs,
  oneShotAt,
  startApi,
} from './api-harness';

interface ExecutionState {
  status: string;
  finished_at: Date | null;
  error: string | null;
}

describe('schedule API: pause, resume, edit, run-now and history', () => {
  let api: ApiHarness;
  let listener: Client;
  const notifications: Notification[] = [];

  beforeAll(async () => {
    api = await startApi('api_lifecycle');
    listener = new Client({ connectionString: api.db.url });
    await listener.connect();
    listener.on('notification', (n) => notifications.push(n));
    await listener.query(`listen ${WAKEUP_CHANNEL}`);
  });

  afterAll(async () => {
    await listener.end();
    await api.close();
  });

  async function create(
    body: Record<string, unknown> = {},
  ): Promise<ApiResponse<ScheduleResponse>> {
    const res = await api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody(body),
    );
    expect(res.status).toBe(201);
    return res;
  }

  /** A pending execution due `inMs` from the database's now, optionally leased to `owner`. */
  async function insertExecution(
    scheduleId: string,
    inMs: number,
    owner: string | null = null,
    status = 'pending',
  ): Promise<string> {
    const rows: { id: string }[] = await api.sql.query(
      `insert into executions (id, schedule_id, scheduled_at, due_at, status, lease_owner, lease_expires_at, lease_version)
select gen_random_uuid(), $1::uuid, t, t, $3::text, $4::text, case when $4::text is null then null else now() + interval '4 seconds' end,
case when $4::text is null then 0 else 1 end
from (select now() + $2::int * interval '1 millisecond' as t) as due
returning id`,
      [scheduleId, inMs, status, owner],
    );
    return rows[0].id;
  }

  async function executionState(id: string): Promise<ExecutionState> {
    const rows: ExecutionState[] = await api.sql.query(
      'select status, finished_at, error from executions where id = $1',
      [id],
    );
    return rows[0];
  }

  async function versionOf(id: string): Promise<number> {
    const rows: { version: number }[] = await api.sql.query(
      'select version from schedules where id = $1',
      [id],
    );
    return rows[0].version;
  }

  it('pauses: no next run, pending executions due more than 2 s from now cancelled, sooner ones kept', async () => {
    const schedule = await create();
    const soon = await insertExecution(schedule.body.id, 1_000, 'scheduler-a');
    const later = await insertExecution(schedule.body.id, 30_000);
    const muchLater = await insertExecution(
      schedule.body.id,
      600_000,
      'scheduler-a',
    );
    const done = await insertExecution(
      schedule.body.id,
      -60_000,
      null,
      'succeeded',
    );

    const res = await api.request<ScheduleResponse>(
      'POST',
      `/schedules/${schedule.body.id}/pause`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: schedule.body.id,
      status: 'paused',
      nextRunAt: null,
    });

    expect(await executionState(soon)).toMatchObject({
      status: 'pending',
      finished_at: null,
    });
    const cancelled = await executionState(later);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.finished_at).toBeInstanceOf(Date);
    expect(cancelled.error).toContain('paused');
    expect(await executionState(muchLater)).toMatchObject({
      status: 'cancelled',
    });
    expect(await executionState(done)).toMatchObject({ status: 'succeeded' });
  });

  it('treats pausing a paused schedule as a no-op (200)', async () => {
    const schedule = await create();
    await api.request('POST', `/schedules/${schedule.body.id}/pause`);
    const version = await versionOf(schedule.body.id);
    const again = await api.request<ScheduleResponse>(
      'POST',
      `/schedules/${schedule.body.id}/pause`,
    );
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('paused');
    expect(await versionOf(schedule.body.id)).toBe(version);
  });

  it('resumes a paused cron from now, and treats resuming an active schedule as a no-op', async () => {
    const schedule = await create({
      schedule: { type: 'cron', expression: '*/2 * * * * *' },
    });
    await api.request('POST', `/schedules/${schedule.body.id}/pause`);
    const before = Date.now();
    const res = await api.request<ScheduleResponse>(
      'POST',
      `/schedules/${schedule.body.id}/resume`,
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('active');
    expect(nextRunMs(res.body)).toBeGreaterThan(before - 1_000);
    expect(new Date(nextRunMs(res.body)).getUTCSeconds() % 2).toBe(0);
    const again = await api.request<ScheduleResponse>(
      'POST',
      `/schedules/${schedule.body.id}/resume`,
    );
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
  });

  it('resumes a one-shot whose time passed while paused at that time, leaving the misfire policy to the scheduler', async () => {
    const schedule = await create({
      schedule: { type: 'delay', delay: 'PT1H' },
    });
    await api.request('POST', `/schedules/${schedule.body.id}/pause`);
    const past = new Date(Date.now() - 60_000).toISOString();
    await api.sql.query(
      `update schedules set schedule = jsonb_set(schedule, '{at}', to_jsonb($2::text)) where id = $1`,
      [schedule.body.id, past],
    );
    const res = await api.request(
      'POST',
      `/schedules/${schedule.body.id}/resume`,
    );
    expect(res.body).toMatchObject({ status: 'active', nextRunAt: past });
  });

  it('refuses to pause or resume a completed schedule (409 naming status), and reactivates it on a new schedule', async () => {
    const schedule = await create({
      schedule: { type: 'delay', delay: 'PT1H' },
    });
    // What the planner does once a one-shot is handed to a scheduler.
    await api.sql.query(
      `update schedules set status = 'completed', next_run_at = null where id = $1`,
      [schedule.body.id],
    );
    for (const action of ['resume', 'pause']) {
      const res = await api.request(
        'POST',
        `/schedules/${schedule.body.id}/${action}`,
      );
      const body = expectProblem(res, 409, 'status');
      expect(body).toMatchObject({ error: 'Conflict', code: 'CONFLICT' });
      expect(body.message).toContain('completed');
    }
    const upcoming = await api.request<UpcomingResponse>(
      'GET',
      `/schedules/${schedule.body.id}/upcoming`,
    );
    expect(upcoming.body.items).toEqual([]);
    const patched = await api.request<ScheduleResponse>(
      'PATCH',
      `/schedules/${schedule.body.id}`,
      { schedule: { type: 'delay', delay: 'PT2H' } },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.status).toBe('active');
    expect(patched.body.nextRunAt).toBe(oneShotAt(patched.body));
  });

  it('editing the timing cancels pending executions due more than 2 s from now and keeps the rest', async () => {
    const schedule = await create({
      schedule: { type: 'cron', expression: '0 * * * *' },
    });
    const soon = await insertExecution(schedule.body.id, 500, 'scheduler-a');
    const later = await insertExecution(schedule.body.id, 5_000, 'scheduler-a');
    const res = await api.request<ScheduleResponse>(
      'PATCH',
      `/schedules/${schedule.body.id}`,
      { schedule: { type: 'cron', expression: '30 * * * *' } },
    );
    expect(res.status).toBe(200);
    expect(new Date(nextRunMs(res.body)).getUTCMinutes()).toBe(30);
    expect(await executionState(soon)).toMatchObject({ status: 'pending' });
    const cancelled = await executionState(later);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error).toContain('edited');
  });

  it('editing only the name cancels nothing', async () => {
    const schedule = await create();
    const later = await insertExecution(schedule.body.id, 60_000);
    await api.request('PATCH', `/schedules/${schedule.body.id}`, {
      name: 'renamed',
    });
    expect(await executionState(later)).toMatchObject({ status: 'pending' });
  });

  it('editing the timing of a paused schedule keeps it paused', async () => {
    const schedule = await create();
    await api.request('POST', `/schedules/${schedule.body.id}/pause`);
    const res = await api.request('PATCH', `/schedules/${schedule.body.id}`, {
      schedule: { type: 'cron', expression: '15 * * * *' },
    });
    expect(res.body).toMatchObject({
      status: 'paused',
      nextRunAt: null,
      schedule: { expression: '15 * * * *' },
    });
  });

  it('waits for a scheduler that holds the schedule row, then applies the edit after it', async () => {
    const schedule = await create({
      schedule: { type: 'cron', expression: '0 0 * * *' },
    });
    const planner = api.db.url;
    const client = new Client({
      connectionString: planner,
      application_name: 'fake-planner',
    });
    await client.connect();
    try {
      await client.query('begin');
      await client.query('select id from schedules where id = $1 for update', [
        schedule.body.id,
      ]);
      const edit = api.request<ScheduleResponse>(
        'PATCH',
        `/schedules/${schedule.body.id}`,
        { schedule: { type: 'cron', expression: '0 12 * * *' } },
      );
      // The API's transaction is now queued behind our row lock.
      await waitFor('the API to wait on the row lock', async () => {
        const rows: unknown[] = await api.sql.query(
          `select 1 from pg_stat_activity where datname = current_database() and application_name = 'schedule-api' and wait_event_type = 'Lock'`,
        );
        return rows.length > 0;
      });
      await client.query(
        `update schedules set next_run_at = '2000-01-01T00:00:00Z' where id = $1`,
        [schedule.body.id],
      );
      await client.query('commit');
      const res = await edit;
      expect(res.status).toBe(200);
      expect(new Date(nextRunMs(res.body)).getUTCHours()).toBe(12);
    } finally {
      await client.end();
    }
  });

  it('runs now: a pending, unleased execution due at once, and a NOTIFY to the schedulers', async () => {
    const schedule = await create({
      schedule: { type: 'cron', expression: '0 0 1 1 *' },
      maxAttempts: 3,
    });
    await api.request('POST', `/schedules/${schedule.body.id}/pause`);
    notifications.length = 0;
    const before = Date.now();
    const res = await api.request<ExecutionResponse>(
      'POST',
      `/schedules/${schedule.body.id}/trigger`,
    );
    expect(res.status).toBe(202);
    const { scheduledAt } = res.body;
    expect(res.body).toEqual({
      id: executionIdFor(schedule.body.id, new Date(scheduledAt)),
      scheduleId: schedule.body.id,
      scheduledAt,
      dueAt: scheduledAt,
      firedAt: null,
      finishedAt: null,
      status: 'pending',
      attempts: 0,
      maxAttempts: 3,
      schedulerId: null,
      responseStatus: null,
      error: null,
      reason: null,
      occurrences: 1,
      lastScheduledAt: scheduledAt,
      result: null,
    });
    expect(Math.abs(Date.parse(scheduledAt) - before)).toBeLessThan(60_000);
    const rows: { lease_owner: string | null; due_at: Date }[] =
      await api.sql.query(
        'select lease_owner, due_at from executions where id = $1',
        [res.body.id],
      );
    expect(rows).toEqual([
      { lease_owner: null, due_at: new Date(scheduledAt) },
    ]);
    const wakeup = await waitFor('the run-now NOTIFY', () =>
      notifications.find((n) => n.payload?.includes(res.body.id)),
    );
    expect(wakeup.channel).toBe(WAKEUP_CHANNEL);
    expect(JSON.parse(wakeup.payload ?? '{}')).toMatchObject({
      scheduleId: schedule.body.id,
      reason: 'run-now',
    });
    expect(
      (
        await api.request(
          'POST',
          '/schedules/00000000-0000-4000-8000-000000000000/trigger',
        )
      ).status,
    ).toBe(404);
  });

  it('notifies the schedulers when a new schedule is due within seconds, and not when it is far off', async () => {
    notifications.length = 0;
    const far = await create({ schedule: { type: 'delay', delay: 'PT1H' } });
    const near = await create({ schedule: { type: 'delay', delay: 'PT2S' } });
    const first = await waitFor('a wake-up', () =>
      notifications.length > 0 ? notifications[0] : undefined,
    );
    expect(JSON.parse(first.payload ?? '{}')).toMatchObject({
      scheduleId: near.body.id,
      reason: 'created',
    });
    expect(notifications.some((n) => n.payload?.includes(far.body.id))).toBe(
      false,
    );
  });

  it('answers skipped rows of the ledger with their reason, and a range row with its occurrences', async () => {
    const schedule = await create();
    const id = schedule.body.id;
    // As the planner's INSERT_PLANNED_EXECUTIONS writes them: a range of 3 600 skipped
    // occurrences, then one skipped occurrence, then a fired one.
    await api.sql.query(
      `insert into executions (id, schedule_id, scheduled_at, due_at, status, finished_at, reason, occurrence_count, last_scheduled_at)
       values (gen_random_uuid(), $1::uuid, '2030-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'skipped', now(), 'misfire_policy', 3600, '2030-01-01T00:59:59Z'),
              (gen_random_uuid(), $1::uuid, '2030-01-01T01:00:00Z', '2030-01-01T01:00:00Z', 'skipped', now(), 'misfire_policy', 1, null)`,
      [id],
    );
    const res = await api.request<ExecutionListResponse>(
      'GET',
      `/schedules/${id}/executions`,
    );
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((e) => [
        e.status,
        e.reason,
        e.scheduledAt,
        e.lastScheduledAt,
        e.occurrences,
      ]),
    ).toEqual([
      [
        'skipped',
        'misfire_policy',
        '2030-01-01T01:00:00.000Z',
        '2030-01-01T01:00:00.000Z',
        1,
      ],
      [
        'skipped',
        'misfire_policy',
        '2030-01-01T00:00:00.000Z',
        '2030-01-01T00:59:59.000Z',
        3600,
      ],
    ]);
    // The database refuses a skipped row without a reason, and a reason on a fired row.
    await expect(
      api.sql.query(
        `insert into executions (id, schedule_id, scheduled_at, due_at, status) values (gen_random_uuid(), $1::uuid, now(), now(), 'skipped')`,
        [id],
      ),
    ).rejects.toThrow(/executions_reason_check/);
    await expect(
      api.sql.query(
        `insert into executions (id, schedule_id, scheduled_at, due_at, status, reason) values (gen_random_uuid(), $1::uuid, now(), now(), 'pending', 'exclusion')`,
        [id],
      ),
    ).rejects.toThrow(/executions_reason_check/);
  });

  it('pages through the execution history newest first, only of that schedule', async () => {
    const schedule = await create();
    const other = await create();
    await api.sql.query(
      `insert into executions (id, schedule_id, scheduled_at, due_at, status, attempts, scheduler_id, fired_at, response_status)
select gen_random_uuid(), $1::uuid, t, t, 'succeeded', 1, 'scheduler-a', t + interval '5 milliseconds', 200
from (select timestamptz '2030-01-01T00:00:00Z' + i * interval '1 minute' + i * interval '1 microsecond' as t from generate_series(1, 25) as i) as s`,
      [schedule.body.id],
    );
    await insertExecution(other.body.id, 0);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse<ExecutionListResponse> = await api.request(
        'GET',
        `/schedules/${schedule.body.id}/executions?limit=10${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((e) => e.scheduledAt));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort().reverse()).toEqual(seen);
    const first = await api.request<ExecutionListResponse>(
      'GET',
      `/schedules/${schedule.body.id}/executions?limit=1`,
    );
    const [latest] = first.body.items;
    expect(latest).toMatchObject({
      scheduleId: schedule.body.id,
      status: 'succeeded',
      attempts: 1,
      schedulerId: 'scheduler-a',
      responseStatus: 200,
      error: null,
    });
    expect(latest.firedAt).toBe(
      new Date(Date.parse(latest.scheduledAt) + 5).toISOString(),
    );
    expect(
      (
        await api.request(
          'GET',
          '/schedules/00000000-0000-4000-8000-000000000000/executions',
        )
      ).status,
    ).toBe(404);
  });
});
