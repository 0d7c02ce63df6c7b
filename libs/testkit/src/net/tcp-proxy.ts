import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a loopback server (a broker, PostgreSQL), to
 * show what a client does when its server goes away without the test owning that
 * server: `restart()` cuts every connection and refuses new ones for a while, as a
 * server restart does to its clients; `cut()` only resets the connections open now.
 * Loopback only, like every test target.
 */
export class TcpProxy {
  /** Connections accepted so far (each reconnect of a client adds one). */
  accepted = 0;
  private readonly sockets = new Set<Socket>();
  private refusing = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(
    targetPort: number,
    targetHost = '127.0.0.1',
  ): Promise<TcpProxy> {
    const pending: { proxy?: TcpProxy } = {};
    const server = createServer((client) => {
      const proxy = pending.proxy;
      if (proxy === undefined || proxy.refusing) {
        client.destroy();
        return;
      }
      proxy.accepted += 1;
      const upstream = connect({ host: targetHost, port: targetPort });
      proxy.track(client);
      proxy.track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    pending.proxy = new TcpProxy(server, port);
    return pending.proxy;
  }

  /** Resets every connection open now; new ones are accepted. */
  cut(): void {
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  /** A server restart as its clients see it: every connection reset, none accepted for `downMs`. */
  async restart(downMs: number): Promise<void> {
    this.refusing = true;
    this.cut();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.refusing = true;
    this.cut();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}

// From wt-mqtt-kafka (its own proxy, written before main's TcpProxy above), renamed
// TcpFaultProxy in the bench branch's merge so that both typecheck; one of the two should go.

/**
 * A loopback TCP proxy in front of a real broker, for tests of what a client does when
 * its network misbehaves (the broker itself is shared and stays up): `cut()` drops
 * every connection, `refuse()` also stops accepting (connection refused), `accept()`
 * listens again on the same port, `blackhole(true)` keeps connections open but drops
 * every byte (a publish that never gets its ack).
 */
export interface TcpFaultProxy {
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
): Promise<TcpFaultProxy> {
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
