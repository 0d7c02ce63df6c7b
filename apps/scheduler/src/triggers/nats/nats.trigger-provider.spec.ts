import type { PubAck } from '@nats-io/jetstream';
import type {
  BrokerMessage,
  FireOutcome,
  FireRequest,
  NatsTriggerSpec,
} from '@scheduleman/domain';
import type { BrokerClientPool } from '../broker/broker-client-pool';
import type { BrokerFiring } from '../broker/broker-firing';
import type { ResolvedConnection } from '../broker/connection-source';
import type { NatsClient } from './nats-client';
import { NatsTriggerProvider } from './nats.trigger-provider';

const CONNECTION: ResolvedConnection = {
  id: '3f2a6d4e-8b1c-4f5e-9a7b-2c3d4e5f6a7b',
  owner: null,
  name: 'jobs-nats',
  type: 'nats',
  url: {
    type: 'nats',
    url: 'nats://127.0.0.1:4222',
    masked: 'nats://127.0.0.1:4222',
    tls: false,
    brokers: [{ host: '127.0.0.1', port: 4222 }],
    params: {},
  },
};
const TRIGGER: NatsTriggerSpec = {
  type: 'nats',
  connectionId: CONNECTION.id,
  subject: 'jobs.created',
  headers: {},
};
const MESSAGE: BrokerMessage = {
  body: '{"a":1}',
  contentType: 'application/json',
  headers: { 'Idempotency-Key': 'exec-1', 'X-Scheduleman-Attempt': '2' },
};
const REQUEST: FireRequest = {
  executionId: 'exec-1',
  scheduleId: 'sched-1',
  scheduleName: null,
  scheduleOwner: null,
  scheduledAt: new Date('2030-01-01T00:00:00Z'),
  attempt: 2,
  trigger: TRIGGER,
};

function named(name: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { name }, extra);
}

interface Call {
  subject: string;
  body: string;
  contentType: string;
  headers: Readonly<Record<string, string>>;
  msgId: string;
  timeoutMs: number;
}

function setUp(
  answer: () => Promise<PubAck>,
  client: Partial<NatsClient> = {},
) {
  const calls: Call[] = [];
  const fake: NatsClient = {
    state: 'up',
    jetstream: true,
    publish: (subject, body, contentType, headers, msgId, timeoutMs) => {
      calls.push({ subject, body, contentType, headers, msgId, timeoutMs });
      return answer();
    },
    ...client,
  };
  const discarded: string[] = [];
  const pool = {
    discard: (_id: string, c: NatsClient, reason: string) => {
      if (c === fake) discarded.push(reason);
    },
  } as unknown as BrokerClientPool<NatsClient>;
  const firing = {
    prepare: () =>
      Promise.resolve({
        trigger: TRIGGER,
        connection: CONNECTION,
        client: fake,
        message: MESSAGE,
      }),
  } as unknown as BrokerFiring;
  const provider = new NatsTriggerProvider(firing, pool, 3000);
  const fire = (signal = new AbortController().signal): Promise<FireOutcome> =>
    provider.fire(REQUEST, { signal });
  return { calls, discarded, fire };
}

describe('NatsTriggerProvider', () => {
  it('publishes the message with Nats-Msg-Id = the execution id, within the budget', async () => {
    const { calls, fire } = setUp(() =>
      Promise.resolve({ stream: 'JOBS', seq: 7, duplicate: false }),
    );

    expect(await fire()).toEqual({ kind: 'delivered', ref: 'JOBS:7' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      subject: 'jobs.created',
      body: '{"a":1}',
      contentType: 'application/json',
      headers: MESSAGE.headers,
      msgId: 'exec-1',
    });
    expect(calls[0].timeoutMs).toBeGreaterThan(2900);
    expect(calls[0].timeoutMs).toBeLessThanOrEqual(3000);
  });

  it('counts a duplicate PubAck (the stream had the execution id) as delivered, and says so', async () => {
    const { fire } = setUp(() =>
      Promise.resolve({ stream: 'JOBS', seq: 7, duplicate: true }),
    );

    expect(await fire()).toEqual({
      kind: 'delivered',
      ref: 'JOBS:7',
      duplicate: true,
    });
  });

  it('passes a preparation outcome (missing connection, broker down) on as is', async () => {
    const outcome: FireOutcome = { kind: 'permanent', error: 'not found' };
    const provider = new NatsTriggerProvider(
      { prepare: () => Promise.resolve(outcome) } as unknown as BrokerFiring,
      {} as unknown as BrokerClientPool<NatsClient>,
      3000,
    );

    expect(
      await provider.fire(REQUEST, { signal: new AbortController().signal }),
    ).toBe(outcome);
  });

  it.each<[string, Error, boolean, FireOutcome['kind'], RegExp]>([
    [
      'no stream captures the subject (no responders)',
      named('JetStreamNotEnabled', 'jetstream is not enabled'),
      true,
      'permanent',
      /^no JetStream stream captures subject "jobs\.created"/,
    ],
    [
      'JetStream off on the server',
      named('JetStreamNotEnabled', 'jetstream is not enabled'),
      false,
      'permanent',
      /^JetStream is not enabled on this NATS server/,
    ],
    [
      'no PubAck in time',
      named('TimeoutError', 'timeout'),
      true,
      'retryable',
      /ambiguous.*same Nats-Msg-Id/,
    ],
    [
      'a publish permission missing',
      named('PermissionViolationError', 'Permissions Violation for Publish'),
      true,
      'permanent',
      /^NATS refused the publish: Permissions Violation/,
    ],
    [
      'a message the stream refuses (too large)',
      named('JetStreamApiError', 'message size exceeds maximum allowed', {
        status: 400,
        code: 10054,
      }),
      true,
      'permanent',
      /err_code 10054, status 400/,
    ],
    [
      'a stream without quorum',
      named('JetStreamApiError', 'JetStream system temporarily unavailable', {
        status: 503,
        code: 10008,
      }),
      true,
      'retryable',
      /status 503/,
    ],
    [
      'a core NATS service answering instead of a stream',
      named('JetStreamError', 'invalid ack response'),
      true,
      'permanent',
      /is answered by something that is not a JetStream stream/,
    ],
    [
      'an unknown error',
      new Error('socket hang up'),
      true,
      'retryable',
      /^NATS: socket hang up$/,
    ],
  ])('maps %s', async (_what, error, jetstream, kind, text) => {
    const { fire, discarded } = setUp(() => Promise.reject(error), {
      jetstream,
    });

    const outcome = await fire();

    expect(outcome.kind).toBe(kind);
    expect(outcome.kind !== 'delivered' && outcome.error).toMatch(text);
    expect(discarded).toEqual([]);
  });

  it('discards a closed connection from the pool and retries', async () => {
    const { fire, discarded } = setUp(() =>
      Promise.reject(named('ClosedConnectionError', 'closed connection')),
    );

    expect(await fire()).toMatchObject({ kind: 'retryable' });
    expect(discarded).toEqual(['the NATS connection closed']);
  });

  it('fails at once, without publishing, while nats.js reconnects', async () => {
    const { fire, calls } = setUp(
      () => Promise.resolve({ stream: 'JOBS', seq: 1, duplicate: false }),
      { state: 'reconnecting' },
    );

    expect(await fire()).toEqual({
      kind: 'retryable',
      error: 'the NATS connection "jobs-nats" is reconnecting',
    });
    expect(calls).toEqual([]);
  });

  it('answers as soon as the signal aborts, as an ambiguous timeout, and leaves no listener', async () => {
    const { fire } = setUp(() => new Promise<PubAck>(() => undefined));
    const controller = new AbortController();
    const removed = jest.spyOn(controller.signal, 'removeEventListener');
    const added = jest.spyOn(controller.signal, 'addEventListener');

    const pending = fire(controller.signal);
    setTimeout(() => {
      controller.abort();
    }, 20);
    const outcome = await pending;

    expect(outcome).toMatchObject({ kind: 'retryable' });
    expect(outcome.kind !== 'delivered' && outcome.error).toMatch(
      /^timeout after \d+ ms, no acknowledgement \(ambiguous/,
    );
    expect(added).toHaveBeenCalledTimes(1); // `once`: gone after it fired
    expect(removed).not.toHaveBeenCalled();
  });

  it('removes its abort listener when the publish settles', async () => {
    const { fire } = setUp(() =>
      Promise.resolve({ stream: 'JOBS', seq: 1, duplicate: false }),
    );
    const controller = new AbortController();
    const removed = jest.spyOn(controller.signal, 'removeEventListener');

    await fire(controller.signal);

    expect(removed).toHaveBeenCalledTimes(1);
  });
});
