import {
  type ConnectionResponse,
  type ExecutionResponse,
  generateSigningSecret,
  type ScheduleResponse,
} from '@scheduleman/domain';
import {
  requestJson,
  describeWithBroker,
  requireBroker,
  TEST_ADMIN_API_KEY,
  waitFor,
  testResultToken,
} from '@scheduleman/testkit';
import {
  type Channel,
  type ChannelModel,
  connect,
  type ConsumeMessage,
} from 'amqplib';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import { databaseNow, useStack } from './stack';

/**
 * The built API and one built scheduler publish an `amqp` trigger to the real RabbitMQ
 * on 127.0.0.1:5672: a connection made through POST /connections, a one-shot schedule
 * due in about 2 s, and the message consumed from a queue, with the contract's body and
 * headers, signed, on time.
 */
describeWithBroker('rabbitmq', 'an amqp trigger, end to end', () => {
  const secret = generateSigningSecret();
  let consumer: ChannelModel;
  let channel: Channel;

  // First, so that a missing broker fails the suite before the apps are started.
  beforeAll(async () => {
    await requireBroker('rabbitmq');
    consumer = await connect('amqp://guest:guest@127.0.0.1:5672');
    channel = await consumer.createChannel();
  });
  afterAll(async () => {
    await consumer.close();
  });
  const stack = useStack('e2e_amqp', ['amqp-s1'], {
    schedulerEnv: { WEBHOOK_SIGNING_SECRETS: secret },
  });
  const { cluster } = stack;

  async function post<T>(path: string, body: unknown): Promise<T> {
    const response = await request(`${stack.api.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_ADMIN_API_KEY}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode !== 201)
      throw new Error(`POST ${path}: ${String(response.statusCode)} ${text}`);
    return JSON.parse(text) as T;
  }

  it(
    'publishes the occurrence to the queue when due, once, with the contract body and headers',
    cluster.withLogs(async () => {
      const { queue } = await channel.assertQueue('', { exclusive: true });
      const received: { message: ConsumeMessage; atMs: number }[] = [];
      await channel.consume(
        queue,
        (message) => {
          // The receiver's own clock, as the pretender measures lateness.
          if (message) received.push({ message, atMs: Date.now() });
        },
        { noAck: true },
      );
      const connection = await post<ConnectionResponse>('/connections', {
        name: 'local-rabbit',
        type: 'amqp',
        url: 'amqp://guest:guest@127.0.0.1:5672/',
      });
      expect(connection.url).toBe('amqp://guest:***@127.0.0.1:5672/');
      const at = new Date(
        (await databaseNow(stack.sql)).getTime() + 2_000,
      ).toISOString();
      const schedule = await post<ScheduleResponse>('/schedules', {
        name: 'amqp-once',
        schedule: { type: 'at', at },
        trigger: {
          type: 'amqp',
          connectionId: connection.id,
          exchange: '',
          routingKey: queue,
          headers: { 'X-Tenant': 'acme' },
        },
      });

      const [execution] = await waitFor(
        'the amqp execution to succeed',
        async () => {
          const done = (await stack.api.executions(schedule.id)).filter(
            (e: ExecutionResponse) => e.status === 'succeeded',
          );
          return done.length > 0 ? done : false;
        },
        { timeoutMs: 20_000 },
      );
      expect(execution).toMatchObject({
        scheduledAt: at,
        attempts: 1,
        error: null,
      });
      await waitFor('the message to arrive', () => received.length > 0, {
        timeoutMs: 5_000,
      });

      expect(received).toHaveLength(1);
      const [{ message, atMs }] = received;
      const latenessMs = atMs - Date.parse(at);
      console.log(
        `amqp e2e: consumed ${String(latenessMs)} ms after the scheduled time`,
      );
      expect(Math.abs(latenessMs)).toBeLessThan(10_000);
      expect(latenessMs).toBeGreaterThanOrEqual(0);

      const body = message.content.toString('utf8');
      expect(JSON.parse(body)).toEqual({
        scheduleId: schedule.id,
        executionId: execution.id,
        scheduledAt: at,
        attempt: 1,
        name: 'amqp-once',
        resultToken: testResultToken(execution.id),
      });
      expect(message.properties).toMatchObject({
        messageId: execution.id,
        contentType: 'application/json',
        deliveryMode: 2,
      });
      const headers = message.properties.headers as Record<string, string>;
      expect(headers).toMatchObject({
        'Idempotency-Key': execution.id,
        'X-Scheduleman-Schedule-Id': schedule.id,
        'X-Scheduleman-Execution-Id': execution.id,
        'X-Scheduleman-Scheduled-At': at,
        'X-Scheduleman-Attempt': '1',
        'webhook-id': execution.id,
        'X-Tenant': 'acme',
      });
      expect(new Webhook(secret).verify(body, headers)).toEqual(
        JSON.parse(body),
      );

      // The scheduler's /health shows the connection up, by id and name, never its URL.
      const health = await requestJson<{
        details: { brokers?: { connections?: unknown[] } };
      }>('GET', stack.schedulers[0].url('/health'));
      expect(health.body.details.brokers?.connections).toEqual([
        expect.objectContaining({
          connectionId: connection.id,
          name: 'local-rabbit',
          type: 'amqp',
          state: 'up',
        }),
      ]);
      expect(JSON.stringify(health.body)).not.toContain('guest');
    }),
    60_000,
  );
});
