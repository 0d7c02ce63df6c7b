import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** TCP connections accepted so far. */
  readonly accepted: number;
  /** Sockets open now (two per proxied connection). */
  readonly open: number;
  /** Destroys every proxied socket, as a broker restart or a network cut would. */
  cut(): void;
  /** Holds back what the server sends (a broker's confirms) until resumeReplies. */
  stallReplies(): void;
  resumeReplies(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 to a local server (a broker), for the failures a real server
 * does not make on demand: it counts the connections a client opens, cuts them (a
 * broker restart or a network cut, seen from the client), or holds back the server's
 * answers (a stalled broker). Call `close()` in afterAll.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const links = new Set<{ upstream: Socket; downstream: Socket }>();
  let accepted = 0;
  const server: Server = createServer((downstream) => {
    accepted += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    const link = { upstream, downstream };
    links.add(link);
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        links.delete(link);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('no port');
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    cut,
    stallReplies() {
      for (const { upstream, downstream } of links) upstream.unpipe(downstream);
    },
    resumeReplies() {
      for (const { upstream, downstream } of links) upstream.pipe(downstream);
    },
    close() {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
