import { generateSigningSecret } from '@scheduleman/domain';
import {
  requestJson,
  describeWithBroker,
  requireBroker,
  waitFor,
  testResultToken,
} from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { Webhook } from 'standardwebhooks';
import { firstSucceeded } from './broker-connections';
import { databaseNow, useStack } from './stack';

/**
 * The built API and one built scheduler add a `redis-stream` trigger's entry to the real
 * Redis on 127.0.0.1:6379: POST /connections, POST /schedules due in 2 s, and the entry
 * is read back with the field `body` and one field per header, signed.
 */
describeWithBroker('redis', 'a redis-stream trigger, end to end', () => {
  const secret = generateSigningSecret();
  const stack = useStack('e2e_broker_redis', ['redis-s1'], {
    schedulerEnv: { WEBHOOK_SIGNING_SECRETS: secret },
  });
  const { cluster } = stack;
  const run = randomUUID().slice(0, 8);
  const stream = `scheduleman:e2e:${run}`;
  const redis = createClient({ socket: { host: '127.0.0.1', port: 6379 } });

  beforeAll(async () => {
    await requireBroker('redis');
    redis.on('error', () => undefined);
    await redis.connect();
  });

  afterAll(async () => {
    const keys = [stream];
    for await (const found of redis.scanIterator({
      MATCH: `scheduleman:dedup:${stream}:*`,
    }))
      keys.push(...found);
    await redis.del(keys);
    redis.destroy();
  });

  it(
    'adds the occurrence to the stream on time, with the contract fields, signed',
    cluster.withLogs(async () => {
      const connection = await stack.api.createConnection({
        name: `redis-${run}`,
        type: 'redis',
        url: 'redis://127.0.0.1:6379/0',
      });
      const now = await databaseNow(stack.sql);
      const schedule = await stack.api.createSchedule({
        name: 'redis-e2e',
        schedule: {
          type: 'at',
          at: new Date(now.getTime() + 2_000).toISOString(),
        },
        trigger: {
          type: 'redis-stream',
          connectionId: connection.id,
          stream,
          maxLen: 1000,
          headers: { 'X-Tenant': 'acme' },
        },
      });

      const execution = await firstSucceeded(stack, schedule.id);
      const [entry] = await waitFor('the entry in the stream', async () => {
        const entries = (await redis.xRange(stream, '-', '+')) ?? [];
        return entries.length > 0 ? entries : undefined;
      });

      // The entry id starts with the Redis server's clock in ms when it was added.
      const addedAtMs = Number(entry.id.split('-')[0]);
      const latenessMs = addedAtMs - new Date(execution.scheduledAt).getTime();
      console.log(
        `redis e2e: added ${String(latenessMs)} ms after its scheduled time`,
      );
      expect(latenessMs).toBeGreaterThanOrEqual(0);
      expect(latenessMs).toBeLessThan(10_000);
      expect(execution).toMatchObject({ attempts: 1, error: null });
      expect(await redis.xLen(stream)).toBe(1);
      const { body, ...headers } = entry.message;
      expect(headers).toMatchObject({
        'Idempotency-Key': execution.id,
        'X-Scheduleman-Execution-Id': execution.id,
        'X-Scheduleman-Schedule-Id': schedule.id,
        'X-Scheduleman-Scheduled-At': execution.scheduledAt,
        'X-Scheduleman-Attempt': '1',
        'X-Tenant': 'acme',
        'webhook-id': execution.id,
      });
      expect(new Webhook(secret).verify(body, headers)).toEqual({
        scheduleId: schedule.id,
        executionId: execution.id,
        scheduledAt: execution.scheduledAt,
        attempt: 1,
        name: 'redis-e2e',
        resultToken: testResultToken(execution.id),
      });

      // The scheduler's /health shows the connection up, by id and name, never its URL.
      const health = await requestJson<{
        details: { brokers?: { connections?: unknown[] } };
      }>('GET', stack.schedulers[0].url('/health'));
      expect(health.body.details.brokers?.connections).toEqual([
        expect.objectContaining({
          connectionId: connection.id,
          name: `redis-${run}`,
          type: 'redis',
          state: 'up',
        }),
      ]);
      expect(JSON.stringify(health.body)).not.toContain('127.0.0.1');
    }),
    60_000,
  );
});
