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
