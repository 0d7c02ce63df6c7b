import {
  type ConnectionResponse,
  type ErrorResponse,
  type ScheduleResponse,
} from '@scheduleman/domain';
import {
  type ApiHarness,
  cronBody,
  expectProblem,
  startApi,
} from './api-harness';

const SETUP_TIMEOUT_MS = 30_000;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('schedules that use a connection', () => {
  let api: ApiHarness;
  let rabbitA: ConnectionResponse;
  let redisA: ConnectionResponse;
  let rabbitB: ConnectionResponse;

  beforeAll(async () => {
    api = await startApi('api_schedule_connections');
    rabbitA = await connection('rabbit', 'amqp', 'amqp://127.0.0.1', 'team-a');
    redisA = await connection('redis', 'redis', 'redis://127.0.0.1', 'team-a');
    rabbitB = await connection('rabbit', 'amqp', 'amqp://127.0.0.1', 'team-b');
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await api.close();
  });

  async function connection(
    name: string,
    type: string,
    url: string,
    owner: string,
  ): Promise<ConnectionResponse> {
    const res = await api.request<ConnectionResponse>('POST', '/connections', {
      name,
      type,
      url,
      owner,
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  function amqp(connectionId: string): Record<string, unknown> {
    return { type: 'amqp', connectionId, exchange: '', routingKey: 'jobs' };
  }

  async function schedule(
    trigger: Record<string, unknown>,
    owner = 'team-a',
  ): Promise<ScheduleResponse> {
    const res = await api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody({ owner, trigger }),
    );
    expect({ status: res.status, body: res.body }).toMatchObject({
      status: 201,
    });
    return res.body;
  }

  it('creates a schedule on a connection of its owner and the trigger’s type', async () => {
    const created = await schedule(amqp(rabbitA.id));
    expect(created.trigger).toMatchObject({ connectionId: rabbitA.id });
    const onRedis = await schedule({
      type: 'redis-stream',
      connectionId: redisA.id,
      stream: 'jobs',
    });
    expect(onRedis.trigger).toMatchObject({ connectionId: redisA.id });
  });

  it('refuses another owner’s connection exactly like a missing one', async () => {
    const before = await api.count('schedules');
    const foreign = await api.request<ErrorResponse>(
      'POST',
      '/schedules',
      cronBody({ trigger: amqp(rabbitB.id) }),
    );
    const missing = await api.request<ErrorResponse>(
      'POST',
      '/schedules',
      cronBody({ trigger: amqp(UNKNOWN_ID) }),
    );
    const foreignBody = expectProblem(foreign, 400, 'trigger.connectionId');
    const missingBody = expectProblem(missing, 400, 'trigger.connectionId');
    expect(foreignBody.errors[0].message).toBe(
      missingBody.errors[0].message.replace(UNKNOWN_ID, rabbitB.id),
    );
    expect(await api.count('schedules')).toBe(before);
  });

  it('refuses a connection of another type, naming trigger.connectionId', async () => {
    const res = await api.request('POST', '/schedules', {
      ...cronBody(),
      trigger: amqp(redisA.id),
    });
    expect(expectProblem(res, 400, 'trigger.connectionId').message).toMatch(
      /is of type "redis"; a "amqp" trigger needs a "amqp" connection/,
    );
    const redisOnRabbit = await api.request('POST', '/schedules', {
      ...cronBody(),
      trigger: { type: 'redis-stream', connectionId: rabbitA.id, stream: 's' },
    });
    expectProblem(redisOnRabbit, 400, 'trigger.connectionId');
  });

  it('checks the connection again when PATCH changes the trigger or the owner', async () => {
    const created = await schedule(amqp(rabbitA.id));
    const path = `/schedules/${created.id}`;
    expectProblem(
      await api.request('PATCH', path, { trigger: amqp(rabbitB.id) }),
      400,
      'trigger.connectionId',
    );
    expectProblem(
      await api.request('PATCH', path, { owner: 'team-b' }),
      400,
      'trigger.connectionId',
    );
    const both = await api.request<ScheduleResponse>('PATCH', path, {
      owner: 'team-b',
      trigger: amqp(rabbitB.id),
    });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({
      owner: 'team-b',
      trigger: { connectionId: rabbitB.id },
    });
    const renamed = await api.request('PATCH', path, { name: 'renamed' });
    expect(renamed.status).toBe(200);
  });

  it('keeps a connection that a schedule uses until the schedule goes, or cascade', async () => {
    const own = await connection(
      'short-lived',
      'amqp',
      'amqp://127.0.0.1',
      'team-a',
    );
    const user = await schedule(amqp(own.id));
    const refused = await api.request('DELETE', `/connections/${own.id}`);
    expect(expectProblem(refused, 409, 'id').message).toContain(user.id);
    expect(
      (await api.request('DELETE', `/connections/${own.id}?cascade=true`))
        .status,
    ).toBe(204);
    expectProblem(await api.request('GET', `/schedules/${user.id}`), 404, 'id');
  });

  it('makes a DELETE wait for a schedule being created on the connection, and then see it', async () => {
    const racing = await connection(
      'racing',
      'amqp',
      'amqp://127.0.0.1',
      'team-a',
    );
    // A creation in flight: it holds the connection's share lock (as SchedulesService
    // does between its check and its commit) and has inserted its schedule.
    const runner = api.sql.createQueryRunner();
    await runner.connect();
    await runner.startTransaction('READ COMMITTED');
    try {
      await runner.query(
        `select 1 from connections where id = $1::uuid for share`,
        [racing.id],
      );
      await runner.query(
        `insert into schedules (id, owner, schedule_type, schedule, trigger_type, trigger)
values (gen_random_uuid(), 'team-a', 'cron', '{"type":"cron","expression":"0 * * * *"}'::jsonb, 'amqp', $1::jsonb)`,
        [JSON.stringify(amqp(racing.id))],
      );
      let settled = false;
      const deletion = api
        .request<ErrorResponse>('DELETE', `/connections/${racing.id}`)
        .finally(() => {
          settled = true;
        });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled).toBe(false);
      await runner.commitTransaction();
      const res = await deletion;
      expectProblem(res, 409, 'id');
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
