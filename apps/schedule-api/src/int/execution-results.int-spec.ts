import {
  type ExecutionDetailResponse,
  type ExecutionResponse,
  parseSecretsKey,
  ResultTokens,
  type ScheduleResponse,
} from '@scheduleman/domain';
import { TEST_SECRETS_KEY } from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import {
  type ApiHarness,
  cronBody,
  expectProblem,
  NO_AUTH,
  startApi,
} from './api-harness';

/**
 * Result reports and the execution detail on the real app and PostgreSQL, with
 * authentication on: a report by token (no API key), idempotent repeats, a different
 * second report, forged tokens, a late report after result_timeout, and the attempts
 * page. Executions are arranged in SQL as a scheduler would leave them.
 */
describe('execution results and attempts', () => {
  let api: ApiHarness;
  const tokens = new ResultTokens([parseSecretsKey(TEST_SECRETS_KEY).bytes]);

  beforeAll(async () => {
    api = await startApi('api_execution_results');
  });

  afterAll(async () => {
    await api.close();
  });

  async function deliveredExecution(
    status = 'succeeded',
  ): Promise<{ schedule: ScheduleResponse; executionId: string }> {
    const created = await api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody({ resultTimeout: 'PT10M' }),
    );
    expect(created.status).toBe(201);
    const executionId = randomUUID();
    await api.sql.query(
      `insert into executions (id, schedule_id, scheduled_at, due_at, status, reason, attempts, fired_at, finished_at, result_deadline_at)
values ($1::uuid, $2::uuid, now(), now(), $3::text, case when $3::text = 'skipped' then 'misfire_policy' end, 2, now(), now(), now() + interval '10 minutes')`,
      [executionId, created.body.id, status],
    );
    for (const [n, outcome] of [
      [1, 'retryable_failure'],
      [2, 'succeeded'],
    ] as const)
      await api.sql.query(
        `insert into execution_attempts (execution_id, number, started_at, finished_at, outcome, response_status, initiation_latency_ms, scheduler_id)
values ($1::uuid, $2::int, now(), now(), $3::text, $4::int, 3, 's1')`,
        [executionId, n, outcome, n === 1 ? 503 : 202],
      );
    return { schedule: created.body, executionId };
  }

  const report = (
    executionId: string,
    body: unknown,
    headers: Record<string, string>,
  ) =>
    api.request<ExecutionResponse>(
      'POST',
      `/executions/${executionId}/result`,
      body,
      headers,
    );
  const withToken = (executionId: string) => ({
    ...NO_AUTH,
    'x-scheduleman-result-token': tokens.tokenFor(executionId),
  });

  it('echoes and validates resultTimeout on schedules', async () => {
    const created = await api.request<ScheduleResponse>(
      'POST',
      '/schedules',
      cronBody({ resultTimeout: 'PT30S' }),
    );
    expect(created.body.resultTimeout).toBe('PT30S');
    const cleared = await api.request<ScheduleResponse>(
      'PATCH',
      `/schedules/${created.body.id}`,
      { resultTimeout: null },
    );
    expect(cleared.body.resultTimeout).toBeNull();
    for (const bad of ['P1M', 'PT0.5S', 'P8D', 'soon', 5])
      expectProblem(
        await api.request(
          'POST',
          '/schedules',
          cronBody({ resultTimeout: bad }),
        ),
        400,
        'resultTimeout',
      );
  });

  it('takes a report by token without an API key; the same again is 200, a different one 409', async () => {
    const { schedule, executionId } = await deliveredExecution();
    const first = await report(
      executionId,
      { status: 'succeeded', output: { rows: 3, nested: { a: 1, b: 2 } } },
      withToken(executionId),
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id: executionId,
      status: 'succeeded',
      result: {
        status: 'succeeded',
        output: { rows: 3, nested: { a: 1, b: 2 } },
        error: null,
      },
    });
    // Key order does not make a report different.
    const again = await report(
      executionId,
      { output: { nested: { b: 2, a: 1 }, rows: 3 }, status: 'succeeded' },
      withToken(executionId),
    );
    expect(again.status).toBe(200);
    expect(again.body.result).toEqual(first.body.result);
    const different = await report(
      executionId,
      { status: 'failed', error: 'disk full' },
      withToken(executionId),
    );
    expectProblem(different, 409, 'status');
    const deadline = await api.sql.query<{ result_deadline_at: Date | null }[]>(
      'select result_deadline_at from executions where id = $1',
      [executionId],
    );
    expect(deadline[0].result_deadline_at).toBeNull();

    const detail = await api.request<ExecutionDetailResponse>(
      'GET',
      `/schedules/${schedule.id}/executions/${executionId}`,
    );
    expect(detail.status).toBe(200);
    expect(detail.body.result).toEqual(first.body.result);
    expect(detail.body.attemptCount).toBe(2);
    expect(
      detail.body.attempts.items.map((a) => [a.number, a.outcome]),
    ).toEqual([
      [1, 'retryable_failure'],
      [2, 'succeeded'],
    ]);
    expect(detail.body.attempts.nextCursor).toBeNull();
  });

  it('pages attempts oldest first', async () => {
    const { schedule, executionId } = await deliveredExecution();
    const path = `/schedules/${schedule.id}/executions/${executionId}/attempts`;
    const first = await api.request<{
      items: { number: number }[];
      nextCursor: string | null;
    }>('GET', `${path}?limit=1`);
    expect(first.body.items.map((a) => a.number)).toEqual([1]);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await api.request<{
      items: { number: number }[];
      nextCursor: string | null;
    }>('GET', `${path}?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((a) => a.number)).toEqual([2]);
    expect(second.body.nextCursor).toBeNull();
    expectProblem(
      await api.request('GET', `${path}?cursor=bogus`),
      400,
      'cursor',
    );
  });

  it('refuses forged tokens alike whether the execution exists or not, and stores nothing', async () => {
    const { executionId } = await deliveredExecution();
    const missing = randomUUID();
    const forged = await report(
      executionId,
      { status: 'succeeded' },
      { ...NO_AUTH, 'x-scheduleman-result-token': tokens.tokenFor(missing) },
    );
    const forgedMissing = await report(
      missing,
      { status: 'succeeded' },
      {
        ...NO_AUTH,
        'x-scheduleman-result-token': tokens.tokenFor(executionId),
      },
    );
    expectProblem(forged, 403, 'X-Scheduleman-Result-Token');
    expect(forgedMissing.status).toBe(403);
    expect(JSON.stringify(forged.body).replaceAll(executionId, '<id>')).toBe(
      JSON.stringify(forgedMissing.body).replaceAll(missing, '<id>'),
    );
    const rows = await api.sql.query<{ result_status: string | null }[]>(
      'select result_status from executions where id = $1',
      [executionId],
    );
    expect(rows[0].result_status).toBeNull();
    // Neither a token nor a key: the usual 401.
    expectProblem(
      await report(executionId, { status: 'succeeded' }, NO_AUTH),
      401,
      'authorization',
    );
  });

  it('takes a report by the owner API key, and validates the body naming each field', async () => {
    const { executionId } = await deliveredExecution();
    // The harness's body limit (64 KiB) equals the output cap, so the limit answers
    // first here; the output cap itself is tested in libs/domain (task-result.spec.ts).
    const big = 'x'.repeat(64 * 1024);
    expectProblem(
      await report(executionId, { status: 'succeeded', output: big }, {}),
      413,
      'body',
    );
    expectProblem(
      await report(executionId, { status: 'done' }, {}),
      400,
      'status',
    );
    expectProblem(
      await report(executionId, { status: 'failed', error: 7 }, {}),
      400,
      'error',
    );
    const ok = await report(
      executionId,
      { status: 'failed', error: 'exit 1' },
      {},
    );
    expect(ok.status).toBe(200);
    expect(ok.body.result).toMatchObject({ status: 'failed', error: 'exit 1' });
  });

  it('records a late report after result_timeout and keeps the status', async () => {
    const { executionId } = await deliveredExecution('result_timeout');
    const late = await report(
      executionId,
      { status: 'succeeded' },
      withToken(executionId),
    );
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({
      status: 'result_timeout',
      result: { status: 'succeeded' },
    });
  });

  it('answers 409 to a report for a skipped occurrence', async () => {
    const { executionId } = await deliveredExecution('skipped');
    expectProblem(
      await report(
        executionId,
        { status: 'succeeded' },
        withToken(executionId),
      ),
      409,
      'status',
    );
  });
});
