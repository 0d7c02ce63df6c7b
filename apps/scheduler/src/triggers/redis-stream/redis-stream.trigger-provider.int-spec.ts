import {
  type FireOutcome,
  PUBLIC_ONLY_NETWORK_POLICY,
  type RedisStreamTriggerSpec,
} from '@scheduleman/domain';
import {
  freePort,
  describeWithBroker,
  requireBroker,
  TcpProxy,
  waitFor,
} from '@scheduleman/testkit';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { Webhook } from 'standardwebhooks';
import {
  brokerFireRequest,
  budgetSignal,
  type BrokerHarness,
  createBrokerHarness,
  TEST_CONNECTION_CACHE_MS,
} from '../../testing/broker-int-fixtures';
import { BrokerClientPool } from '../broker/broker-client-pool';
import {
  redisDedupKey,
  RedisStreamClientFactory,
  type RedisStreamClient,
} from './redis-stream-client';
import { RedisStreamTriggerProvider } from './redis-stream.trigger-provider';

// The redis-stream provider against the real Redis on 127.0.0.1:6379 (7.0 here: no XADD
// IDMP, so the script's dedup is what is tested) and a real PostgreSQL. Every key of a
// run starts with its own prefix and is deleted at the end.
describeWithBroker('redis', 'RedisStreamTriggerProvider against Redis', () => {
  let harness: BrokerHarness;
  const admin = createClient({ socket: { host: '127.0.0.1', port: 6379 } });
  const run = randomUUID().slice(0, 8);
  const prefix = `scheduleman:test:${run}`;
  const clientName = `scheduleman-test-${run}`;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  let factory: RedisStreamClientFactory;
  let pool: BrokerClientPool<RedisStreamClient>;
  let provider: RedisStreamTriggerProvider;
  let connectionId: string;

  function trigger(
    stream: string,
    extra: Partial<RedisStreamTriggerSpec> = {},
  ): RedisStreamTriggerSpec {
    return {
      type: 'redis-stream',
      connectionId,
      stream: `${prefix}:${stream}`,
      headers: { 'X-Tenant': 'acme' },
      ...extra,
    };
  }

  const fire = (t: RedisStreamTriggerSpec, attempt = 1) =>
    provider.fire(brokerFireRequest(t, { attempt }), {
      signal: budgetSignal(),
    });

  beforeAll(async () => {
    await requireBroker('redis');
    process.on('unhandledRejection', onUnhandled);
    admin.on('error', () => undefined);
    await admin.connect();
    harness = await createBrokerHarness('redis_provider');
    connectionId = await harness.insertConnection(
      'redis',
      'redis://127.0.0.1:6379/0',
    );
  });

  beforeEach(() => {
    factory = new RedisStreamClientFactory({
      policy: harness.policy,
      name: clientName,
    });
    pool = new BrokerClientPool(factory, { policy: harness.policy });
    factory.onClosed = (id, client, reason) => {
      pool.discard(id, client, reason);
    };
    provider = new RedisStreamTriggerProvider(harness.firing, pool);
  });

  afterEach(() => pool.closeAll());

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    for (const pattern of [`${prefix}*`, `scheduleman:dedup:${prefix}*`])
      for await (const keys of admin.scanIterator({
        MATCH: pattern,
        COUNT: 1000,
      }))
        if (keys.length > 0) await admin.del(keys);
    admin.destroy();
    await harness.close();
  });

  it('adds an entry with the field body and one field per header, signed', async () => {
    const t = trigger('contract');
    const request = brokerFireRequest(t, { attempt: 3 });

    const outcome = await provider.fire(request, { signal: budgetSignal() });

    expect(outcome).toMatchObject({ kind: 'delivered' });
    const entries = (await admin.xRange(t.stream, '-', '+')) ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0].id).toBe((outcome as { ref: string }).ref);
    const fields = entries[0].message;
    expect(fields).toEqual({
      body: expect.any(String) as string,
      'Idempotency-Key': request.executionId,
      'X-Scheduleman-Schedule-Id': request.scheduleId,
      'X-Scheduleman-Execution-Id': request.executionId,
      'X-Scheduleman-Scheduled-At': '2030-01-01T00:00:00.000Z',
      'X-Scheduleman-Attempt': '3',
      'X-Tenant': 'acme',
      'webhook-id': request.executionId,
      'webhook-timestamp': expect.stringMatching(/^\d+$/) as string,
      'webhook-signature': expect.stringMatching(/^v1,/) as string,
    });
    const { body, ...headers } = fields;
    expect(new Webhook(harness.signingSecret).verify(body, headers)).toEqual({
      scheduleId: request.scheduleId,
      executionId: request.executionId,
      scheduledAt: '2030-01-01T00:00:00.000Z',
      attempt: 3,
      name: 'broker-test',
    });
  });

  it('adds one entry for two attempts of one execution: the repeat is delivered with the first id', async () => {
    const t = trigger('dedup');
    const first = brokerFireRequest(t);

    const outcomes = [
      await provider.fire(first, { signal: budgetSignal() }),
      await provider.fire({ ...first, attempt: 2 }, { signal: budgetSignal() }),
    ];

    const id = (outcomes[0] as { ref: string }).ref;
    expect(outcomes).toEqual([
      { kind: 'delivered', ref: id },
      { kind: 'delivered', ref: id, duplicate: true },
    ]);
    expect(await admin.xLen(t.stream)).toBe(1);
    const ttl = await admin.ttl(redisDedupKey(t.stream, first.executionId));
    expect(ttl).toBeGreaterThan(3_590);
    expect(ttl).toBeLessThanOrEqual(3_600);
  });

  it('trims the stream to about maxLen (MAXLEN ~)', async () => {
    const t = trigger('trimmed', { maxLen: 100 });

    for (let i = 0; i < 300; i++) await fire(t);

    const length = await admin.xLen(t.stream);
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300);
  });

  it('fails a key of another type as permanent and leaves no dedup key, so a retry works once fixed', async () => {
    const t = trigger('wrongtype');
    await admin.set(t.stream, 'not a stream');
    const request = brokerFireRequest(t);

    const refused = await provider.fire(request, { signal: budgetSignal() });
    await admin.del(t.stream);
    const retried = await provider.fire(
      { ...request, attempt: 2 },
      { signal: budgetSignal() },
    );

    expect(refused).toEqual({
      kind: 'permanent',
      error: `key "${t.stream}" holds a value that is not a stream`,
    });
    expect(retried).toMatchObject({ kind: 'delivered' });
    expect(retried).not.toHaveProperty('duplicate');
  });

  it('loads the script again after the server lost it (SCRIPT FLUSH)', async () => {
    const t = trigger('noscript');
    expect(await fire(t)).toMatchObject({ kind: 'delivered' });

    await admin.scriptFlush();

    expect(await fire(t)).toMatchObject({ kind: 'delivered' });
    expect(await admin.xLen(t.stream)).toBe(2);
  });

  it('shares one client between 200 concurrent fires, all delivered', async () => {
    const opened = jest.spyOn(factory, 'open');
    const t = trigger('burst');
    const startedAt = performance.now();

    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () => fire(t)),
    );

    const elapsed = performance.now() - startedAt;
    console.log(`redis: 200 concurrent fires in ${elapsed.toFixed(0)} ms`);
    expect(outcomes.filter((o) => o.kind === 'delivered')).toHaveLength(200);
    expect(await admin.xLen(t.stream)).toBe(200);
    expect(opened).toHaveBeenCalledTimes(1);
  });

  it('survives the server killing its connection: node-redis reconnects, the next fire is delivered', async () => {
    const t = trigger('killed');
    expect(await fire(t)).toMatchObject({ kind: 'delivered' });
    const list = await admin.clientList();
    const ours = list.filter((c) => c.name === clientName);
    expect(ours).toHaveLength(1);

    await admin.clientKill({ filter: 'ID', id: ours[0].id });

    const outcome = await waitFor('a fire after the reconnect', async () => {
      const result = await fire(t);
      return result.kind === 'delivered' ? result : undefined;
    });
    expect(outcome).toMatchObject({ kind: 'delivered' });
    expect(unhandled).toEqual([]);
  });

  it('fails fast as retryable while the broker is away, and delivers again once node-redis has reconnected', async () => {
    const proxy = await TcpProxy.start(6379);
    try {
      const id = await harness.insertConnection(
        'redis',
        `redis://127.0.0.1:${String(proxy.port)}`,
      );
      const opened = jest.spyOn(factory, 'open');
      const t = { ...trigger('away'), connectionId: id };
      expect(await fire(t)).toMatchObject({ kind: 'delivered' });
      const client = await (opened.mock.results[0]
        .value as Promise<RedisStreamClient>);

      await proxy.refuse(); // the broker is gone: connections cut and refused
      await waitFor('node-redis to see the drop', () =>
        client.state === 'reconnecting' ? true : undefined,
      );
      const startedAt = performance.now();
      const meanwhile = await fire(t);
      expect(performance.now() - startedAt).toBeLessThan(200);
      expect(meanwhile).toEqual({
        kind: 'retryable',
        error: expect.stringMatching(
          /^the Redis connection ".*" is reconnecting$/,
        ) as string,
      });
      await proxy.accept();

      const back = await waitFor('a delivery after the reconnect', async () => {
        const outcome = await fire(t);
        return outcome.kind === 'delivered' ? outcome : undefined;
      });
      expect(back).toMatchObject({ kind: 'delivered' });
      expect(opened).toHaveBeenCalledTimes(1); // the same client, reconnected
      expect(await admin.xLen(t.stream)).toBe(2);
      expect(unhandled).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('discards a client node-redis gave up on (a long outage) and opens a new one', async () => {
    const proxy = await TcpProxy.start(6379);
    try {
      const id = await harness.insertConnection(
        'redis',
        `redis://127.0.0.1:${String(proxy.port)}`,
      );
      // Two reconnects (50 and 100 ms) instead of ten, to keep the test short.
      factory = new RedisStreamClientFactory({
        policy: harness.policy,
        name: clientName,
        reconnectAttempts: 2,
      });
      pool = new BrokerClientPool(factory, { policy: harness.policy });
      factory.onClosed = (connection, client, reason) => {
        pool.discard(connection, client, reason);
      };
      provider = new RedisStreamTriggerProvider(harness.firing, pool);
      const opened = jest.spyOn(factory, 'open');
      const t = { ...trigger('given-up'), connectionId: id };
      expect(await fire(t)).toMatchObject({ kind: 'delivered' });

      await proxy.refuse();
      await waitFor(
        'the pool to drop the client',
        () =>
          pool.health().some((h) => h.connectionId === id && h.state === 'down')
            ? true
            : undefined,
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      await proxy.accept();

      expect(await fire(t)).toMatchObject({ kind: 'delivered' });
      expect(opened).toHaveBeenCalledTimes(2);
      expect(unhandled).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it('answers retryable, fast and without crashing when the broker is unreachable', async () => {
    const port = await freePort();
    const id = await harness.insertConnection(
      'redis',
      `redis://127.0.0.1:${String(port)}`,
    );
    const outcomes: FireOutcome[] = [];
    const startedAt = performance.now();

    for (let i = 0; i < 3; i++)
      outcomes.push(await fire({ ...trigger('x'), connectionId: id }));

    const elapsed = performance.now() - startedAt;
    console.log(
      `redis: 3 fires to a closed port answered in ${elapsed.toFixed(0)} ms`,
    );
    expect(elapsed).toBeLessThan(1_500);
    for (const outcome of outcomes) {
      expect(outcome.kind).toBe('retryable');
      expect(outcome.kind !== 'delivered' && outcome.error).toMatch(
        /^connection "redis-[0-9a-f]{8}" (cannot be opened: .*ECONNREFUSED|is down)/,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(unhandled).toEqual([]);
  });

  it('refuses a host name resolving to an address outside the policy (guardedLookup)', async () => {
    const strict = new RedisStreamClientFactory({
      policy: PUBLIC_ONLY_NETWORK_POLICY,
    });
    await expect(
      strict.open({
        id: randomUUID(),
        owner: null,
        name: 'r',
        type: 'redis',
        url: {
          type: 'redis',
          url: 'redis://localhost:6379',
          masked: 'redis://localhost:6379',
          tls: false,
          brokers: [{ host: 'localhost', port: 6379 }],
          database: 0,
          params: {},
        },
      }),
    ).rejects.toThrow(/not allowed/);
  });

  it('closes the client once its connection is deleted', async () => {
    const id = await harness.insertConnection(
      'redis',
      'redis://127.0.0.1:6379',
    );
    const closed = jest.spyOn(factory, 'close');
    const t = { ...trigger('deleted'), connectionId: id };
    expect(await fire(t)).toMatchObject({ kind: 'delivered' });

    await harness.deleteConnection(id);
    await new Promise((resolve) =>
      setTimeout(resolve, TEST_CONNECTION_CACHE_MS * 2),
    );

    expect(await fire(t)).toMatchObject({
      kind: 'permanent',
      error: expect.stringContaining('not found') as string,
    });
    expect(closed).toHaveBeenCalledTimes(1);
    expect(pool.health()).toEqual([]);
    await waitFor('the client to leave the server', async () =>
      (await admin.clientList()).every((c) => c.name !== clientName),
    );
  });
});
