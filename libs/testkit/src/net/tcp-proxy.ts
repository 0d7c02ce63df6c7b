import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a loopback server (a broker, PostgreSQL), to
 * show what a client does when its network or its server misbehaves without the test
 * owning that server (the brokers are shared and stay up):
 * - `cut()` resets every connection open now;
 * - `refuse()` also turns new connections away until `accept()`;
 * - `restart(ms)` is a server restart as its clients see it: cut, refuse, accept;
 * - `blackhole(true)` keeps connections open but drops every byte (a publish that never
 *   gets its ack);
 * - `stallReplies()` holds back what the server sends (a stalled broker's confirms) until
 *   `resumeReplies()` delivers it;
 * - `silence()` is a network that stops carrying anything without a reset (a partition, a
 *   firewall that forgot the connection): every byte either way is dropped and neither
 *   side hears of the other closing, so each end sees only silence; `resume()` heals it for
 *   new connections and resets the ones that lived through it (their streams lost bytes).
 * Loopback only, like every test target.
 */
export class TcpProxy {
  /** Connections accepted so far (each reconnect of a client adds one). */
  accepted = 0;
  /** Client-side sockets open now. */
  private readonly clients = new Set<Socket>();
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private dropping = false;
  /** Set while silenced: the connections that lived through the silence. */
  private silenced: Set<Socket> | undefined;
  /** While stalled, the server's bytes per client, delivered on resume. */
  private stalled: Map<Socket, Buffer[]> | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(
    targetPort: number,
    targetHost = '127.0.0.1',
  ): Promise<TcpProxy> {
    const pending: { proxy?: TcpProxy } = {};
    // Half-open allowed, so an end is passed on (or, silenced, not) by the proxy itself.
    const server = createServer({ allowHalfOpen: true }, (client) => {
      const proxy = pending.proxy;
      if (proxy === undefined || proxy.refusing) {
        client.on('error', () => undefined);
        client.resetAndDestroy();
        return;
      }
      proxy.forward(
        client,
        connect({ host: targetHost, port: targetPort, allowHalfOpen: true }),
      );
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

  /** Connections open through the proxy now. */
  open(): number {
    return this.clients.size;
  }

  /** Resets every connection open now; new ones are accepted. */
  cut(): void {
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    this.clients.clear();
  }

  /** Resets every connection and turns new ones away until `accept()`. */
  refuse(): Promise<void> {
    this.refusing = true;
    this.cut();
    return Promise.resolve();
  }

  accept(): Promise<void> {
    this.refusing = false;
    return Promise.resolve();
  }

  /** A server restart as its clients see it: every connection reset, none accepted for `downMs`. */
  async restart(downMs: number): Promise<void> {
    await this.refuse();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.accept();
  }

  /** While on, connections stay open and every byte either way is dropped. */
  blackhole(on: boolean): void {
    this.dropping = on;
  }

  /** Drops every byte and every close either way, on open and new connections, until `resume()`. */
  silence(): void {
    this.silenced ??= new Set(this.sockets);
  }

  /** Ends the silence: new connections work again; those that lived through it are reset. */
  resume(): void {
    const silenced = this.silenced;
    this.silenced = undefined;
    for (const socket of silenced ?? []) socket.resetAndDestroy();
  }

  stallReplies(): void {
    this.stalled ??= new Map();
  }

  resumeReplies(): void {
    const held = this.stalled;
    this.stalled = undefined;
    for (const [client, chunks] of held ?? [])
      for (const chunk of chunks) client.write(chunk);
  }

  async close(): Promise<void> {
    this.refusing = true;
    this.silenced = undefined;
    this.cut();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private forward(client: Socket, upstream: Socket): void {
    this.accepted += 1;
    this.clients.add(client);
    this.silenced?.add(client).add(upstream);
    for (const [socket, peer] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('end', () => {
        if (this.silenced === undefined) peer.end();
      });
      socket.once('close', () => {
        this.sockets.delete(socket);
        if (socket === client) this.clients.delete(client);
        // Silenced, the peer hears nothing: it stays open until resume() or close().
        if (this.silenced === undefined) peer.destroy();
        else this.silenced.add(peer);
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (!this.dropping && this.silenced === undefined) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.dropping || this.silenced !== undefined) return;
      const held = this.stalled;
      if (held === undefined) client.write(chunk);
      else held.set(client, [...(held.get(client) ?? []), chunk]);
    });
  }
}
