import {
  type AmqpTriggerSpec,
  type FireRequest,
  parseConnectionUrl,
  PUBLIC_ONLY_NETWORK_POLICY,
} from '@scheduleman/domain';
import {
  freePort,
  describeWithBroker,
  requireBroker,
  TcpProxy,
  waitFor,
} from '@scheduleman/testkit';
import {
  type Channel,
  type ChannelModel,
  connect,
  type GetMessage,
} from 'amqplib';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  brokerFireRequest,
  type BrokerHarness,
  createBrokerHarness,
} from '../../testing/broker-int-fixtures';
import { BrokerClientPool } from '../broker/broker-client-pool';
import { DestinationNotAllowedError } from '../outbound/destination-guard';
import { AmqpClientFactory } from './amqp-client';
import type { AmqpPublisher } from './amqp-publisher';
import { AmqpTriggerProvider } from './amqp.trigger-provider';

// The amqp provider against the real RabbitMQ on 127.0.0.1:5672 and a real migrated
// PostgreSQL, with the real ConnectionSource, BrokerFiring, pool and client factory.
describeWithBroker('rabbitmq', 'AmqpTriggerProvider (real RabbitMQ)', () => {
  const owner = 'team-a';
  let harness: BrokerHarness;
  let pool: BrokerClientPool<AmqpPublisher>;
  let provider: AmqpTriggerProvider;
  let consumer: ChannelModel;
  let channel: Channel;
  let proxy: TcpProxy;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    await requireBroker('rabbitmq');
    process.on('unhandledRejection', onUnhandled);
    harness = await createBrokerHarness('amqp_provider', { owner });
    const { policy } = harness;
    const factory = new AmqpClientFactory({ policy });
    // No backoff between opens: each test starts from a fresh pool state anyway.
    pool = new BrokerClientPool(factory, {
      policy,
      minBackoffMs: 200,
      maxBackoffMs: 200,
    });
    factory.onBroken = (id, client, reason) => {
      pool.discard(id, client, reason);
    };
    provider = new AmqpTriggerProvider(harness.firing, pool);
    consumer = await connect('amqp://guest:guest@127.0.0.1:5672');
    channel = await consumer.createChannel();
    proxy = await TcpProxy.start(5672);
  });

  afterAll(async () => {
    await pool.closeAll();
    await consumer.close();
    await proxy.close();
    await harness.close();
    process.off('unhandledRejection', onUnhandled);
  });

  afterEach(() => {
    expect(unhandled).toEqual([]);
  });

  const addConnection = (url: string): Promise<string> =>
    harness.insertConnection('amqp', url);

  async function testQueue(): Promise<string> {
    const { queue } = await channel.assertQueue('', {
      exclusive: true,
      autoDelete: true,
    });
    return queue;
  }

  function request(
    connectionId: string,
    target: Partial<AmqpTriggerSpec>,
    executionId: string = randomUUID(),
    attempt = 1,
  ): FireRequest {
    const trigger: AmqpTriggerSpec = {
      type: 'amqp',
      connectionId,
      exchange: '',
      routingKey: 'unset',
      headers: { 'X-Tenant': 'acme' },
      ...target,
    };
    return brokerFireRequest(trigger, {
      executionId,
      scheduleId: '11111111-2222-4333-8444-555555555555',
      scheduleName: 'nightly',
      scheduleOwner: owner,
      attempt,
    });
  }

  const fire = (req: FireRequest) =>
    provider.fire(req, { signal: AbortSignal.timeout(3_000) });

  const nextMessage = (queue: string): Promise<GetMessage> =>
    waitFor(
      `a message on ${queue}`,
      async () => await channel.get(queue, { noAck: true }),
      {
        timeoutMs: 5_000,
      },
    );

  it('publishes the contract body and headers as a persistent message with messageId, signed', async () => {
    const connectionId = await addConnection(
      'amqp://guest:guest@127.0.0.1:5672/',
    );
    const queue = await testQueue();
    const req = request(connectionId, { routingKey: queue });

    expect(await fire(req)).toEqual({ kind: 'delivered' });

    const message = await nextMessage(queue);
    const body = message.content.toString('utf8');
    expect(JSON.parse(body)).toEqual({
      scheduleId: req.scheduleId,
      executionId: req.executionId,
      scheduledAt: '2030-01-01T00:00:00.000Z',
      attempt: 1,
      name: 'nightly',
    });
    expect(message.properties).toMatchObject({
      messageId: req.executionId,
      contentType: 'application/json',
      deliveryMode: 2,
    });
    const headers = message.properties.headers as Record<string, string>;
    expect(headers).toMatchObject({
      'Idempotency-Key': req.executionId,
      'X-Scheduleman-Schedule-Id': req.scheduleId,
      'X-Scheduleman-Execution-Id': req.executionId,
      'X-Scheduleman-Scheduled-At': '2030-01-01T00:00:00.000Z',
      'X-Scheduleman-Attempt': '1',
      'webhook-id': req.executionId,
      'X-Tenant': 'acme',
    });
    expect(message.properties.timestamp).toBe(
      Number(headers['webhook-timestamp']),
    );
    // Standard Webhooks, verified by the reference library over the exact body bytes.
    expect(new Webhook(harness.signingSecret).verify(body, headers)).toEqual(
      JSON.parse(body),
    );
  });

  it('keeps no dedup of its own: a retry of one execution arrives again, with the same messageId and key', async () => {
    const connectionId = await addConnection(
      'amqp://guest:guest@127.0.0.1:5672',
    );
    const queue = await testQueue();
    const executionId = randomUUID();

    expect(
      await fire(request(connectionId, { routingKey: queue }, executionId, 1)),
    ).toEqual({ kind: 'delivered' });
    expect(
      await fire(request(connectionId, { routingKey: queue }, executionId, 2)),
    ).toEqual({ kind: 'delivered' });

    const [first, second] = [
      await nextMessage(queue),
      await nextMessage(queue),
    ];
    for (const message of [first, second]) {
      expect(message.properties.messageId).toBe(executionId);
      expect(
        (message.properties.headers as Record<string, string>)[
          'Idempotency-Key'
        ],
      ).toBe(executionId);
    }
    expect(
      (second.properties.headers as Record<string, string>)[
        'X-Scheduleman-Attempt'
      ],
    ).toBe('2');
  });

  it('fails an unroutable message for good (basic.return before the ack), and the client stays usable', async () => {
    const connectionId = await addConnection(
      'amqp://guest:guest@127.0.0.1:5672',
    );
    const exchange = `sm-test-${randomUUID()}`;
    await channel.assertExchange(exchange, 'direct', {
      autoDelete: false,
      durable: false,
    });
    try {
      expect(
        await fire(
          request(connectionId, { routingKey: `no-queue-${randomUUID()}` }),
        ),
      ).toEqual({
        kind: 'permanent',
        error: expect.stringMatching(
          /^unroutable: no queue is bound to exchange "" \(the default exchange\) with routing key "no-queue-.*" \(312 NO_ROUTE\)$/,
        ) as string,
      });
      expect(
        await fire(request(connectionId, { exchange, routingKey: 'eu' })),
      ).toEqual({
        kind: 'permanent',
        error: `unroutable: no queue is bound to exchange "${exchange}" with routing key "eu" (312 NO_ROUTE)`,
      });
      const queue = await testQueue();
      await channel.bindQueue(queue, exchange, 'eu');
      expect(
        await fire(request(connectionId, { exchange, routingKey: 'eu' })),
      ).toEqual({ kind: 'delivered' });
      expect((await nextMessage(queue)).fields.exchange).toBe(exchange);
    } finally {
      await channel.deleteExchange(exchange);
    }
  });

  it('fails a missing exchange for good without crashing, also one deleted after it was seen, while other fires go on', async () => {
    const connectionId = await addConnection(
      'amqp://guest:guest@127.0.0.1:5672',
    );
    const queue = await testQueue();
    const missing = `sm-missing-${randomUUID()}`;

    const [toMissing, toQueue] = await Promise.all([
      fire(request(connectionId, { exchange: missing, routingKey: 'k' })),
      fire(request(connectionId, { routingKey: queue })),
    ]);
    expect(toMissing).toEqual({
      kind: 'permanent',
      error: `exchange "${missing}" does not exist (NOT_FOUND - no exchange '${missing}' in vhost '/')`,
    });
    expect(toQueue).toEqual({ kind: 'delivered' });

    // Seen to exist, then deleted: the publish itself meets the 404, which closes the
    // publish channel; the next fire gets a fresh one.
    const exchange = `sm-deleted-${randomUUID()}`;
    await channel.assertExchange(exchange, 'fanout', { durable: false });
    await channel.bindQueue(queue, exchange, '');
    expect(
      await fire(request(connectionId, { exchange, routingKey: '' })),
    ).toEqual({ kind: 'delivered' });
    await channel.deleteExchange(exchange);
    expect(
      await fire(request(connectionId, { exchange, routingKey: '' })),
    ).toEqual({
      kind: 'permanent',
      error: expect.stringContaining(
        `exchange "${exchange}" does not exist`,
      ) as string,
    });
    expect(await fire(request(connectionId, { routingKey: queue }))).toEqual({
      kind: 'delivered',
    });
    expect(
      pool.health().find((h) => h.connectionId === connectionId)?.state,
    ).toBe('up');
  });

  it('fails for good an access the broker refuses: an internal exchange (403) and a wrong password', async () => {
    const connectionId = await addConnection(
      'amqp://guest:guest@127.0.0.1:5672',
    );
    const internal = `sm-internal-${randomUUID()}`;
    await channel.assertExchange(internal, 'fanout', {
      durable: false,
      internal: true,
    });
    try {
      expect(
        await fire(
          request(connectionId, { exchange: internal, routingKey: '' }),
        ),
      ).toEqual({
        kind: 'permanent',
        error: `access refused (ACCESS_REFUSED - cannot publish to internal exchange '${internal}' in vhost '/')`,
      });
    } finally {
      await channel.deleteExchange(internal);
    }
    const wrong = await addConnection('amqp://guest:wrong@127.0.0.1:5672');
    expect(await fire(request(wrong, { routingKey: 'q' }))).toEqual({
      kind: 'permanent',
      error: expect.stringContaining(
        'refused by the broker: access refused for user "guest"',
      ) as string,
    });
    const noVhost = await addConnection(
      'amqp://guest:guest@127.0.0.1:5672/sm-no-such-vhost',
    );
    expect(await fire(request(noVhost, { routingKey: 'q' }))).toEqual({
      kind: 'permanent',
      error: expect.stringContaining(
        'virtual host "sm-no-such-vhost" does not exist',
      ) as string,
    });
  });

  it('retries a message the broker nacks (a full queue that rejects publishes)', async () => {
    const connectionId = await addConnection(
      'amqp://guest:guest@127.0.0.1:5672',
    );
    const { queue } = await channel.assertQueue('', {
      exclusive: true,
      arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
    });

    expect(await fire(request(connectionId, { routingKey: queue }))).toEqual({
      kind: 'retryable',
      error: 'the broker did not take the message (basic.nack)',
    });
  });

  it('gives up at the signal when no confirm comes (ambiguous), and the client goes on after', async () => {
    const own = await TcpProxy.start(5672);
    try {
      const connectionId = await addConnection(
        `amqp://guest:guest@127.0.0.1:${String(own.port)}`,
      );
      const queue = await testQueue();
      expect(await fire(request(connectionId, { routingKey: queue }))).toEqual({
        kind: 'delivered',
      });

      own.stallReplies();
      const startedAt = performance.now();
      const outcome = await provider.fire(
        request(connectionId, { routingKey: queue }),
        {
          signal: AbortSignal.timeout(300),
        },
      );
      const elapsedMs = performance.now() - startedAt;
      expect(outcome).toEqual({
        kind: 'retryable',
        error: expect.stringMatching(
          /^timeout after \d+ ms waiting for the broker's confirm \(ambiguous: the message may be queued\)$/,
        ) as string,
      });
      expect(elapsedMs).toBeLessThan(1_000);

      // The broker did take it: the retry would be a second copy, with the same id.
      own.resumeReplies();
      expect(await fire(request(connectionId, { routingKey: queue }))).toEqual({
        kind: 'delivered',
      });
      expect((await channel.checkQueue(queue)).messageCount).toBe(3);
    } finally {
      await own.close();
    }
  });

  it("refuses a host name in the socket's own lookup when it resolves to a forbidden address", async () => {
    // The pool checks addresses before it opens; this is the second line, inside the
    // socket amqplib opens (amqplib passes `lookup` through to net.connect).
    const strict = new AmqpClientFactory({
      policy: PUBLIC_ONLY_NETWORK_POLICY,
    });
    const url = parseConnectionUrl(
      'amqp',
      'amqp://guest:guest@localhost:5672',
      harness.policy,
    );

    await expect(
      strict.open({
        id: randomUUID(),
        owner,
        name: 'local',
        type: 'amqp',
        url,
      }),
    ).rejects.toBeInstanceOf(DestinationNotAllowedError);
  });

  it('is retryable and fast when the broker cannot be reached, and does not crash', async () => {
    const port = await freePort();
    const connectionId = await addConnection(
      `amqp://guest:guest@127.0.0.1:${String(port)}`,
    );

    const startedAt = performance.now();
    const first = await fire(request(connectionId, { routingKey: 'q' }));
    const second = await fire(request(connectionId, { routingKey: 'q' }));
    const elapsedMs = performance.now() - startedAt;

    expect(first).toEqual({
      kind: 'retryable',
      error: expect.stringContaining('ECONNREFUSED') as string,
    });
    expect(second).toEqual({
      kind: 'retryable',
      error: expect.stringContaining('is down') as string,
    });
    expect(elapsedMs).toBeLessThan(1_000);
    console.log(
      `unreachable broker: two fires answered in ${elapsedMs.toFixed(0)} ms`,
    );
  });

  it('shares one connection among many concurrent fires, and reopens it through the pool when it is lost', async () => {
    const connectionId = await addConnection(
      `amqp://guest:guest@127.0.0.1:${String(proxy.port)}`,
    );
    const queue = await testQueue();

    const startedAt = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () =>
        fire(request(connectionId, { routingKey: queue })),
      ),
    );
    const elapsedMs = performance.now() - startedAt;
    expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    expect(proxy.accepted).toBe(1);
    console.log(
      `200 concurrent fires on one connection: all confirmed in ${elapsedMs.toFixed(0)} ms`,
    );
    expect((await channel.checkQueue(queue)).messageCount).toBe(200);

    // The broker's side of the socket goes away: the pool drops the client at once...
    proxy.cut();
    await waitFor(
      'the pool to see the connection down',
      () =>
        pool.health().find((h) => h.connectionId === connectionId)?.state ===
        'down',
    );
    // ...and the next fire opens a new connection.
    expect(await fire(request(connectionId, { routingKey: queue }))).toEqual({
      kind: 'delivered',
    });
    expect(proxy.accepted).toBe(2);
  });

  it('closes the client, and so its AMQP connection, once its connection row is deleted', async () => {
    const own = await TcpProxy.start(5672);
    try {
      const connectionId = await addConnection(
        `amqp://guest:guest@127.0.0.1:${String(own.port)}`,
      );
      const queue = await testQueue();
      expect(await fire(request(connectionId, { routingKey: queue }))).toEqual({
        kind: 'delivered',
      });
      expect(own.open()).toBe(1);

      await harness.deleteConnection(connectionId);
      await waitFor('the deletion to be seen', async () => {
        const outcome = await fire(
          request(connectionId, { routingKey: queue }),
        );
        return (
          outcome.kind === 'permanent' && outcome.error.includes('not found')
        );
      });

      await waitFor('the AMQP connection to close', () => own.open() === 0, {
        timeoutMs: 5_000,
      });
      expect(pool.health().map((h) => h.connectionId)).not.toContain(
        connectionId,
      );
    } finally {
      await own.close();
    }
  });
});
