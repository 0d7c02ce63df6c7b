import {
  type ExecutionResponse,
  generateSigningSecret,
} from '@scheduleman/domain';
import { testResultToken, waitFor } from '@scheduleman/testkit';
import { Webhook } from 'standardwebhooks';
import { databaseNow, EVERY_SECOND, useStack } from './stack';

/**
 * Three built schedulers, the built API and the built task-pretender on one fresh
 * database: schedules of every kind fire when due, each occurrence is delivered once
 * with the contract's headers, signed with both installation secrets, and the API
 * shows the history.
 */
describe('scheduler processes deliver cron, at and delay schedules', () => {
  const schedulerIds = ['delivery-s1', 'delivery-s2', 'delivery-s3'];
  const secrets = [generateSigningSecret(), generateSigningSecret(24)];
  const stack = useStack('e2e_delivery', schedulerIds, {
    schedulerEnv: { WEBHOOK_SIGNING_SECRETS: secrets.join(',') },
  });
  const { cluster } = stack;

  function nonEmpty<T>(items: T[]): T[] | false {
    return items.length > 0 ? items : false;
  }

  async function succeeded(scheduleId: string): Promise<ExecutionResponse[]> {
    return (await stack.api.executions(scheduleId)).filter(
      (e) => e.status === 'succeeded',
    );
  }

  /** What the receiver saw for one execution: exactly one webhook, on time, with the contract's headers. */
  async function expectDeliveredOnce(
    execution: ExecutionResponse,
    scheduleName: string,
  ): Promise<void> {
    expect(execution).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      responseStatus: 202,
      error: null,
    });
    expect(schedulerIds).toContain(execution.schedulerId);
    expect(execution.firedAt).not.toBeNull();

    const key = await stack.pretender.key(execution.id);
    expect(key).toMatchObject({ key: execution.id, count: 1, accepted: 1 });
    // The promise: within ±10 s of the scheduled time (measured by the receiver).
    expect(Math.abs(key?.latenessMs ?? Infinity)).toBeLessThanOrEqual(10_000);

    const [request] = await stack.pretender.requests(execution.id);
    expect(request.method).toBe('POST');
    expect(request.headers).toMatchObject({
      'idempotency-key': execution.id,
      'x-scheduleman-execution-id': execution.id,
      'x-scheduleman-schedule-id': execution.scheduleId,
      'x-scheduleman-scheduled-at': execution.scheduledAt,
      'x-scheduleman-attempt': '1',
      'content-type': 'application/json',
    });
    expect(JSON.parse(request.body)).toEqual({
      scheduleId: execution.scheduleId,
      executionId: execution.id,
      scheduledAt: execution.scheduledAt,
      attempt: 1,
      name: scheduleName,
      resultToken: testResultToken(execution.id),
    });
    // Standard Webhooks: the reference library verifies it under each secret.
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === 'string') headers[name] = value;
    expect(headers['webhook-id']).toBe(execution.id);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of secrets)
      expect(new Webhook(secret).verify(request.body, headers)).toEqual(
        JSON.parse(request.body),
      );
    expect(() =>
      new Webhook(generateSigningSecret()).verify(request.body, headers),
    ).toThrow('No matching signature found');
  }

  it(
    'fires each kind when due and records succeeded executions visible through the API',
    cluster.withLogs(async () => {
      const now = await databaseNow(stack.sql);
      const at = new Date(now.getTime() + 3_000).toISOString();
      const cron = await stack.createHookSchedule(
        'every-second',
        EVERY_SECOND,
        '/tasks/cron',
      );
      const oneShot = await stack.createHookSchedule(
        'at',
        { type: 'at', at },
        '/tasks/at',
      );
      const delayed = await stack.createHookSchedule(
        'delay',
        { type: 'delay', delay: 'PT2S' },
        '/tasks/delay',
      );
      expect(oneShot.nextRunAt).toBe(at);

      const [atRun] = await waitFor(
        'the at schedule to succeed',
        async () => nonEmpty(await succeeded(oneShot.id)),
        { timeoutMs: 20_000 },
      );
      const [delayRun] = await waitFor(
        'the delay schedule to succeed',
        async () => nonEmpty(await succeeded(delayed.id)),
        { timeoutMs: 20_000 },
      );
      await waitFor(
        'three cron occurrences to succeed',
        async () => (await succeeded(cron.id)).length >= 3,
        { timeoutMs: 20_000 },
      );
      const cronRuns = (await stack.api.pauseAndSettle(cron.id)).filter(
        (e) => e.status !== 'cancelled',
      );

      expect(atRun.scheduledAt).toBe(at);
      expect(delayRun.scheduledAt).toBe(delayed.nextRunAt);
      await expectDeliveredOnce(atRun, 'at');
      await expectDeliveredOnce(delayRun, 'delay');
      expect(await stack.api.executions(oneShot.id)).toHaveLength(1);
      expect(await stack.api.executions(delayed.id)).toHaveLength(1);
      expect((await stack.api.getSchedule(oneShot.id)).status).toBe(
        'completed',
      );
      expect((await stack.api.getSchedule(delayed.id)).status).toBe(
        'completed',
      );

      // Every second from the first occurrence to the last one fired, each exactly once.
      const times = cronRuns
        .map((e) => Date.parse(e.scheduledAt))
        .sort((a, b) => a - b);
      expect(times.length).toBeGreaterThanOrEqual(3);
      expect(times.map((t) => t - times[0])).toEqual(
        times.map((_, i) => i * 1000),
      );
      for (const run of cronRuns)
        await expectDeliveredOnce(run, 'every-second');
      expect(await stack.pretender.stats()).toMatchObject({
        duplicates: 0,
        redelivered: 0,
        rejected: 0,
      });
    }),
    90_000,
  );
});
