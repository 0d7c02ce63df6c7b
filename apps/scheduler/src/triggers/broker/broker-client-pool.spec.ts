import {
  type ConnectionUrl,
  LOOPBACK_NETWORKS,
  networkPolicyOf,
  PUBLIC_ONLY_NETWORK_POLICY,
} from '@scheduleman/domain';
import {
  type BrokerClientFactory,
  BrokerClientPool,
} from './broker-client-pool';
import type { ResolvedConnection } from './connection-source';

function connection(id: string, host = '127.0.0.1'): ResolvedConnection {
  const url: ConnectionUrl = {
    type: 'amqp',
    url: `amqp://${host}`,
    masked: `amqp://${host}`,
    tls: false,
    brokers: [{ host, port: 5672 }],
    params: {},
  };
  return { id, owner: 'team-a', name: `conn-${id}`, type: 'amqp', url };
}

interface FakeClient {
  id: number;
  closed: boolean;
}

function fakeFactory(): BrokerClientFactory<FakeClient> & {
  opens: number;
  fail: Error | undefined;
  gate: Promise<void> | undefined;
} {
  const factory = {
    opens: 0,
    fail: undefined as Error | undefined,
    gate: undefined as Promise<void> | undefined,
    async open(): Promise<FakeClient> {
      factory.opens += 1;
      if (factory.gate) await factory.gate;
      if (factory.fail) throw factory.fail;
      return { id: factory.opens, closed: false };
    },
    close(client: FakeClient): Promise<void> {
      client.closed = true;
      return Promise.resolve();
    },
  };
  return factory;
}

const LOOPBACK = networkPolicyOf(LOOPBACK_NETWORKS);
const never = new AbortController().signal;

describe('BrokerClientPool', () => {
  let now = 0;
  const options = { policy: LOOPBACK, nowMs: () => now, wallMs: () => 0 };

  beforeEach(() => {
    now = 0;
  });

  it('opens one client per connection, shared by concurrent acquires', async () => {
    const factory = fakeFactory();
    const pool = new BrokerClientPool(factory, options);
    const [a, b] = await Promise.all([
      pool.acquire(connection('1'), never),
      pool.acquire(connection('1'), never),
    ]);
    expect(a).toEqual({ client: { id: 1, closed: false } });
    expect(b).toEqual(a);
    await pool.acquire(connection('2'), never);
    expect(factory.opens).toBe(2);
    expect(pool.health().map((h) => h.state)).toEqual(['up', 'up']);
  });

  it('backs off after a failed open: fast retryable errors, no open per fire', async () => {
    const factory = fakeFactory();
    factory.fail = new Error('ECONNREFUSED');
    const pool = new BrokerClientPool(factory, options);
    expect(await pool.acquire(connection('1'), never)).toEqual({
      error: 'connection "conn-1" cannot be opened: ECONNREFUSED',
      permanent: false,
    });
    const again = await pool.acquire(connection('1'), never);
    expect(again).toMatchObject({ permanent: false });
    expect('error' in again && again.error).toContain('is down (ECONNREFUSED)');
    expect(factory.opens).toBe(1);
    expect(pool.health()[0]).toMatchObject({
      state: 'down',
      lastError: 'ECONNREFUSED',
    });
    now += 500;
    factory.fail = undefined;
    expect(await pool.acquire(connection('1'), never)).toMatchObject({
      client: { id: 2 },
    });
  });

  it('doubles the backoff up to its cap', async () => {
    const factory = fakeFactory();
    factory.fail = new Error('down');
    const pool = new BrokerClientPool(factory, {
      ...options,
      minBackoffMs: 100,
      maxBackoffMs: 300,
    });
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pool.acquire(connection('1'), never);
      const down = await pool.acquire(connection('1'), never);
      waits.push(
        Number(/in (\d+) ms/.exec('error' in down ? down.error : '')?.[1]),
      );
      now += 1_000;
    }
    expect(waits).toEqual([100, 200, 300, 300]);
  });

  it('gives up waiting when the signal aborts; the open goes on for the next fire', async () => {
    const factory = fakeFactory();
    let release: () => void = () => undefined;
    factory.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pool = new BrokerClientPool(factory, options);
    const controller = new AbortController();
    const waiting = pool.acquire(connection('1'), controller.signal);
    controller.abort();
    expect(await waiting).toEqual({
      error: 'connection "conn-1" did not open in time',
      permanent: false,
    });
    release();
    expect(await pool.acquire(connection('1'), never)).toMatchObject({
      client: { id: 1 },
    });
    expect(factory.opens).toBe(1);
  });

  it('refuses a forbidden broker address before opening, permanently', async () => {
    const factory = fakeFactory();
    const pool = new BrokerClientPool(factory, {
      ...options,
      policy: PUBLIC_ONLY_NETWORK_POLICY,
    });
    expect(await pool.acquire(connection('1'), never)).toEqual({
      error: 'connection "conn-1" cannot be opened: destination not allowed',
      permanent: true,
    });
    expect(factory.opens).toBe(0);
  });

  it('reopens after discard, and closes on close and closeAll', async () => {
    const factory = fakeFactory();
    const pool = new BrokerClientPool(factory, options);
    const first = await pool.acquire(connection('1'), never);
    if (!('client' in first)) throw new Error('expected a client');
    pool.discard('1', first.client, 'channel closed');
    expect(first.client.closed).toBe(true);
    const second = await pool.acquire(connection('1'), never);
    if (!('client' in second)) throw new Error('expected a client');
    expect(second.client.id).toBe(2);
    await pool.close('1');
    expect(second.client.closed).toBe(true);
    expect(pool.health()).toEqual([]);
    const third = await pool.acquire(connection('2'), never);
    await pool.closeAll();
    expect('client' in third && third.client.closed).toBe(true);
  });

  it('shows a client that reconnects by itself as the factory tells', async () => {
    let reconnecting = false;
    const factory = {
      ...fakeFactory(),
      state: (): 'up' | 'reconnecting' =>
        reconnecting ? 'reconnecting' : 'up',
    };
    const pool = new BrokerClientPool(factory, options);
    await pool.acquire(connection('1'), never);
    expect(pool.health()[0]?.state).toBe('up');
    reconnecting = true;
    expect(pool.health()[0]?.state).toBe('reconnecting');
  });
});
