import type { NatsConnection } from '@nats-io/transport-node';
import type { ResolvedConnection } from '../broker/connection-source';
import { NatsClientFactory, natsConnectionOptions } from './nats-client';

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

describe('natsConnectionOptions', () => {
  const base = CONNECTION.url;

  it('takes the server, user and password from the parsed URL', () => {
    expect(
      natsConnectionOptions(
        { ...base, username: 'app', password: 'p@ss' },
        'n',
        5000,
      ),
    ).toMatchObject({
      servers: '127.0.0.1:4222',
      user: 'app',
      pass: 'p@ss',
      name: 'n',
      timeout: 5000,
      ignoreClusterUpdates: true,
    });
  });

  it('takes a token, TLS and an IPv6 host', () => {
    const options = natsConnectionOptions(
      {
        ...base,
        token: 's3cr3t',
        tls: true,
        brokers: [{ host: '::1', port: 4443 }],
      },
      'n',
      5000,
    );
    expect(options).toMatchObject({
      servers: '[::1]:4443',
      token: 's3cr3t',
      tls: {},
    });
    expect(options).not.toHaveProperty('user');
  });

  it('leaves TLS to the server without tls://', () => {
    expect(natsConnectionOptions(base, 'n', 5000)).not.toHaveProperty('tls');
  });
});

describe('NatsClientFactory', () => {
  /** A NatsConnection that closes and reports status when the test says. */
  function fakeConnection() {
    let close: (error?: Error) => void = () => undefined;
    const closed = new Promise<Error | undefined>((resolve) => {
      close = (error) => {
        resolve(error);
      };
    });
    const statuses: { type: string }[] = [];
    let wake: () => void = () => undefined;
    let ended = false;
    const nc = {
      info: { jetstream: true },
      options: {},
      closed: () => closed,
      isClosed: () => ended,
      drain: () => {
        ended = true;
        close();
        wake();
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
      async *status() {
        for (;;) {
          while (statuses.length > 0) yield statuses.shift();
          if (ended) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      },
      getServerVersion: () => undefined,
      features: { require: () => true, supports: () => true },
    };
    return {
      nc,
      emit(type: string) {
        statuses.push({ type });
        wake();
      },
      endByItself(error?: Error) {
        ended = true;
        close(error);
        wake();
      },
    };
  }

  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('follows the status events and reports a connection that closed by itself, once', async () => {
    const fake = fakeConnection();
    const factory = new NatsClientFactory({
      connect: () => Promise.resolve(fake.nc as unknown as NatsConnection),
    });
    const reports: string[] = [];
    factory.onClosed = (id, _client, reason) =>
      reports.push(`${id}: ${reason}`);
    const client = await factory.open(CONNECTION);
    expect(client.state).toBe('up');
    expect(client.jetstream).toBe(true);

    fake.emit('disconnect');
    await tick();
    expect(client.state).toBe('reconnecting');
    fake.emit('reconnect');
    await tick();
    expect(client.state).toBe('up');
    fake.endByItself(new Error('maximum reconnect attempts exceeded'));
    await tick();

    expect(reports).toEqual([
      `${CONNECTION.id}: the NATS connection closed: maximum reconnect attempts exceeded`,
    ]);
  });

  it('does not report a connection the pool closed', async () => {
    const fake = fakeConnection();
    const factory = new NatsClientFactory({
      connect: () => Promise.resolve(fake.nc as unknown as NatsConnection),
    });
    const reports: string[] = [];
    factory.onClosed = (_id, _client, reason) => reports.push(reason);
    const client = await factory.open(CONNECTION);

    await factory.close(client);
    await tick();

    expect(reports).toEqual([]);
  });
});
