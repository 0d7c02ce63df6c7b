import type {
  FireOutcome,
  FireRequest,
  MqttTriggerSpec,
} from '@scheduleman/domain';
import {
  freePort,
  describeWithBroker,
  requireBroker,
  TcpProxy,
} from '@scheduleman/testkit';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  brokerFireRequest,
  type BrokerHarness,
  createBrokerHarness,
} from '../../testing/broker-int-fixtures';
import { BrokerClientPool } from '../broker/broker-client-pool';
import { MqttClientFactory, type MqttPublisher } from './mqtt-client';
import { MqttTriggerProvider } from './mqtt.trigger-provider';

// The provider against the real Mosquitto on 127.0.0.1:1883 and a real PostgreSQL,
// through the real ConnectionSource, BrokerFiring and BrokerClientPool. A loopback TCP
// proxy in front of Mosquitto plays the network failures (the broker is shared).
const OWNER = 'team-mqtt';

interface Received {
  topic: string;
  payload: string;
  packet: IPublishPacket;
}

describeWithBroker('mosquitto', 'MqttTriggerProvider against Mosquitto', () => {
  let harness: BrokerHarness;
  let subscriber: MqttClient;
  let proxy: TcpProxy;
  const received: Received[] = [];
  const pools: BrokerClientPool<MqttPublisher>[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const prefix = `scheduleman-test/${randomUUID()}`;

  beforeAll(async () => {
    const brokerUrl = await requireBroker('mosquitto');
    process.on('unhandledRejection', onUnhandled);
    harness = await createBrokerHarness('mqtt_provider', { owner: OWNER });
    subscriber = await connectAsync(brokerUrl, {
      protocolVersion: 5,
      clientId: `scheduleman-test-sub-${randomUUID()}`,
      clean: true,
    });
    subscriber.on('message', (topic, payload, packet) => {
      received.push({ topic, payload: payload.toString('utf8'), packet });
    });
    await subscriber.subscribeAsync(`${prefix}/sub/#`, { qos: 1 });
    proxy = await TcpProxy.start(1883);
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.closeAll()));
    await subscriber.endAsync();
    await proxy.close();
    await harness.close();
    process.off('unhandledRejection', onUnhandled);
  });

  const insertConnection = (url: string): Promise<string> =>
    harness.insertConnection('mqtt', url);

  function scheduler(schedulerId = 'int-mqtt'): {
    provider: MqttTriggerProvider;
    pool: BrokerClientPool<MqttPublisher>;
  } {
    const pool = new BrokerClientPool(
      new MqttClientFactory({ schedulerId, policy: harness.policy }),
      { policy: harness.policy },
    );
    pools.push(pool);
    return {
      provider: new MqttTriggerProvider(harness.newFiring(), pool),
      pool,
    };
  }

  function request(
    connectionId: string,
    topic: string,
    more: Partial<MqttTriggerSpec> = {},
    attempt = 1,
    executionId = randomUUID(),
  ): FireRequest {
    const trigger: MqttTriggerSpec = {
      type: 'mqtt',
      connectionId,
      topic,
      qos: 1,
      retain: false,
      headers: { 'X-Tenant': 'acme' },
      ...more,
    };
    return brokerFireRequest(trigger, {
      executionId,
      scheduleName: 'nightly',
      scheduleOwner: OWNER,
      attempt,
    });
  }

  const fire = (
    provider: MqttTriggerProvider,
    req: FireRequest,
    timeoutMs = 3_000,
  ): Promise<FireOutcome> =>
    provider.fire(req, { signal: AbortSignal.timeout(timeoutMs) });

  async function arrivals(topic: string, count: number): Promise<Received[]> {
    const deadline = performance.now() + 5_000;
    for (;;) {
      const found = received.filter((r) => r.topic === topic);
      if (found.length >= count || performance.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  function userProperties(packet: IPublishPacket): Record<string, string> {
    return (packet.properties?.userProperties ?? {}) as Record<string, string>;
  }

  it('delivers the contract body and headers as MQTT 5 user properties, signed', async () => {
    const { provider } = scheduler();
    const connectionId = await insertConnection('mqtt://127.0.0.1:1883');
    const topic = `${prefix}/sub/contract`;
    const req = request(connectionId, topic);
    expect(await fire(provider, req)).toEqual({ kind: 'delivered' });

    const messages = await arrivals(topic, 1);
    expect(messages).toHaveLength(1);
    const message = messages[0];
    expect(JSON.parse(message.payload)).toEqual({
      scheduleId: req.scheduleId,
      executionId: req.executionId,
      scheduledAt: '2030-01-01T00:00:00.000Z',
      attempt: 1,
      name: 'nightly',
    });
    expect(message.packet.qos).toBe(1);
    expect(message.packet.properties?.contentType).toBe('application/json');
    const props = userProperties(message.packet);
    expect(props).toMatchObject({
      'Idempotency-Key': req.executionId,
      'X-Scheduleman-Schedule-Id': req.scheduleId,
      'X-Scheduleman-Execution-Id': req.executionId,
      'X-Scheduleman-Scheduled-At': '2030-01-01T00:00:00.000Z',
      'X-Scheduleman-Attempt': '1',
      'webhook-id': req.executionId,
      'X-Tenant': 'acme',
    });
    expect(props['webhook-timestamp']).toMatch(/^\d+$/);
    expect(props['webhook-signature']).toMatch(/^v1,/);
    // The consumer verifies it with the Standard Webhooks library, as a webhook.
    expect(
      new Webhook(harness.signingSecret).verify(message.payload, props),
    ).toEqual(JSON.parse(message.payload));
  });

  it('a retry carries the same key (MQTT keeps no dedup: consumers dedupe on it); QoS 2 and retain', async () => {
    const { provider } = scheduler();
    const connectionId = await insertConnection('mqtt://127.0.0.1:1883');
    const topic = `${prefix}/sub/retry`;
    const executionId = randomUUID();
    const first = request(connectionId, topic, { qos: 2 }, 1, executionId);
    const second = { ...first, attempt: 2 };
    expect(await fire(provider, first)).toEqual({ kind: 'delivered' });
    expect(await fire(provider, second)).toEqual({ kind: 'delivered' });
    const messages = await arrivals(topic, 2);
    expect(
      messages.map((m) => userProperties(m.packet)['Idempotency-Key']),
    ).toEqual([executionId, executionId]);
    expect(
      messages.map((m) => userProperties(m.packet)['X-Scheduleman-Attempt']),
    ).toEqual(['1', '2']);

    // retain: a subscriber that arrives later still gets the message.
    const retained = `${prefix}/retained`;
    expect(
      await fire(provider, request(connectionId, retained, { retain: true })),
    ).toEqual({ kind: 'delivered' });
    const late = await connectAsync('mqtt://127.0.0.1:1883', {
      protocolVersion: 5,
      clientId: `scheduleman-test-late-${randomUUID()}`,
    });
    try {
      const got = new Promise<IPublishPacket>((resolve) => {
        late.on('message', (_t, _p, packet) => {
          resolve(packet);
        });
      });
      await late.subscribeAsync(retained, { qos: 1 });
      expect((await got).retain).toBe(true);
      await late.publishAsync(retained, '', { retain: true, qos: 1 });
    } finally {
      await late.endAsync();
    }
  });

  it('a topic nobody subscribes to is delivered (0x10 "no matching subscribers" counts as initiated)', async () => {
    const { provider } = scheduler();
    const connectionId = await insertConnection('mqtt://127.0.0.1:1883');
    expect(
      await fire(provider, request(connectionId, `${prefix}/nobody/here`)),
    ).toEqual({ kind: 'delivered' });
  });

  it('two schedulers with one SCHEDULER_ID keep their sessions (client ids differ)', async () => {
    const a = scheduler('same-id');
    const b = scheduler('same-id');
    const connectionId = await insertConnection('mqtt://127.0.0.1:1883');
    const topic = `${prefix}/sub/two`;
    expect(await fire(a.provider, request(connectionId, topic))).toEqual({
      kind: 'delivered',
    });
    expect(await fire(b.provider, request(connectionId, topic))).toEqual({
      kind: 'delivered',
    });
    // With one client id, the broker would now take a's session over (0x8E).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.pool.health()).toMatchObject([{ state: 'up' }]);
    expect(await fire(a.provider, request(connectionId, topic))).toEqual({
      kind: 'delivered',
    });
    expect(await arrivals(topic, 3)).toHaveLength(3);
  });

  it('many fires at one instant share the one client and pipeline', async () => {
    const { provider, pool } = scheduler();
    const connectionId = await insertConnection(
      `mqtt://127.0.0.1:${String(proxy.port)}`,
    );
    const topic = `${prefix}/sub/burst`;
    const startedAt = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () =>
        fire(provider, request(connectionId, topic)),
      ),
    );
    const tookMs = performance.now() - startedAt;
    expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    expect(proxy.open()).toBe(1);
    expect(pool.health()).toHaveLength(1);
    console.log(`200 concurrent MQTT fires: ${tookMs.toFixed(0)} ms`);
    expect(await arrivals(topic, 200)).toHaveLength(200);
    await pool.closeAll();
  });

  it('a broker that is unreachable: retryable, fast, no crash', async () => {
    const { provider } = scheduler();
    const port = await freePort();
    const connectionId = await insertConnection(
      `mqtt://127.0.0.1:${String(port)}`,
    );
    const startedAt = performance.now();
    const outcome = await fire(provider, request(connectionId, `${prefix}/x`));
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(outcome.kind).toBe('retryable');
    expect('error' in outcome ? outcome.error : '').toContain('ECONNREFUSED');
    // Within the backoff: no new connect, an answer at once.
    const again = await fire(provider, request(connectionId, `${prefix}/x`));
    expect(again.kind).toBe('retryable');
    expect('error' in again ? again.error : '').toContain('is down');
  });

  it('a session that drops: retryable at once while down, delivered after mqtt.js reconnects', async () => {
    const { provider } = scheduler();
    const connectionId = await insertConnection(
      `mqtt://127.0.0.1:${String(proxy.port)}`,
    );
    const topic = `${prefix}/sub/drop`;
    expect(await fire(provider, request(connectionId, topic))).toEqual({
      kind: 'delivered',
    });
    await proxy.refuse();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const startedAt = performance.now();
    const down = await fire(provider, request(connectionId, topic));
    expect(performance.now() - startedAt).toBeLessThan(500);
    expect(down.kind).toBe('retryable');
    expect('error' in down ? down.error : '').toContain('not connected');
    await proxy.accept();
    // mqtt.js reconnects every second by itself.
    const deadline = performance.now() + 5_000;
    let outcome: FireOutcome = down;
    while (outcome.kind !== 'delivered' && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      outcome = await fire(provider, request(connectionId, topic));
    }
    expect(outcome).toEqual({ kind: 'delivered' });
    // Nothing published while down arrives later (it was never queued).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await arrivals(topic, 2)).toHaveLength(2);
  });

  it('no PUBACK (the network swallows it): an ambiguous timeout at the signal, not later', async () => {
    const { provider } = scheduler();
    const connectionId = await insertConnection(
      `mqtt://127.0.0.1:${String(proxy.port)}`,
    );
    const topic = `${prefix}/sub/blackhole`;
    expect(await fire(provider, request(connectionId, topic))).toEqual({
      kind: 'delivered',
    });
    proxy.blackhole(true);
    try {
      const startedAt = performance.now();
      const outcome = await fire(provider, request(connectionId, topic), 500);
      const took = performance.now() - startedAt;
      expect(took).toBeGreaterThanOrEqual(450);
      expect(took).toBeLessThan(1_000);
      expect(outcome.kind).toBe('retryable');
      expect('error' in outcome ? outcome.error : '').toMatch(
        /timeout after \d+ ms waiting for PUBACK \(ambiguous/,
      );
    } finally {
      proxy.blackhole(false);
      proxy.cut();
    }
  });

  it('deleting the connection closes its client; the next fire is permanent', async () => {
    const { provider, pool } = scheduler();
    const connectionId = await insertConnection(
      `mqtt://127.0.0.1:${String(proxy.port)}`,
    );
    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      await fire(provider, request(connectionId, `${prefix}/sub/deleted`)),
    ).toEqual({ kind: 'delivered' });
    expect(proxy.open()).toBe(1);
    await harness.deleteConnection(connectionId);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the cache's ttl
    const outcome = await fire(
      provider,
      request(connectionId, `${prefix}/sub/deleted`),
    );
    expect(outcome.kind).toBe('permanent');
    expect('error' in outcome ? outcome.error : '').toContain('not found');
    expect(pool.health()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(proxy.open()).toBe(0);
  });

  it('left no unhandled rejection behind', () => {
    expect(unhandled).toEqual([]);
  });
});
