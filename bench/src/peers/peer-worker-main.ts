import { createServer } from 'node:http';
import { PeerDelivery } from './peer-job';
import type { PeerTarget } from './peer-system';
import { peerSystem } from './peer-systems';

function flag(args: readonly string[], name: string): string {
  const prefix = `--${name}=`;
  const value = args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
  if (value === undefined)
    throw new Error(
      `usage: peer-worker --system= --port= --database-url= --redis-url= --queue= --hook-url= (missing --${name})`,
    );
  return value;
}

/**
 * One worker process of a peer (`node dist/bench/main.js peer-worker ...`), as a user runs
 * one: the peer's worker API, jobs delivered as webhooks to the bench's receiver. It answers
 * /health once its workers are started; SIGTERM stops them the peer's graceful way.
 */
export async function runPeerWorker(args: readonly string[]): Promise<void> {
  const system = peerSystem(flag(args, 'system'));
  const port = Number(flag(args, 'port'));
  const target: PeerTarget = {
    databaseUrl: flag(args, 'database-url'),
    redisUrl: flag(args, 'redis-url'),
    queue: flag(args, 'queue'),
  };
  const delivery = new PeerDelivery(flag(args, 'hook-url'));
  const worker = await system.startWorker(target, delivery);
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(req.url === '/health' ? 200 : 404).end();
  });
  await new Promise<void>((resolve) =>
    server.listen(port, '127.0.0.1', resolve),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close();
    worker
      .stop()
      .then(() => delivery.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`[peer-worker] stop failed: ${String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The harness may die without stopping us (SIGKILL): once re-parented, exit too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1_000).unref();
}
