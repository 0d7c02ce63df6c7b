import { runBenchCommand } from './bench-command';
import { runBrokersCommand } from './brokers/brokers-command';
import { runChaosCommand } from './chaos/chaos-command';
import { parseOptions } from './options';
import { runPeersCommand } from './peers/peers-command';
import { runPeerWorker } from './peers/peer-worker-main';
import { startReceiverServer } from './receiver/receiver-server';
import { runSecurityCostCommand } from './security-cost/security-cost';

/**
 * scheduleman's benchmark and chaos harness, one bundle with three roles:
 *   node dist/bench/main.js bench [--smoke] [...]   (npm run bench)
 *   node dist/bench/main.js bench --security-cost [--smoke]   (authentication and signing, on against off)
 *   node dist/bench/main.js bench --brokers [--smoke]   (broker triggers against their bare clients)
 *   node dist/bench/main.js bench --peers [--smoke]   (scheduleman beside graphile-worker, pg-boss, BullMQ)
 *   node dist/bench/main.js chaos [--smoke] [...]   (npm run chaos)
 *   node dist/bench/main.js peer-worker --system=...  (one peer's worker process, started by --peers)
 *   node dist/bench/main.js receiver --port=N       (the webhook receiver child)
 * See options.ts for the flags.
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const command = args.shift();
  if (command === 'receiver') {
    const port = Number(/^--port=(\d+)$/.exec(args[0] ?? '')?.[1]);
    if (!port) throw new Error('usage: receiver --port=N');
    await startReceiverServer(port);
    process.on('SIGTERM', () => process.exit(0));
    // The harness may die without stopping us (SIGKILL): once re-parented, exit too.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) process.exit(0);
    }, 1_000).unref();
    return -1;
  }
  if (command === 'peer-worker') {
    await runPeerWorker(args);
    return -1;
  }
  if (command === 'bench') {
    const options = parseOptions(args);
    if (options.brokers) return runBrokersCommand(options);
    if (options.peers) return runPeersCommand(options);
    return options.securityCost
      ? runSecurityCostCommand(options)
      : runBenchCommand(options);
  }
  if (command === 'chaos') return runChaosCommand(parseOptions(args));
  throw new Error(
    `usage: main.js bench|chaos [--smoke] (got '${command ?? ''}')`,
  );
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
    process.exit(2);
  },
);
