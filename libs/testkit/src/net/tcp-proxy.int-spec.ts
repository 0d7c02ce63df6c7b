import { connect, createServer, type Server } from 'node:net';
import { TcpProxy } from './tcp-proxy';

/** Opens a connection through `port`, sends `text`, resolves the echo or the error code. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code ?? 'error');
    });
    socket.once('close', () => {
      resolve('closed');
    });
    socket.write(text);
  });
}

describe('TcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;

  beforeAll(async () => {
    echo = createServer((socket) => {
      // The proxy resets its upstream side when it cuts: expected here.
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const address = echo.address();
    proxy = await TcpProxy.start(
      typeof address === 'object' && address ? address.port : 0,
    );
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('forwards, refuses while restarting, then forwards again', async () => {
    expect(await roundTrip(proxy.port, 'one')).toBe('one');
    const restarting = proxy.restart(300);
    expect(await roundTrip(proxy.port, 'two')).not.toBe('two');
    await restarting;
    expect(await roundTrip(proxy.port, 'three')).toBe('three');
    expect(proxy.accepted).toBe(2);
  });

  it('cuts the connections open now', async () => {
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    await new Promise((resolve) => socket.once('connect', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    proxy.cut();
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('silences open connections without a close either way, and resets them on resume', async () => {
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    socket.on('error', () => undefined);
    const received: string[] = [];
    socket.on('data', (data) => received.push(data.toString()));
    let closed = false;
    socket.once('close', () => {
      closed = true;
    });
    socket.write('before');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.join('')).toBe('before');

    proxy.silence();
    socket.write('during');
    // Even ending our side is not passed on: the echo server never answers with its end.
    socket.end();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.join('')).toBe('before');
    expect(closed).toBe(false);
    expect(
      await Promise.race([
        roundTrip(proxy.port, 'lost'),
        new Promise((resolve) => setTimeout(() => resolve('silence'), 300)),
      ]),
    ).toBe('silence');

    proxy.resume();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(true);
    expect(await roundTrip(proxy.port, 'after')).toBe('after');
  });
});
