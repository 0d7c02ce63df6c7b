import {
  type CreateScheduleRequest,
  type ExecutionResponse,
  type ScheduleHistoryResponse,
  type ScheduleResponse,
} from '@scheduleman/domain';
import {
  Cluster,
  createTestDatabase,
  freePort,
  TEST_ADMIN_API_KEY,
  TEST_AUTH_ENV,
  testResultToken,
  type TestDatabase,
  waitFor,
} from '@scheduleman/testkit';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from 'pg';
import {
  connectSql,
  LOOPBACK_ALLOWED,
  PRETENDER,
  schedulerSpec,
} from './stack';

const WAIT = { timeoutMs: 15_000, intervalMs: 100 };

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * The result loop with the built apps: the built API, one built scheduler with
 * PUBLIC_API_URL pointing at it, the built task-pretender and a receiver of our own
 * that never reports (so the test does). A delivery carries its result URL and token;
 * reports are idempotent, a different one is a 409, a forged token a 403, a late one
 * recorded; no report within resultTimeout ends `result_timeout` (and the metric counts
 * it); the task-pretender reports by itself; a pausedUntil ends by itself; a buffered
 * occurrence is released the moment its predecessor's result comes in.
 */
describe('the result loop, end to end', () => {
  const cluster = new Cluster();
  let db: TestDatabase;
  let sql: Client;
  let apiBase: string;
  let schedulerBase: string;
  let pretenderBase: string;
  let receiver: Server;
  let receiverBase: string;
  const received: Received[] = [];

  beforeAll(
    cluster.withLogs(async () => {
      db = await createTestDatabase('e2e_result_loop');
      receiver = createServer((req, res) => {
        let text = '';
        req.on('data', (chunk: Buffer) => (text += chunk.toString()));
        req.on('end', () => {
          received.push({
            path: req.url ?? '',
            headers: req.headers,
            body: JSON.parse(text || '{}') as Record<string, unknown>,
          });
          res.writeHead(202).end();
        });
      });
      await new Promise<void>((resolve) =>
        receiver.listen(0, '127.0.0.1', resolve),
      );
      receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const apiPort = await freePort();
      apiBase = `http://127.0.0.1:${apiPort}`;
      const [api, pretender, scheduler] = await cluster.startReady(
        [
          'schedule-api',
          {
            port: apiPort,
            env: {
              ...LOOPBACK_ALLOWED,
              ...TEST_AUTH_ENV,
              DATABASE_URL: db.url,
            },
          },
        ],
        PRETENDER,
        schedulerSpec('results-s1', db.url, { PUBLIC_API_URL: apiBase }),
      );
      expect(api.url()).toBe(apiBase);
      pretenderBase = pretender.url();
      schedulerBase = scheduler.url();
      sql = await connectSql(db.url);
    }),
    120_000,
  );
  afterAll(async () => {
    // Each may be missing when beforeAll failed half way.
    await (sql as Client | undefined)?.end();
    await cluster.stopAll();
    const server = receiver as Server | undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
    await (db as TestDatabase | undefined)?.drop();
  }, 30_000);

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the answer's type is the caller's to name, as in ApiHarness.request
  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {
      authorization: `Bearer ${TEST_ADMIN_API_KEY}`,
    },
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${apiBase}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async function create(
    name: string,
    extra: Partial<CreateScheduleRequest> &
      Pick<CreateScheduleRequest, 'schedule'>,
    url = `${receiverBase}/${name}`,
  ): Promise<ScheduleResponse> {
    const res = await call<ScheduleResponse>('POST', '/schedules', {
      name,
      trigger: { type: 'webhook', url },
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function executions(scheduleId: string): Promise<ExecutionResponse[]> {
    const res = await call<{ items: ExecutionResponse[] }>(
      'GET',
      `/schedules/${scheduleId}/executions`,
    );
    return res.body.items;
  }

  /** POST the result URL as a target does: the token, no API key. */
  function report(url: string, token: string, body: unknown) {
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-scheduleman-result-token': token,
      },
      body: JSON.stringify(body),
    }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as ExecutionResponse & {
        errors?: { field: string }[];
      },
    }));
  }

  it(
    'delivers the result URL and token; the first report wins, a repeat answers the same, a different one is a 409, a forged token a 403',
    cluster.withLogs(async () => {
      const schedule = await create('first-wins', {
        schedule: { type: 'delay', delay: 'PT0.5S' },
      });
      const delivery = await waitFor(
        'the delivery',
        () => received.find((r) => r.path === '/first-wins') ?? false,
        WAIT,
      );
      const executionId = String(delivery.headers['idempotency-key']);
      const resultUrl = `${apiBase}/executions/${executionId}/result`;
      expect(delivery.headers['x-scheduleman-result-url']).toBe(resultUrl);
      expect(delivery.headers['x-scheduleman-result-token']).toBe(
        testResultToken(executionId),
      );
      expect(delivery.body.resultToken).toBe(testResultToken(executionId));
      const token = String(delivery.headers['x-scheduleman-result-token']);

      const first = await report(resultUrl, token, {
        status: 'succeeded',
        output: { rows: 3 },
      });
      expect(first.status).toBe(200);
      expect(first.body.result).toMatchObject({
        status: 'succeeded',
        output: { rows: 3 },
        error: null,
      });
      const again = await report(resultUrl, token, {
        output: { rows: 3 },
        status: 'succeeded',
      });
      // The repeat answers with the first report. The rest of the execution may have
      // moved on in between: the target can report before the scheduler has recorded
      // the delivery's own outcome.
      expect(again.status).toBe(200);
      expect(again.body.result).toEqual(first.body.result);
      const different = await report(resultUrl, token, { status: 'failed' });
      expect(different.status).toBe(409);
      expect(different.body.errors?.[0].field).toBe('status');
      const forged = await report(resultUrl, testResultToken(schedule.id), {
        status: 'failed',
      });
      expect(forged.status).toBe(403);

      const detail = await call<ExecutionResponse>(
        'GET',
        `/schedules/${schedule.id}/executions/${executionId}`,
      );
      expect(detail.body.result).toEqual(first.body.result);
      await waitFor(
        'the delivery recorded',
        async () => (await executions(schedule.id))[0]?.status === 'succeeded',
        WAIT,
      );
      const stored = await call<ScheduleResponse>(
        'GET',
        `/schedules/${schedule.id}`,
      );
      expect(stored.body.lastSuccessAt).not.toBeNull();
      expect(stored.body.health).toBe('healthy');
    }),
    30_000,
  );

  it(
    'marks a delivery without a report within resultTimeout result_timeout, counts it, and records a late report',
    cluster.withLogs(async () => {
      const schedule = await create('times-out', {
        schedule: { type: 'delay', delay: 'PT0.5S' },
        resultTimeout: 'PT2S',
      });
      const timedOut = await waitFor(
        'result_timeout',
        async () =>
          (await executions(schedule.id)).find(
            (e) => e.status === 'result_timeout',
          ) ?? false,
        { timeoutMs: 12_000, intervalMs: 100 },
      );
      expect(timedOut.result).toBeNull();
      const finished = Date.parse(timedOut.finishedAt ?? '');
      expect(Date.now() - finished).toBeGreaterThanOrEqual(1_500);
      const metrics = await (await fetch(`${schedulerBase}/metrics`)).text();
      expect(metrics).toMatch(/^scheduleman_result_timeouts_total 1$/m);
      expect(
        (await call<ScheduleResponse>('GET', `/schedules/${schedule.id}`)).body
          .health,
      ).toBe('failing');

      const late = await report(
        `${apiBase}/executions/${timedOut.id}/result`,
        testResultToken(timedOut.id),
        { status: 'succeeded' },
      );
      expect(late.status).toBe(200);
      expect(late.body.status).toBe('result_timeout');
      expect(late.body.result).toMatchObject({ status: 'succeeded' });
    }),
    30_000,
  );

  it(
    'closes the loop with the task-pretender, which reports how its work ended',
    cluster.withLogs(async () => {
      const schedule = await create(
        'pretender-loop',
        {
          schedule: { type: 'delay', delay: 'PT0.5S' },
          resultTimeout: 'PT30S',
        },
        `${pretenderBase}/pretender-loop`,
      );
      const done = await waitFor(
        'the reported result',
        async () =>
          (await executions(schedule.id)).find((e) => e.result !== null) ??
          false,
        WAIT,
      );
      expect(done.status).toBe('succeeded');
      expect(done.result).toMatchObject({
        status: 'succeeded',
        output: { pretendedMs: 10 },
      });
      const stored = await call<ScheduleResponse>(
        'GET',
        `/schedules/${schedule.id}`,
      );
      expect(stored.body.health).toBe('healthy');
      expect(stored.body.lastSuccessAt).not.toBeNull();
    }),
    30_000,
  );

  it(
    'ends a pausedUntil by itself: nothing fires inside the pause, the next occurrence fires, the history says so',
    cluster.withLogs(async () => {
      const { rows } = await sql.query<{ until: Date }>(
        `select date_trunc('second', now()) + interval '3 seconds' as until`,
      );
      const until = rows[0].until;
      const schedule = await create('paused-until', {
        schedule: { type: 'cron', expression: '* * * * * *' },
        pausedUntil: until.toISOString(),
      });
      expect(schedule.status).toBe('paused');
      await waitFor(
        'a fire after the pause',
        async () =>
          (await executions(schedule.id)).some((e) => e.status === 'succeeded'),
        WAIT,
      );
      const all = await executions(schedule.id);
      for (const e of all)
        expect(Date.parse(e.scheduledAt)).toBeGreaterThanOrEqual(
          until.getTime(),
        );
      const resumed = await call<ScheduleResponse>(
        'GET',
        `/schedules/${schedule.id}`,
      );
      expect(resumed.body).toMatchObject({
        status: 'active',
        pausedUntil: null,
      });
      const history = await call<ScheduleHistoryResponse>(
        'GET',
        `/schedules/${schedule.id}/history`,
      );
      expect(history.body.items[0]).toMatchObject({
        action: 'resumed',
        actor: { keyId: null, owner: null, scheduler: 'results-s1' },
        note: `pause ended (pausedUntil ${until.toISOString()})`,
      });
      await call('DELETE', `/schedules/${schedule.id}`);
    }),
    30_000,
  );

  it(
    'releases a buffered occurrence as soon as the result of the one before it is reported',
    cluster.withLogs(async () => {
      // A schedule that never fires by itself; its rows are written as the plan stage
      // writes them under overlapPolicy buffer_one: a delivered execution awaiting its
      // result, and the next occurrence buffered behind it (pending, due 'infinity').
      const schedule = await create('buffered', {
        schedule: { type: 'cron', expression: '0 0 1 1 *' },
        overlapPolicy: 'buffer_one',
      });
      const { rows } = await sql.query<{ id: string; status: string }>(
        `with t as (select date_trunc('milliseconds', now()) as now)
         insert into executions (id, schedule_id, scheduled_at, due_at, status, max_attempts, fired_at, finished_at, attempts)
         select gen_random_uuid(), $1::uuid, t.now - interval '2 seconds', t.now - interval '2 seconds', 'succeeded', 1, t.now, t.now, 1 from t
         union all
         select gen_random_uuid(), $1::uuid, t.now - interval '1 second', 'infinity', 'pending', 1, null, null, 0 from t
         returning id, status`,
        [schedule.id],
      );
      const [previous, held] = ['succeeded', 'pending'].map(
        (status) => rows.find((r) => r.status === status) as { id: string },
      );
      const dueOf = async () =>
        (
          await sql.query<{ due: string }>(
            `select due_at::text as due from executions where id = $1::uuid`,
            [held.id],
          )
        ).rows[0].due;
      // The scheduler's sweep (every second) holds it while the result is awaited.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await dueOf()).toBe('infinity');

      const answer = await report(
        `${apiBase}/executions/${previous.id}/result`,
        testResultToken(previous.id),
        { status: 'succeeded' },
      );
      expect(answer.status).toBe(200);
      // Released by the report itself, in its transaction: no sweep needed.
      expect(await dueOf()).not.toBe('infinity');
      await waitFor(
        'the released occurrence delivered',
        () =>
          received.some(
            (r) =>
              r.path === '/buffered' &&
              r.headers['idempotency-key'] === held.id,
          ),
        WAIT,
      );
    }),
    30_000,
  );
});
