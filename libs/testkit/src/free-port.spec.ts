import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freeStablePorts } from './free-port';

describe('freeStablePorts', () => {
  it('gives distinct ports below the ephemeral range that a server can bind', async () => {
    const ports = await freeStablePorts(8);
    expect(new Set(ports).size).toBe(8);
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(
        /\s+/,
      )[0],
    );
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(low);
      await new Promise<void>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
      });
    }
  });

  it('never gives a port that is in use', async () => {
    const taken = await freeStablePorts(1);
    const server = createServer();
    await new Promise<void>((resolve) =>
      server.listen(taken[0], '127.0.0.1', resolve),
    );
    try {
      const range = [taken[0] - 1, taken[0] + 1] as const;
      for (let round = 0; round < 10; round += 1)
        expect((await freeStablePorts(2, range)).sort()).toEqual([
          taken[0] - 1,
          taken[0] + 1,
        ]);
    } finally {
      server.close();
    }
  });
});
