import type {
  BrokerMessage,
  FireOutcome,
  FireRequest,
} from '@scheduleman/domain';
import type { BrokerClientPool } from '../broker/broker-client-pool';
import type { BrokerFiring } from '../broker/broker-firing';
import type {
  AmqpPublish,
  AmqpPublisher,
  PublishResult,
} from './amqp-publisher';
import { AmqpTriggerProvider } from './amqp.trigger-provider';

const trigger = {
  type: 'amqp' as const,
  connectionId: '3f2a6d4e-8b1c-4f5e-9a7b-2c3d4e5f6a7b',
  exchange: 'orders',
  routingKey: 'eu',
  headers: {},
};
const request: FireRequest = {
  executionId: 'exec-1',
  scheduleId: 'sched-1',
  scheduleName: null,
  scheduleOwner: null,
  scheduledAt: new Date('2030-01-01T00:00:00Z'),
  attempt: 1,
  trigger,
};
const message: BrokerMessage = {
  body: '{"a":1}',
  contentType: 'application/json',
  headers: { 'webhook-timestamp': '1893456000', 'Idempotency-Key': 'exec-1' },
};

/** A provider on a fake BrokerFiring that hands out `client`, or answers `prepared`. */
function providerWith(client: Partial<AmqpPublisher>, prepared?: FireOutcome) {
  const discarded: string[] = [];
  const firing = {
    prepare: () =>
      Promise.resolve(
        prepared ?? { trigger, connection: { id: 'conn-1' }, client, message },
      ),
  } as unknown as BrokerFiring;
  const pool = {
    discard: (_id: string, _client: unknown, reason: string) =>
      discarded.push(reason),
  } as unknown as BrokerClientPool<AmqpPublisher>;
  return { provider: new AmqpTriggerProvider(firing, pool), discarded };
}

describe('AmqpTriggerProvider', () => {
  it('publishes the prepared message with the contract properties and maps the answer', async () => {
    const sent: AmqpPublish[] = [];
    const { provider } = providerWith({
      broken: undefined,
      publish: (p: AmqpPublish): Promise<PublishResult> => {
        sent.push(p);
        return Promise.resolve({ kind: 'acked' });
      },
    });

    expect(
      await provider.fire(request, { signal: new AbortController().signal }),
    ).toEqual({ kind: 'delivered' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ exchange: 'orders', routingKey: 'eu' });
    expect(sent[0].content.toString()).toBe('{"a":1}');
    expect(sent[0].options).toEqual({
      mandatory: true,
      persistent: true,
      messageId: 'exec-1',
      contentType: 'application/json',
      headers: message.headers,
      timestamp: 1893456000,
    });
  });

  it('answers a timeout as soon as the signal fires, with one listener (once)', async () => {
    const { provider } = providerWith({
      broken: undefined,
      publish: () => new Promise<PublishResult>(() => undefined),
    });
    const controller = new AbortController();
    const listeners = { added: 0 };
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    signal.addEventListener = (...args: Parameters<typeof add>) => {
      listeners.added += 1;
      add(...args);
    };
    setTimeout(() => {
      controller.abort();
    }, 20);

    const outcome = await provider.fire(request, { signal });
    expect(outcome).toMatchObject({
      kind: 'retryable',
      error: expect.stringMatching(/^timeout after \d+ ms/) as string,
    });
    expect(listeners.added).toBe(1);
  });

  it('removes its abort listener when the broker answers first', async () => {
    const { provider } = providerWith({
      broken: undefined,
      publish: () => Promise.resolve<PublishResult>({ kind: 'nacked' }),
    });
    const signal = new AbortController().signal;
    let removed = 0;
    const remove = signal.removeEventListener.bind(signal);
    signal.removeEventListener = (...args: Parameters<typeof remove>) => {
      removed += 1;
      remove(...args);
    };

    expect((await provider.fire(request, { signal })).kind).toBe('retryable');
    expect(removed).toBe(1);
  });

  it('discards a client that broke before the publish', async () => {
    const { provider, discarded } = providerWith({ broken: 'read ECONNRESET' });

    expect(
      await provider.fire(request, { signal: new AbortController().signal }),
    ).toEqual({
      kind: 'retryable',
      error: 'connection lost: read ECONNRESET',
    });
    expect(discarded).toEqual(['read ECONNRESET']);
  });

  it('passes on what BrokerFiring answered, failing a refused open for good', async () => {
    const missing: FireOutcome = {
      kind: 'permanent',
      error: 'connection x not found',
    };
    expect(
      await providerWith({}, missing).provider.fire(request, {
        signal: new AbortController().signal,
      }),
    ).toBe(missing);
    const refused: FireOutcome = {
      kind: 'retryable',
      error:
        'connection "r" is down (refused by the broker: access refused for user "u"); the next try is in 400 ms',
    };
    expect(
      await providerWith({}, refused).provider.fire(request, {
        signal: new AbortController().signal,
      }),
    ).toEqual({
      kind: 'permanent',
      error: refused.error,
    });
  });
});
