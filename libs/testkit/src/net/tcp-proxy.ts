import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a real broker, for tests of what a client does when
 * its network misbehaves (the broker itself is shared and stays up): `cut()` drops
 * every connection, `refuse()` also stops accepting (connection refused), `accept()`
 * listens again on the same port, `blackhole(true)` keeps connections open but drops
 * every byte (a publish that never gets its ack).
 */
export interface TcpProxy {
  port: number;
  /** Connections open through the proxy now. */
  open(): number;
  cut(): void;
  refuse(): Promise<void>;
  accept(): Promise<void>;
  blackhole(on: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(
  target: { host: string; port: number },
  port = 0,
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let dropping = false;
  let server: Server | undefined;
  const handle = (client: Socket) => {
    const upstream = connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    // Counted once per pair (the client side).
    client.on('data', (chunk) => {
      if (!dropping) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!dropping) client.write(chunk);
    });
  };
  const listen = (on: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer(handle);
      s.once('error', reject);
      s.listen(on, '127.0.0.1', () => {
        server = s;
        const address = s.address();
        resolve(typeof address === 'object' && address ? address.port : on);
      });
    });
  const bound = await listen(port);
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  const stopListening = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (s === undefined) resolve();
      else s.close(() => resolve());
    });
  return {
    port: bound,
    open: () => Math.ceil(sockets.size / 2),
    cut,
    refuse: async () => {
      const stopped = stopListening();
      cut();
      await stopped;
    },
    accept: async () => {
      if (server === undefined) await listen(bound);
    },
    blackhole: (on) => {
      dropping = on;
    },
    close: async () => {
      const stopped = stopListening();
      cut();
      await stopped;
    },
  };
}
