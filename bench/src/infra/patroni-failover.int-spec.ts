import {
  createDatabaseClient,
  databaseClientClass,
} from '@scheduleman/domain/persistence';
import { createServer } from 'node:net';
import { freeStablePorts, waitFor } from '@scheduleman/testkit';
import { Pool } from 'pg';
import {
  PatroniCluster,
  type PatroniNode,
  PortTakenError,
} from './patroni-cluster';
import { ensurePatroni } from './patroni-install';

/**
 * The apps' failover client (libs/domain/src/persistence/failover-client.ts) on a real
 * three-node Patroni cluster: the multi-host URL lands on the primary, a standby is
 * refused for read-write, and a pool follows a crash of the primary's node by itself.
 */
describe('the multi-host DATABASE_URL on a Patroni cluster', () => {
  let cluster: PatroniCluster | undefined;

  beforeAll(async () => {
    // Fails (never skips) when Patroni cannot be had: apt-get as root, else a clear error.
    ensurePatroni();
    cluster = await PatroniCluster.startOnFreePorts({});
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    cluster?.removeData();
  }, 60_000);

  const theCluster = (): PatroniCluster => {
    if (!cluster) throw new Error('no cluster');
    return cluster;
  };
  const standbyUrl = (standbys: PatroniNode[], attrs: string) =>
    `postgres://postgres@${standbys.map((n) => `127.0.0.1:${n.pgPort}`).join(',')}/postgres${attrs}`;

  async function serverPort(
    url: string,
  ): Promise<{ port: number; standby: boolean }> {
    const client = createDatabaseClient(url, {
      connectionTimeoutMillis: 3_000,
    });
    await client.connect();
    try {
      const { rows } = await client.query<{ port: number; standby: boolean }>(
        'select inet_server_port() as port, pg_is_in_recovery() as standby',
      );
      return rows[0];
    } finally {
      await client.end();
    }
  }

  it('connects to the primary, wherever it is in the host list', async () => {
    const leader = await theCluster().leader();
    await expect(serverPort(theCluster().url)).resolves.toEqual({
      port: leader?.pgPort,
      standby: false,
    });
  });

  it('refuses standbys for read-write with a retryable error, and takes them for any', async () => {
    const leader = await theCluster().leader();
    const standbys = theCluster().nodes.filter((n) => n !== leader);
    await expect(
      serverPort(standbyUrl(standbys, '?target_session_attrs=read-write')),
    ).rejects.toMatchObject({ code: '08001' });
    await expect(
      serverPort(standbyUrl(standbys.slice(0, 1), '')),
    ).resolves.toMatchObject({ standby: true });
  });

  it('follows a crash of the primary node with the same pool, and never lands on a standby', async () => {
    const url = theCluster().url;
    const pool = new Pool({
      connectionString: `postgres://postgres@127.0.0.1:${theCluster().nodes[0].pgPort}/postgres`,
      Client: databaseClientClass(url),
      max: 2,
      connectionTimeoutMillis: 3_000,
    });
    pool.on('error', () => undefined);
    try {
      const ask = () =>
        pool.query<{ port: number; standby: boolean }>(
          'select inet_server_port() as port, pg_is_in_recovery() as standby',
        );
      const before = (await ask()).rows[0];
      const old = await theCluster().leader();
      expect(before).toEqual({ port: old?.pgPort, standby: false });
      if (!old) throw new Error('no leader');
      theCluster().crash(old);
      const seen: { port: number; standby: boolean }[] = [];
      const after = await waitFor(
        'a query answered by the new primary',
        async () => {
          try {
            const row = (await ask()).rows[0];
            seen.push(row);
            return row.port !== old.pgPort ? row : false;
          } catch {
            return false;
          }
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(after.standby).toBe(false);
      const leader = await theCluster().waitHealthy(60_000, 1);
      expect(after.port).toBe(leader.pgPort);
      expect(seen.filter((r) => r.standby)).toEqual([]);
    } finally {
      await pool.end();
    }
  }, 120_000);
});

describe('a Patroni cluster whose port was taken before it bound', () => {
  it('fails as PortTakenError, which startOnFreePorts starts again on fresh ports', async () => {
    ensurePatroni();
    const [etcdPort, etcdPeerPort, ...nodePorts] = await freeStablePorts(8);
    const squatter = createServer();
    await new Promise<void>((resolve) =>
      squatter.listen(nodePorts[4], '127.0.0.1', resolve),
    );
    let failure: unknown;
    try {
      const cluster = await PatroniCluster.start({
        etcdPort,
        etcdPeerPort,
        nodes: [0, 1, 2].map((i) => ({
          pgPort: nodePorts[2 * i],
          restPort: nodePorts[2 * i + 1],
        })),
      });
      await cluster.stop();
      cluster.removeData();
    } catch (error) {
      failure = error;
    } finally {
      squatter.close();
    }
    expect(failure).toBeInstanceOf(PortTakenError);
    expect(String(failure)).toMatch(/pg3\.log says a port was already in use/);
  }, 120_000);
});
