import type {
  CreatedApiKeyResponse,
  ScheduleResponse,
} from '@scheduleman/domain';
import {
  type ApiHarness,
  type ApiResponse,
  bearer,
  cronBody,
  expectProblem,
  startApi,
} from './api-harness';

/**
 * Concurrent POST /schedules are written in groups (CoalescedCreations): each request
 * must still get exactly its own answer, a quota refusal must fail only the creations
 * that go over, every created schedule has its own `schedule.created` event, and the
 * owners' totals stay equal to their schedules. QUOTA_MAX_SCHEDULES_PER_OWNER=40 and
 * QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER=2 (two `* * * * *` crons are an owner's rate).
 */
describe('concurrent single creations written together', () => {
  let api: ApiHarness;
  const logs: string[] = [];

  beforeAll(async () => {
    api = await startApi('api_coalesced', {
      logs,
      quotas: { maxSchedulesPerOwner: 40, maxFiresPerMinutePerOwner: 2 },
    });
  });

  afterAll(async () => {
    await api.close();
  });

  async function keyOf(owner: string): Promise<{
    auth: Record<string, string>;
    keyId: string;
  }> {
    const res = await api.request<CreatedApiKeyResponse>('POST', '/api-keys', {
      owner,
      scopes: ['schedules:write'],
    });
    expect(res.status).toBe(201);
    return { auth: bearer(res.body.key), keyId: res.body.id };
  }

  const inAnHour = { type: 'delay', delay: 'PT1H' };
  const everyMinute = { type: 'cron', expression: '* * * * *' };

  function create(
    auth: Record<string, string>,
    name: string,
    schedule: unknown = inAnHour,
  ): Promise<ApiResponse<ScheduleResponse>> {
    return api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      { ...cronBody({ owner: undefined, schedule }), name },
      auth,
    );
  }

  /** The owner's totals and what its schedules add up to: equal when the quotas are exact. */
  async function totals(owner: string): Promise<{
    stored: { schedules: number; firesPerHour: number } | null;
    counted: { schedules: number; firesPerHour: number };
  }> {
    const usage = await api.sql.query<
      { schedules: number; fires_per_hour: number }[]
    >(
      `select schedules, fires_per_hour::float8 as fires_per_hour from owner_usage where owner = $1`,
      [owner],
    );
    const [counted] = await api.sql.query<
      { schedules: number; fires_per_hour: number }[]
    >(
      `select count(*)::int as schedules, coalesce(sum(fires_per_hour), 0)::float8 as fires_per_hour from schedules where owner = $1`,
      [owner],
    );
    const stored = usage.at(0);
    return {
      stored: stored
        ? { schedules: stored.schedules, firesPerHour: stored.fires_per_hour }
        : null,
      counted: {
        schedules: counted.schedules,
        firesPerHour: counted.fires_per_hour,
      },
    };
  }

  /** Each 201 is the schedule its request asked for, stored, with one event of its key. */
  async function expectOwnAnswers(
    names: string[],
    answers: ApiResponse<ScheduleResponse>[],
    owner: string,
    keyId: string,
  ): Promise<ScheduleResponse[]> {
    const created = answers.flatMap((res, i) => {
      if (res.status !== 201) return [];
      expect(res.body).toMatchObject({ name: names[i], owner });
      return [res.body];
    });
    const ids = created.map((schedule) => schedule.id);
    expect(new Set(ids).size).toBe(ids.length);
    const stored = await api.sql.query<{ id: string; name: string }[]>(
      `select id, name from schedules where id = any($1::uuid[])`,
      [ids],
    );
    expect(new Map(stored.map((row) => [row.id, row.name]))).toEqual(
      new Map(created.map((schedule) => [schedule.id, schedule.name])),
    );
    const events = await api.sql.query<
      { schedule_id: string; n: number; details: unknown; key: string }[]
    >(
      `select schedule_id, count(*)::int as n, min(details::text)::jsonb as details, min(actor_key_id::text) as key
from audit_events where action = 'schedule.created' and schedule_id = any($1::uuid[]) group by schedule_id`,
      [ids],
    );
    expect(events).toHaveLength(ids.length);
    for (const event of events) {
      const schedule = created.find(({ id }) => id === event.schedule_id);
      expect(event).toEqual({
        schedule_id: schedule?.id,
        n: 1,
        details: {
          scheduleType: schedule?.schedule.type,
          triggerType: 'webhook',
        },
        key: keyId,
      });
    }
    return created;
  }

  it('answers 50 concurrent creations of one owner each on its own, quota refusals in the middle', async () => {
    const { auth, keyId } = await keyOf('coalesced-one');
    // 50 creations for 40 places, three of them crons of which the rate allows two,
    // and one invalid body: refusals land in the middle of the groups.
    const names = Array.from({ length: 50 }, (_, i) => `one-${i}`);
    const answers = await Promise.all(
      names.map((name, i) =>
        i === 20
          ? create(auth, name, { type: 'delay', delay: 'soon' })
          : create(auth, name, i >= 10 && i < 13 ? everyMinute : inAnHour),
      ),
    );
    expectProblem(answers[20], 400, 'schedule.delay');
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(40);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    for (const res of answers.filter((r) => r.status === 409))
      expect(expectProblem(res, 409, 'owner').code).toBe('QUOTA_EXCEEDED');
    const created = await expectOwnAnswers(
      names,
      answers,
      'coalesced-one',
      keyId,
    );
    const crons = created.filter(({ schedule }) => schedule.type === 'cron');
    expect(crons.length).toBeLessThanOrEqual(2);
    const { stored, counted } = await totals('coalesced-one');
    expect(stored).toEqual(counted);
    expect(counted).toEqual({
      schedules: 40,
      firesPerHour: 60 * crons.length,
    });
    // Written together: creations shared a transaction (the same created_at).
    const [shared] = await api.sql.query<{ transactions: number }[]>(
      `select count(distinct created_at)::int as transactions from schedules where owner = 'coalesced-one'`,
    );
    expect(shared.transactions).toBeLessThan(40);
    // The refused groups were written again one by one.
    expect(logs.join('\n')).toContain('creation group written one by one');
  });

  it('answers concurrent creations of several owners, one of them at its quota', async () => {
    const owners = ['multi-a', 'multi-b', 'multi-c', 'multi-d'];
    const keys = await Promise.all(owners.map((owner) => keyOf(owner)));
    // multi-d already holds 37 of its 40 places.
    const full = keys[3];
    for (let i = 0; i < 37; i++)
      expect((await create(full.auth, `d-before-${i}`)).status).toBe(201);
    const requests = Array.from({ length: 48 }, (_, i) => ({
      owner: i % 4,
      name: `multi-${i}`,
    }));
    const answers = await Promise.all(
      requests.map(({ owner, name }) => create(keys[owner].auth, name)),
    );
    for (const [index, owner] of owners.entries()) {
      const mine = requests.flatMap((r, i) => (r.owner === index ? [i] : []));
      const names = mine.map((i) => requests[i].name);
      const theirs = mine.map((i) => answers[i]);
      const created = await expectOwnAnswers(
        names,
        theirs,
        owner,
        keys[index].keyId,
      );
      expect(created).toHaveLength(owner === 'multi-d' ? 3 : 12);
      for (const res of theirs.filter((r) => r.status !== 201))
        expectProblem(res, 409, 'owner');
      const { stored, counted } = await totals(owner);
      expect(stored).toEqual(counted);
      expect(counted.schedules).toBe(owner === 'multi-d' ? 40 : 12);
    }
  });

  it('creates a lone schedule as before, with its event', async () => {
    const { auth, keyId } = await keyOf('coalesced-lone');
    const res = await create(auth, 'lone');
    await expectOwnAnswers(['lone'], [res], 'coalesced-lone', keyId);
    expect((await totals('coalesced-lone')).stored).toEqual({
      schedules: 1,
      firesPerHour: 0,
    });
  });
});
