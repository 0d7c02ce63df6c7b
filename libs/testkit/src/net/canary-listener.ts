import { createServer, type Server } from 'node:net';

/**
 * A TCP listener that must never be reached: it counts the connections it accepts and
 * closes them at once. An outbound-safety test points a forbidden URL (a name resolving
 * to loopback, a redirect target) at it and expects `connections` to stay 0. It listens
 * on 127.0.0.1 and, where the host has IPv6, on ::1 with the same port, so a client
 * that tries either family is counted. Loopback only, like every test target.
 */
export class CanaryListener {
  connections = 0;
  private readonly servers: Server[] = [];

  private constructor(readonly port: number) {}

  static async start(attempts = 10): Promise<CanaryListener> {
    for (let attempt = 1; ; attempt++) {
      const first = await listen(0, '127.0.0.1');
      const port = (first.address() as { port: number }).port;
      const canary = new CanaryListener(port);
      canary.adopt(first);
      try {
        canary.adopt(await listen(port, '::1'));
        return canary;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // No IPv6 loopback on this host: IPv4 alone is all a client can reach.
        if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return canary;
        await canary.close();
        if (code !== 'EADDRINUSE' || attempt >= attempts) throw error;
      }
    }
  }

  /** `http://<host>:<port><path>`; `host` may be any loopback spelling or name. */
  url(host = '127.0.0.1', path = '/'): string {
    return `http://${host}:${this.port.toString()}${path}`;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) => new Promise((resolve) => server.close(resolve)),
      ),
    );
  }

  private adopt(server: Server): void {
    server.on('connection', (socket) => {
      this.connections++;
      socket.destroy();
    });
    this.servers.push(server);
  }
}

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
