import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { FireOutcome, NatsTriggerSpec } from '@scheduleman/domain';
import {
  freePort,
  describeWithBroker,
  requireBroker,
  TcpProxy,
  waitFor,
} from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  brokerFireRequest,
  budgetSignal,
  type BrokerHarness,
  createBrokerHarness,
  TEST_CONNECTION_CACHE_MS,
} from '../../testing/broker-int-fixtures';
import { BrokerClientPool } from '../broker/broker-client-pool';
import { NatsClientFactory, type NatsClient } from './nats-client';
import { NatsTriggerProvider } from './nats.trigger-provider';

// The nats provider against the real NATS (JetStream) on 127.0.0.1:4222 and a real
// PostgreSQL: the connection row is read, opened and pooled as the scheduler does it.
describeWithBroker('nats', 'NatsTriggerProvider against NATS JetStream', () => {
  let harness: BrokerHarness;
  let admin: NatsConnection;
  let jsm: JetStreamManager;
  const run = randomUUID().slice(0, 8);
  const stream = `scheduleman_test_${run}`;
  const subjects = `scheduleman.test.${run}`;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  let factory: NatsClientFactory;
  let pool: BrokerClientPool<NatsClient>;
  let provider: NatsTriggerProvider;
  let connectionId: string;

  function trigger(subject: string, id = connectionId): NatsTriggerSpec {
    return {
      type: 'nats',
      connectionId: id,
      subject,
      headers: { 'X-Tenant': 'acme' },
    };
  }

  beforeAll(async () => {
    await requireBroker('nats');
    process.on('unhandledRejection', onUnhandled);
    harness = await createBrokerHarness('nats_provider');
    admin = await connect({ servers: '127.0.0.1:4222' });
    jsm = await jetstreamManager(admin);
    await jsm.streams.add({ name: stream, subjects: [`${subjects}.>`] });
    connectionId = await harness.insertConnection(
      'nats',
      'nats://127.0.0.1:4222',
    );
  });

  beforeEach(() => {
    factory = new NatsClientFactory();
    pool = new BrokerClientPool(factory, { policy: harness.policy });
    factory.onClosed = (id, client, reason) => {
      pool.discard(id, client, reason);
    };
    provider = new NatsTriggerProvider(harness.firing, pool, 3_000);
  });

  afterEach(() => pool.closeAll());

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await jsm.streams.delete(stream).catch(() => undefined);
    await admin.close();
    await harness.close();
  });

  it('publishes the contract body and headers, signed, with Nats-Msg-Id = the execution id', async () => {
    const request = brokerFireRequest(trigger(`${subjects}.created`), {
      attempt: 2,
    });

    const outcome = await provider.fire(request, { signal: budgetSignal() });

    expect(outcome).toMatchObject({ kind: 'delivered' });
    const ref = (outcome as { ref: string }).ref;
    const [name, seq] = ref.split(':');
    expect(name).toBe(stream);
    const stored = await jsm.streams.getMessage(stream, { seq: Number(seq) });
    expect(stored?.subject).toBe(`${subjects}.created`);
    const headers = Object.fromEntries(
      (stored?.header.keys() ?? []).map((key) => [
        key,
        stored?.header.get(key) ?? '',
      ]),
    );
    expect(headers).toEqual({
      'Content-Type': 'application/json',
      'Nats-Msg-Id': request.executionId,
      'Idempotency-Key': request.executionId,
      'X-Scheduleman-Schedule-Id': request.scheduleId,
      'X-Scheduleman-Execution-Id': request.executionId,
      'X-Scheduleman-Scheduled-At': '2030-01-01T00:00:00.000Z',
      'X-Scheduleman-Attempt': '2',
      'X-Tenant': 'acme',
      'webhook-id': request.executionId,
      'webhook-timestamp': expect.stringMatching(/^\d+$/) as string,
      'webhook-signature': expect.stringMatching(/^v1,/) as string,
    });
    const body = stored?.string() ?? '';
    expect(new Webhook(harness.signingSecret).verify(body, headers)).toEqual({
      scheduleId: request.scheduleId,
      executionId: request.executionId,
      scheduledAt: '2030-01-01T00:00:00.000Z',
      attempt: 2,
      name: 'broker-test',
    });
  });

  it('stores one message for two attempts of one execution: the second PubAck is a duplicate, delivered', async () => {
    const subject = `${subjects}.dedup`;
    const first = brokerFireRequest(trigger(subject));
    const retry = { ...first, attempt: 2 };

    const outcomes = [
      await provider.fire(first, { signal: budgetSignal() }),
      await provider.fire(retry, { signal: budgetSignal() }),
    ];

    expect(outcomes[0]).toMatchObject({ kind: 'delivered' });
    expect(outcomes[0]).not.toHaveProperty('duplicate');
    expect(outcomes[1]).toEqual({
      kind: 'delivered',
      ref: (outcomes[0] as { ref: string }).ref,
      duplicate: true,
    });
    const info = await jsm.streams.info(stream, { subjects_filter: subject });
    expect(info.state.subjects?.[subject]).toBe(1);
  });

  it('fails a subject that no stream captures as permanent, naming it (the no-responders trap)', async () => {
    const subject = `scheduleman.nostream.${run}`;
    const startedAt = performance.now();

    const outcome = await provider.fire(brokerFireRequest(trigger(subject)), {
      signal: budgetSignal(),
    });

    expect(outcome).toEqual({
      kind: 'permanent',
      error: `no JetStream stream captures subject "${subject}" (create one whose subjects include it)`,
    });
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });

  it('shares one connection between 200 concurrent fires, all delivered', async () => {
    const opened = jest.spyOn(factory, 'open');
    const startedAt = performance.now();

    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        provider.fire(brokerFireRequest(trigger(`${subjects}.burst.${i}`)), {
          signal: budgetSignal(),
        }),
      ),
    );

    const elapsed = performance.now() - startedAt;
    console.log(`nats: 200 concurrent fires in ${elapsed.toFixed(0)} ms`);
    expect(outcomes.filter((o) => o.kind === 'delivered')).toHaveLength(200);
    expect(opened).toHaveBeenCalledTimes(1);
  });

  it('fails fast as retryable while the broker is away, and delivers again once nats.js has reconnected', async () => {
    const proxy = await TcpProxy.start(4222);
    try {
      const id = await harness.insertConnection(
        'nats',
        `nats://127.0.0.1:${String(proxy.port)}`,
      );
      const request = () => brokerFireRequest(trigger(`${subjects}.away`, id));
      const opened = jest.spyOn(factory, 'open');
      expect(
        await provider.fire(request(), { signal: budgetSignal() }),
      ).toMatchObject({ kind: 'delivered' });

      const client = await (opened.mock.results[0]
        .value as Promise<NatsClient>);

      await proxy.refuse(); // the broker is gone: connections cut and refused
      await waitFor('nats.js to see the disconnect', () =>
        client.state === 'reconnecting' ? true : undefined,
      );
      const startedAt = performance.now();
      const meanwhile = await provider.fire(request(), {
        signal: budgetSignal(),
      });
      expect(performance.now() - startedAt).toBeLessThan(200);
      expect(meanwhile).toEqual({
        kind: 'retryable',
        error: expect.stringMatching(
          /^the NATS connection ".*" is reconnecting$/,
        ) as string,
      });
      await proxy.accept();

      const back = await waitFor('a delivery after the reconnect', async () => {
        const outcome = await provider.fire(request(), {
          signal: budgetSignal(),
        });
        return outcome.kind === 'delivered' ? outcome : undefined;
      });
      expect(back).toMatchObject({ kind: 'delivered' });
      expect(opened).toHaveBeenCalledTimes(1); // the same connection, reconnected
      expect(unhandled).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('answers retryable, fast and without crashing when the broker is unreachable', async () => {
    const port = await freePort();
    const id = await harness.insertConnection(
      'nats',
      `nats://127.0.0.1:${String(port)}`,
    );
    const outcomes: FireOutcome[] = [];
    const startedAt = performance.now();

    for (let i = 0; i < 3; i++)
      outcomes.push(
        await provider.fire(brokerFireRequest(trigger(`${subjects}.x`, id)), {
          signal: budgetSignal(),
        }),
      );

    const elapsed = performance.now() - startedAt;
    console.log(
      `nats: 3 fires to a closed port answered in ${elapsed.toFixed(0)} ms`,
    );
    expect(elapsed).toBeLessThan(1_500);
    for (const outcome of outcomes) {
      expect(outcome.kind).toBe('retryable');
      expect(outcome.kind !== 'delivered' && outcome.error).toMatch(
        /^connection "nats-[0-9a-f]{8}" (cannot be opened|is down)/,
      );
    }
    expect(pool.health()).toEqual([
      expect.objectContaining({ connectionId: id, state: 'down' }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(unhandled).toEqual([]);
  });

  it('closes the client once its connection is deleted', async () => {
    const id = await harness.insertConnection('nats', 'nats://127.0.0.1:4222');
    const closed = jest.spyOn(factory, 'close');
    expect(
      await provider.fire(brokerFireRequest(trigger(`${subjects}.del`, id)), {
        signal: budgetSignal(),
      }),
    ).toMatchObject({ kind: 'delivered' });
    expect(pool.health()).toEqual([
      expect.objectContaining({ connectionId: id, state: 'up' }),
    ]);

    await harness.deleteConnection(id);
    await new Promise((resolve) =>
      setTimeout(resolve, TEST_CONNECTION_CACHE_MS * 2),
    );
    const outcome = await provider.fire(
      brokerFireRequest(trigger(`${subjects}.del`, id)),
      { signal: budgetSignal() },
    );

    expect(outcome).toMatchObject({
      kind: 'permanent',
      error: expect.stringContaining('not found') as string,
    });
    expect(closed).toHaveBeenCalledTimes(1);
    expect(pool.health()).toEqual([]);
  });
});
