import type {
  FireOutcome,
  FireRequest,
  MqttTriggerSpec,
} from '@scheduleman/domain';
import { ErrorWithReasonCode, type IClientPublishOptions } from 'mqtt';
import type { BrokerClientPool } from '../broker/broker-client-pool';
import type { BrokerFiring } from '../broker/broker-firing';
import { mqttClientId, type MqttPublisher } from './mqtt-client';
import { MqttTriggerProvider } from './mqtt.trigger-provider';

const TRIGGER: MqttTriggerSpec = {
  type: 'mqtt',
  connectionId: '3f2a6d4e-8b1c-4f5e-9a7b-2c3d4e5f6a7b',
  topic: 'jobs/created',
  qos: 1,
  retain: false,
  headers: {},
};
const REQUEST: FireRequest = {
  executionId: 'e-1',
  scheduleId: 's-1',
  scheduleName: null,
  scheduleOwner: null,
  scheduledAt: new Date('2030-01-01T00:00:00Z'),
  attempt: 1,
  trigger: TRIGGER,
};

/** A fake client whose publish answers as told. */
class FakePublisher implements MqttPublisher {
  connected = true;
  published: {
    topic: string;
    payload: string;
    options: IClientPublishOptions;
  }[] = [];
  answer: () => Promise<void> = () => Promise.resolve();
  isConnected(): boolean {
    return this.connected;
  }
  lastError(): string | undefined {
    return this.connected ? undefined : 'connect ECONNREFUSED 127.0.0.1:1883';
  }
  publish(
    topic: string,
    payload: string,
    options: IClientPublishOptions,
  ): Promise<void> {
    this.published.push({ topic, payload, options });
    return this.answer();
  }
}

function providerWith(
  client: FakePublisher,
  trigger: MqttTriggerSpec = TRIGGER,
  prepared?: FireOutcome,
): MqttTriggerProvider {
  const firing = {
    prepare: () =>
      Promise.resolve(
        prepared ?? {
          trigger,
          connection: {},
          client,
          message: {
            body: '{"a":1}',
            contentType: 'application/json',
            headers: { 'Idempotency-Key': 'e-1', 'X-Tenant': 't' },
          },
        },
      ),
  } as unknown as BrokerFiring;
  return new MqttTriggerProvider(
    firing,
    undefined as unknown as BrokerClientPool<MqttPublisher>,
  );
}

const signal = () => new AbortController().signal;

describe('MqttTriggerProvider', () => {
  it('publishes with the QoS, retain, user properties and content type; PUBACK = delivered', async () => {
    const client = new FakePublisher();
    const outcome = await providerWith(client, {
      ...TRIGGER,
      qos: 2,
      retain: true,
    }).fire(REQUEST, { signal: signal() });
    expect(outcome).toEqual({ kind: 'delivered' });
    expect(client.published).toEqual([
      {
        topic: 'jobs/created',
        payload: '{"a":1}',
        options: {
          qos: 2,
          retain: true,
          properties: {
            contentType: 'application/json',
            userProperties: { 'Idempotency-Key': 'e-1', 'X-Tenant': 't' },
          },
        },
      },
    ]);
  });

  it.each([
    [0x87, 'permanent', '0x87 not authorized'],
    [0x90, 'permanent', '0x90 topic name invalid'],
    [0x97, 'permanent', '0x97 quota exceeded'],
    [0x99, 'permanent', '0x99 payload format invalid'],
    [0x80, 'retryable', '0x80 unspecified error'],
    [0x83, 'retryable', '0x83 implementation specific error'],
    [0x91, 'retryable', '0x91 packet identifier in use'],
  ])('maps reason code %s to %s', async (code, kind, text) => {
    const client = new FakePublisher();
    const reasons: Record<number, string> = {
      0x87: 'Not authorized',
      0x90: 'Topic Name invalid',
      0x97: 'Quota exceeded',
      0x99: 'Payload format invalid',
      0x80: 'Unspecified error',
      0x83: 'Implementation specific error',
      0x91: 'Packet identifier in use',
    };
    client.answer = () =>
      Promise.reject(
        new ErrorWithReasonCode(`Publish error: ${reasons[code] ?? ''}`, code),
      );
    const outcome = await providerWith(client).fire(REQUEST, {
      signal: signal(),
    });
    expect(outcome.kind).toBe(kind);
    expect('error' in outcome ? outcome.error : '').toContain(text);
  });

  it('a connection error is retryable', async () => {
    const client = new FakePublisher();
    client.answer = () => Promise.reject(new Error('Connection closed'));
    expect(
      await providerWith(client).fire(REQUEST, { signal: signal() }),
    ).toEqual({ kind: 'retryable', error: 'mqtt: Connection closed' });
  });

  it('a session that is down fails at once without queueing the message', async () => {
    const client = new FakePublisher();
    client.connected = false;
    const outcome = await providerWith(client).fire(REQUEST, {
      signal: signal(),
    });
    expect(outcome).toEqual({
      kind: 'retryable',
      error:
        'mqtt: not connected to the broker, reconnecting (connect ECONNREFUSED 127.0.0.1:1883)',
    });
    expect(client.published).toHaveLength(0);
  });

  it('no PUBACK before the signal aborts: an ambiguous retryable timeout, at once', async () => {
    const client = new FakePublisher();
    client.answer = () => new Promise<void>(() => undefined);
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 50);
    const startedAt = performance.now();
    const outcome = await providerWith(client).fire(REQUEST, {
      signal: controller.signal,
    });
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(outcome.kind).toBe('retryable');
    expect('error' in outcome ? outcome.error : '').toMatch(
      /^mqtt: timeout after \d+ ms waiting for PUBACK \(ambiguous/,
    );
  });

  it('a late rejection after the abort is not unhandled', async () => {
    const client = new FakePublisher();
    let rejectLater: (error: Error) => void = () => undefined;
    client.answer = () =>
      new Promise<void>((_resolve, reject) => {
        rejectLater = reject;
      });
    const controller = new AbortController();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const fired = providerWith(client).fire(REQUEST, {
        signal: controller.signal,
      });
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      expect((await fired).kind).toBe('retryable');
      rejectLater(new Error('Connection closed'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('returns the outcome of the preparation as is (a missing connection)', async () => {
    const client = new FakePublisher();
    const missing: FireOutcome = { kind: 'permanent', error: 'not found' };
    expect(
      await providerWith(client, TRIGGER, missing).fire(REQUEST, {
        signal: signal(),
      }),
    ).toBe(missing);
    expect(client.published).toHaveLength(0);
  });
});

describe('mqttClientId', () => {
  it('is scheduleman-<schedulerId>-<random>, safe characters only', () => {
    expect(mqttClientId('host-1-4242-abc', 'r4nd')).toBe(
      'scheduleman-host-1-4242-abc-r4nd',
    );
    expect(mqttClientId('a b/c#+', 'x')).toBe('scheduleman-a_b_c__-x');
    expect(mqttClientId('z'.repeat(100), 'x')).toHaveLength(
      'scheduleman-'.length + 40 + 2,
    );
  });

  it('differs between two clients of one scheduler', () => {
    expect(mqttClientId('s-1')).not.toBe(mqttClientId('s-1'));
  });
});
