import {
  type FireOutcome,
  type FireRequest,
  type KafkaTriggerSpec,
  networkPolicyOf,
  parseConnectionUrl,
} from '@scheduleman/domain';
import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  type Message,
} from 'kafkajs';
import type { BrokerClientPool } from '../broker/broker-client-pool';
import type { BrokerFiring } from '../broker/broker-firing';
import { DestinationNotAllowedError } from '../outbound/destination-guard';
import {
  guardedSocketFactory,
  KafkaClientFactory,
  type KafkaPublisher,
} from './kafka-client';
import { KafkaTriggerProvider } from './kafka.trigger-provider';

const TRIGGER: KafkaTriggerSpec = {
  type: 'kafka',
  connectionId: '3f2a6d4e-8b1c-4f5e-9a7b-2c3d4e5f6a7b',
  topic: 'jobs',
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

class FakeProducer implements KafkaPublisher {
  sent: { topic: string; message: Message }[] = [];
  answer: () => Promise<void> = () => Promise.resolve();
  send(topic: string, message: Message): Promise<void> {
    this.sent.push({ topic, message });
    return this.answer();
  }
}

/** A kafkajs protocol error as kafkajs builds it from a broker's error code. */
function protocolError(type: string, retriable: boolean): KafkaJSProtocolError {
  return new KafkaJSProtocolError({
    type,
    code: 1,
    retriable,
    message: `broker says ${type}`,
  } as unknown as Error);
}

function providerWith(
  client: FakeProducer,
  trigger: KafkaTriggerSpec = TRIGGER,
  prepared?: FireOutcome,
): { provider: KafkaTriggerProvider; discarded: string[] } {
  const discarded: string[] = [];
  const firing = {
    prepare: () =>
      Promise.resolve(
        prepared ?? {
          trigger,
          connection: { id: 'c-1' },
          client,
          message: {
            body: '{"a":1}',
            contentType: 'application/json',
            headers: { 'Idempotency-Key': 'e-1' },
          },
        },
      ),
  } as unknown as BrokerFiring;
  const pool = {
    discard: (id: string, _client: unknown, reason: string) => {
      discarded.push(`${id}: ${reason}`);
    },
  } as unknown as BrokerClientPool<KafkaPublisher>;
  return { provider: new KafkaTriggerProvider(firing, pool), discarded };
}

const fire = (provider: KafkaTriggerProvider, signal?: AbortSignal) =>
  provider.fire(REQUEST, { signal: signal ?? new AbortController().signal });

describe('KafkaTriggerProvider', () => {
  it('produces one record: key = schedule id by default, value = body, headers = metadata', async () => {
    const producer = new FakeProducer();
    expect(await fire(providerWith(producer).provider)).toEqual({
      kind: 'delivered',
    });
    expect(producer.sent).toEqual([
      {
        topic: 'jobs',
        message: {
          key: 's-1',
          value: '{"a":1}',
          headers: { 'Idempotency-Key': 'e-1' },
        },
      },
    ]);
  });

  it("uses the trigger's key when it has one", async () => {
    const producer = new FakeProducer();
    await fire(
      providerWith(producer, { ...TRIGGER, key: 'tenant-7' }).provider,
    );
    expect(producer.sent[0]?.message.key).toBe('tenant-7');
  });

  it.each([
    ['TOPIC_AUTHORIZATION_FAILED', false, 'permanent'],
    ['INVALID_TOPIC_EXCEPTION', false, 'permanent'],
    ['MESSAGE_TOO_LARGE', false, 'permanent'],
    ['POLICY_VIOLATION', false, 'permanent'],
    ['UNKNOWN_TOPIC_OR_PARTITION', true, 'retryable'],
    ['NOT_LEADER_FOR_PARTITION', true, 'retryable'],
    ['NOT_ENOUGH_REPLICAS', true, 'retryable'],
    ['UNKNOWN', false, 'retryable'],
  ])(
    'maps %s to %s, also inside KafkaJSNumberOfRetriesExceeded',
    async (type, retriable, kind) => {
      for (const error of [
        protocolError(type, retriable),
        new KafkaJSNumberOfRetriesExceeded(protocolError(type, retriable), {
          retryCount: 2,
          retryTime: 100,
        }),
      ]) {
        const producer = new FakeProducer();
        producer.answer = () => Promise.reject(error);
        const { provider, discarded } = providerWith(producer);
        const outcome = await fire(provider);
        expect(outcome.kind).toBe(kind);
        expect('error' in outcome ? outcome.error : '').toContain(type);
        expect(discarded).toEqual([]);
      }
    },
  );

  it('a connection error is retryable and discards the producer', async () => {
    const producer = new FakeProducer();
    producer.answer = () =>
      Promise.reject(
        new KafkaJSNumberOfRetriesExceeded(
          new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'),
          { retryCount: 2, retryTime: 100 },
        ),
      );
    const { provider, discarded } = providerWith(producer);
    const outcome = await fire(provider);
    expect(outcome).toEqual({
      kind: 'retryable',
      error:
        'kafka: KafkaJSConnectionError: Connection error: connect ECONNREFUSED',
    });
    expect(discarded).toEqual([
      `c-1: ${outcome.kind === 'retryable' ? outcome.error : ''}`,
    ]);
  });

  it('an advertised broker the network policy refuses is permanent, the producer kept', async () => {
    const producer = new FakeProducer();
    producer.answer = () =>
      Promise.reject(
        new KafkaJSNumberOfRetriesExceeded(
          new KafkaJSConnectionError(
            'Connection error: destination not allowed',
            { code: 'ERR_DESTINATION_NOT_ALLOWED' },
          ),
          { retryCount: 0, retryTime: 0 },
        ),
      );
    const { provider, discarded } = providerWith(producer);
    const outcome = await fire(provider);
    expect(outcome.kind).toBe('permanent');
    expect(discarded).toEqual([]);
  });

  it('a request timeout is retryable and keeps the producer', async () => {
    const producer = new FakeProducer();
    producer.answer = () =>
      Promise.reject(
        new KafkaJSRequestTimeoutError(
          'Request Produce(key: 0, version: 7) timed out',
        ),
      );
    const { provider, discarded } = providerWith(producer);
    expect((await fire(provider)).kind).toBe('retryable');
    expect(discarded).toEqual([]);
  });

  it('no produce answer before the signal: an ambiguous retryable timeout, at once', async () => {
    const producer = new FakeProducer();
    producer.answer = () => new Promise<void>(() => undefined);
    const startedAt = performance.now();
    const outcome = await fire(
      providerWith(producer).provider,
      AbortSignal.timeout(50),
    );
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(outcome.kind).toBe('retryable');
    expect('error' in outcome ? outcome.error : '').toMatch(
      /^kafka: timeout after \d+ ms waiting for the produce answer \(ambiguous/,
    );
  });

  it('returns the outcome of the preparation as is', async () => {
    const producer = new FakeProducer();
    const missing: FireOutcome = { kind: 'permanent', error: 'not found' };
    expect(await fire(providerWith(producer, TRIGGER, missing).provider)).toBe(
      missing,
    );
    expect(producer.sent).toEqual([]);
  });
});

describe('KafkaClientFactory.config', () => {
  const policy = networkPolicyOf('');
  const factory = new KafkaClientFactory({ schedulerId: 's-9', policy });

  it('takes brokers, TLS and SASL from the ConnectionUrl', () => {
    const config = factory.config(
      parseConnectionUrl(
        'kafka',
        'kafka://app:s%40cret@k1.example.com:9093,k2.example.com?tls=true&sasl=scram-sha-512',
        policy,
      ),
    );
    expect(config).toMatchObject({
      clientId: 'scheduleman-s-9',
      brokers: ['k1.example.com:9093', 'k2.example.com:9092'],
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 's@cret' },
    });
  });

  it('no SASL without credentials; PLAIN when asked', () => {
    const plain = factory.config(
      parseConnectionUrl('kafka', 'kafka://k1.example.com', policy),
    );
    expect(plain.ssl).toBe(false);
    expect('sasl' in plain).toBe(false);
    expect(
      factory.config(
        parseConnectionUrl(
          'kafka',
          'kafka://u:p@k1.example.com?sasl=plain',
          policy,
        ),
      ).sasl,
    ).toEqual({ mechanism: 'plain', username: 'u', password: 'p' });
  });
});

describe('guardedSocketFactory', () => {
  // Brokers advertised in metadata get sockets too, not only the bootstrap list.
  it.each(['127.0.0.1', 'localhost'])(
    'refuses %s when the policy does not allow loopback, before any connect',
    async (host) => {
      const socket = guardedSocketFactory(networkPolicyOf(''))({
        host,
        port: 9,
        ssl: undefined as unknown as never,
        onConnect: () => undefined,
      });
      const error = await new Promise((resolve) =>
        socket.once('error', resolve),
      );
      expect(error).toBeInstanceOf(DestinationNotAllowedError);
    },
  );
});
