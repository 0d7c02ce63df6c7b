import { generateSigningSecret } from '@scheduleman/domain';
import {
  type KafkaMock,
  type KafkaRecord,
  readKafkaTopic,
  describeWithKafkaMock,
  startKafkaMock,
  waitFor,
  testResultToken,
} from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { useStack } from './stack';

/**
 * The built API and one built scheduler, Kafka played by librdkafka's mock cluster
 * (kcat; no Kafka broker exists on this machine): a connection and a kafka schedule
 * created through the API, the record read back with kcat, on time, with the contract's
 * body, headers and key. A protocol check: acks=-1 means little on a mock.
 */
describeWithKafkaMock('a kafka schedule through the built apps', () => {
  let mock: KafkaMock | undefined;
  const topic = `scheduleman-e2e-${randomUUID()}`;
  const secret = generateSigningSecret();

  beforeAll(async () => {
    mock = await startKafkaMock();
  }, 180_000); // time for apt-get install kcat, when it is missing
  const stack = useStack('e2e_broker_kafka', ['kafka-s1'], {
    schedulerEnv: { WEBHOOK_SIGNING_SECRETS: secret },
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it(
    'produces the occurrence when due, with the contract body, headers and key',
    stack.cluster.withLogs(async () => {
      const bootstrap = mock?.bootstrap ?? 'no mock';
      const connection = await stack.api.createConnection({
        name: 'kafka-mock',
        type: 'kafka',
        url: `kafka://${bootstrap}`,
      });
      const schedule = await stack.api.createSchedule({
        name: 'kafka-e2e',
        schedule: { type: 'delay', delay: 'PT2S' },
        trigger: { type: 'kafka', connectionId: connection.id, topic },
      });
      const [execution] = await waitFor(
        'the execution to succeed',
        async () => {
          const runs = (await stack.api.executions(schedule.id)).filter(
            (e) => e.status === 'succeeded',
          );
          return runs.length > 0 ? runs : false;
        },
        { timeoutMs: 20_000 },
      );
      const records: KafkaRecord[] = await readKafkaTopic(bootstrap, topic);
      expect(records).toHaveLength(1);
      const record = records[0];
      expect(execution).toMatchObject({ attempts: 1, error: null });
      expect(record.key).toBe(schedule.id);
      const payload = record.payload ?? '';
      const body: unknown = JSON.parse(payload);
      expect(body).toEqual({
        scheduleId: schedule.id,
        executionId: execution.id,
        scheduledAt: execution.scheduledAt,
        attempt: 1,
        name: 'kafka-e2e',
        resultToken: testResultToken(execution.id),
      });
      expect(record.headers).toMatchObject({
        'Idempotency-Key': execution.id,
        'X-Scheduleman-Schedule-Id': schedule.id,
        'X-Scheduleman-Execution-Id': execution.id,
        'X-Scheduleman-Scheduled-At': execution.scheduledAt,
        'X-Scheduleman-Attempt': '1',
        'webhook-id': execution.id,
      });
      expect(new Webhook(secret).verify(payload, record.headers)).toEqual(body);
      // The record's timestamp is the producer's clock when it sent the record.
      const latenessMs = record.timestamp - Date.parse(execution.scheduledAt);
      console.log(`kafka e2e: lateness ${String(latenessMs)} ms`);
      expect(latenessMs).toBeGreaterThanOrEqual(0);
      expect(latenessMs).toBeLessThan(10_000);
    }),
    60_000,
  );
});
