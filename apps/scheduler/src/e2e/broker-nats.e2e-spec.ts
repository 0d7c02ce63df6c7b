import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { generateSigningSecret } from '@scheduleman/domain';
import {
  requestJson,
  describeWithBroker,
  requireBroker,
  waitFor,
  testResultToken,
} from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { firstSucceeded } from './broker-connections';
import { databaseNow, useStack } from './stack';

/**
 * The built API and one built scheduler publish a `nats` trigger to the real NATS
 * JetStream on 127.0.0.1:4222: POST /connections, POST /schedules due in 2 s, and the
 * message is read back from the stream with the contract's body and headers, signed.
 */
describeWithBroker('nats', 'a nats trigger, end to end', () => {
  const secret = generateSigningSecret();
  const stack = useStack('e2e_broker_nats', ['nats-s1'], {
    schedulerEnv: { WEBHOOK_SIGNING_SECRETS: secret },
  });
  const { cluster } = stack;
  const run = randomUUID().slice(0, 8);
  const stream = `scheduleman_e2e_${run}`;
  const subject = `scheduleman.e2e.${run}.created`;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    await requireBroker('nats');
    nc = await connect({ servers: '127.0.0.1:4222' });
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [subject] });
  });

  afterAll(async () => {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it(
    'publishes the occurrence to JetStream on time, with the contract headers, signed',
    cluster.withLogs(async () => {
      const connection = await stack.api.createConnection({
        name: `nats-${run}`,
        type: 'nats',
        url: 'nats://127.0.0.1:4222',
      });
      const now = await databaseNow(stack.sql);
      const schedule = await stack.api.createSchedule({
        name: 'nats-e2e',
        schedule: {
          type: 'at',
          at: new Date(now.getTime() + 2_000).toISOString(),
        },
        trigger: {
          type: 'nats',
          connectionId: connection.id,
          subject,
          headers: { 'X-Tenant': 'acme' },
        },
      });

      const execution = await firstSucceeded(stack, schedule.id);
      const stored = await waitFor(
        'the message in the stream',
        async () =>
          (await jsm.streams.getMessage(stream, { last_by_subj: subject })) ??
          undefined,
      );

      const latenessMs =
        stored.time.getTime() - new Date(execution.scheduledAt).getTime();
      console.log(
        `nats e2e: stored ${String(latenessMs)} ms after its scheduled time`,
      );
      expect(latenessMs).toBeGreaterThanOrEqual(0);
      expect(latenessMs).toBeLessThan(10_000);
      expect(execution).toMatchObject({ attempts: 1, error: null });
      const headers = Object.fromEntries(
        stored.header.keys().map((key) => [key, stored.header.get(key)]),
      );
      expect(headers).toMatchObject({
        'Nats-Msg-Id': execution.id,
        'Idempotency-Key': execution.id,
        'X-Scheduleman-Execution-Id': execution.id,
        'X-Scheduleman-Schedule-Id': schedule.id,
        'X-Scheduleman-Scheduled-At': execution.scheduledAt,
        'X-Scheduleman-Attempt': '1',
        'X-Tenant': 'acme',
        'webhook-id': execution.id,
      });
      expect(new Webhook(secret).verify(stored.string(), headers)).toEqual({
        scheduleId: schedule.id,
        executionId: execution.id,
        scheduledAt: execution.scheduledAt,
        attempt: 1,
        name: 'nats-e2e',
        resultToken: testResultToken(execution.id),
      });

      // The scheduler's /health shows the connection up, by id and name, never its URL.
      const health = await requestJson<{
        details: { brokers?: { connections?: unknown[] } };
      }>('GET', stack.schedulers[0].url('/health'));
      expect(health.body.details.brokers?.connections).toEqual([
        expect.objectContaining({
          connectionId: connection.id,
          name: `nats-${run}`,
          type: 'nats',
          state: 'up',
        }),
      ]);
      expect(JSON.stringify(health.body)).not.toContain('127.0.0.1');
    }),
    60_000,
  );
});
