import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, below the ephemeral range (see
 * `freeStablePorts`). Another process may still bind it before the caller does; callers
 * that start a server on it treat "address in use" as a reason to pick again.
 */
export async function freePort(): Promise<number> {
  const [port] = await freeStablePorts(1);
  return port;
}

/**
 * `count` distinct ports on 127.0.0.1, free a moment ago, below the kernel's ephemeral
 * range, for servers that bind seconds after the pick (PostgreSQL under Patroni, after
 * its base backup). Ports of that range are also the local ports of every outgoing
 * connection, which a busy test run opens by the thousand: a port picked there can be
 * taken by one before the server binds it. Below the range only an explicit bind takes
 * a port, and every server in the suite binds port 0 or a fixed port of its own.
 */
export async function freeStablePorts(
  count: number,
  [low, high]: readonly [number, number] = stableRange(),
): Promise<number[]> {
  const picked = new Set<number>();
  for (let tries = 0; picked.size < count; tries += 1) {
    if (tries > count * 50)
      throw new Error(`no ${count} free ports in ${low}–${high}`);
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (picked.has(port)) continue;
    if (
      await listenOnce(port).then(
        () => true,
        () => false,
      )
    )
      picked.add(port);
  }
  return [...picked];
}

/** 20000 up to the kernel's ephemeral range. */
function stableRange(): [number, number] {
  const low = 20_000;
  return [low, Math.max(low + 1_000, ephemeralRange()[0]) - 1];
}

/** The kernel's ephemeral port range (Linux), else IANA's default. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync(
      '/proc/sys/net/ipv4/ip_local_port_range',
      'utf8',
    )
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {
    // Not Linux: the default below.
  }
  return [49_152, 65_535];
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(bound);
      });
    });
  });
}
