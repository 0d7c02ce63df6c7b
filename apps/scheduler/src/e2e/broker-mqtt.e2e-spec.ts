import { generateSigningSecret } from '@scheduleman/domain';
import {
  describeWithBroker,
  requireBroker,
  waitFor,
  testResultToken,
} from '@scheduleman/testkit';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { useStack } from './stack';

/**
 * The built API and one built scheduler, the real Mosquitto on 127.0.0.1:1883: a
 * connection and an mqtt schedule created through the API, the message consumed by an
 * MQTT 5 QoS 1 subscriber, on time, with the contract's body and user properties.
 */
describeWithBroker(
  'mosquitto',
  'an mqtt schedule through the built apps',
  () => {
    let brokerUrl = '';
    let subscriber: MqttClient | undefined;
    const arrived: { payload: string; packet: IPublishPacket; at: number }[] =
      [];
    const topic = `scheduleman-e2e/${randomUUID()}/jobs`;
    const secret = generateSigningSecret();

    beforeAll(async () => {
      brokerUrl = await requireBroker('mosquitto');
      subscriber = await connectAsync(brokerUrl, {
        protocolVersion: 5,
        clientId: `scheduleman-e2e-sub-${randomUUID()}`,
      });
      subscriber.on('message', (_topic, payload, packet) => {
        arrived.push({
          payload: payload.toString('utf8'),
          packet,
          at: Date.now(),
        });
      });
      await subscriber.subscribeAsync(topic, { qos: 1 });
    });
    const stack = useStack('e2e_broker_mqtt', ['mqtt-s1'], {
      schedulerEnv: { WEBHOOK_SIGNING_SECRETS: secret },
    });
    afterAll(async () => {
      await subscriber?.endAsync();
    });

    it(
      'publishes the occurrence when due, with the contract body and headers',
      stack.cluster.withLogs(async () => {
        const connection = await stack.api.createConnection({
          name: 'local-mosquitto',
          type: 'mqtt',
          url: brokerUrl,
        });
        const schedule = await stack.api.createSchedule({
          name: 'mqtt-e2e',
          schedule: { type: 'delay', delay: 'PT2S' },
          trigger: { type: 'mqtt', connectionId: connection.id, topic },
        });
        const [message] = await waitFor(
          'the MQTT message',
          () => (arrived.length > 0 ? arrived : false),
          { timeoutMs: 20_000 },
        );
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
        expect(execution).toMatchObject({ attempts: 1, error: null });
        const body: unknown = JSON.parse(message.payload);
        expect(body).toEqual({
          scheduleId: schedule.id,
          executionId: execution.id,
          scheduledAt: execution.scheduledAt,
          attempt: 1,
          name: 'mqtt-e2e',
          resultToken: testResultToken(execution.id),
        });
        expect(message.packet.qos).toBe(1);
        expect(message.packet.properties?.contentType).toBe('application/json');
        const props = (message.packet.properties?.userProperties ??
          {}) as Record<string, string>;
        expect(props).toMatchObject({
          'Idempotency-Key': execution.id,
          'X-Scheduleman-Schedule-Id': schedule.id,
          'X-Scheduleman-Execution-Id': execution.id,
          'X-Scheduleman-Scheduled-At': execution.scheduledAt,
          'X-Scheduleman-Attempt': '1',
          'webhook-id': execution.id,
        });
        expect(new Webhook(secret).verify(message.payload, props)).toEqual(
          body,
        );
        const latenessMs = message.at - Date.parse(execution.scheduledAt);
        console.log(`mqtt e2e: lateness ${String(latenessMs)} ms`);
        expect(latenessMs).toBeGreaterThanOrEqual(0);
        expect(latenessMs).toBeLessThan(10_000);
        expect(arrived).toHaveLength(1);
      }),
      60_000,
    );
  },
);
