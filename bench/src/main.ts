import { runBenchCommand } from './bench-command';
import { runBrokersCommand } from './brokers/brokers-command';
import { runChaosCommand } from './chaos/chaos-command';
import { runFailoverCommand } from './chaos/failover-command';
import { runCreationCommand } from './creation/creation-command';
import {
  FRAMEWORK_PLATFORMS,
  type FrameworkPlatform,
  startFrameworkServer,
} from './creation/framework-server';
import { parseOptions } from './options';
import { runPressureCommand } from './pressure/pressure-command';
import { runOverloadCommand } from './pressure/overload-command';
import { runPeersCommand } from './peers/peers-command';
import { runPeerWorker } from './peers/peer-worker-main';
import { startReceiverServer } from './receiver/receiver-server';
import { runSecurityCostCommand } from './security-cost/security-cost';
import { runTableScaleCommand } from './table-scale/table-scale-command';

/**
 * scheduleman's benchmark and chaos harness, one bundle with three roles:
 *   node dist/bench/main.js bench [--smoke] [...]   (npm run bench)
 *   node dist/bench/main.js bench --security-cost [--smoke]   (authentication and signing, on against off)
 *   node dist/bench/main.js bench --brokers [--smoke]   (broker triggers against their bare clients)
 *   node dist/bench/main.js bench --creation [--smoke]   (creation throughput against its targets)
 *   node dist/bench/main.js bench --table-scale [--rows=N,M]   (hot statements on big executions tables)
 *   node dist/bench/main.js bench --herd [--schedulers=1,3] [--smoke]   (a herd due in one second)
 *   node dist/bench/main.js bench --peers [--smoke]   (scheduleman beside graphile-worker, pg-boss, BullMQ)
 *   node dist/bench/main.js chaos [--smoke] [...]   (npm run chaos)
 *   node dist/bench/main.js chaos --failover [--smoke]   (the Patroni cluster loses its primary)
 *   node dist/bench/main.js chaos --overload [--smoke]   (3 schedulers, a CPU hog, a probe burst, 8 s of its rate)
 *   node dist/bench/main.js peer-worker --system=...  (one peer's worker process, started by --peers)
 *   node dist/bench/main.js receiver --port=N       (the webhook receiver child)
 *   node dist/bench/main.js framework --platform=express|fastify --port=N   (the framework ceiling's child)
 * See options.ts for the flags.
 */
/** A child role: exit on SIGTERM, and when the harness died without stopping us (SIGKILL: re-parented). */
function exitWithParent(): void {
  process.on('SIGTERM', () => process.exit(0));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1_000).unref();
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const command = args.shift();
  if (command === 'receiver') {
    const port = Number(/^--port=(\d+)$/.exec(args[0] ?? '')?.[1]);
    if (!port) throw new Error('usage: receiver --port=N');
    await startReceiverServer(port);
    exitWithParent();
    return -1;
  }
  if (command === 'framework') {
    const platform = /^--platform=(\w+)$/.exec(args[0] ?? '')?.[1];
    const port = Number(/^--port=(\d+)$/.exec(args[1] ?? '')?.[1]);
    if (!FRAMEWORK_PLATFORMS.includes(platform as FrameworkPlatform) || !port)
      throw new Error('usage: framework --platform=express|fastify --port=N');
    await startFrameworkServer(platform as FrameworkPlatform, port);
    exitWithParent();
    return -1;
  }
  if (command === 'peer-worker') {
    await runPeerWorker(args);
    return -1;
  }
  if (command === 'bench') {
    const options = parseOptions(args);
    if (options.brokers) return runBrokersCommand(options);
    if (options.creation) return runCreationCommand(options);
    if (options.tableScale) return runTableScaleCommand(options);
    if (options.herd) return runPressureCommand(options);
    if (options.peers) return runPeersCommand(options);
    return options.securityCost
      ? runSecurityCostCommand(options)
      : runBenchCommand(options);
  }
  if (command === 'chaos') {
    const options = parseOptions(args);
    if (options.overload) return runOverloadCommand(options);
    return options.failover
      ? runFailoverCommand(options)
      : runChaosCommand(options);
  }
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
