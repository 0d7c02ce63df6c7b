// CPU per fire of the scheduler's fire path alone (FireExecutor + WebhookTriggerProvider +
// UndiciHttpClient, result tokens, PUBLIC_API_URL and metrics on, as deployed), 256 in
// flight against a loopback receiver in a child process (its CPU is not counted): 5,000
// warm-up fires, then rounds of 20,000, each printing this process's CPU (user + system,
// process.cpuUsage) per fire. No database: the outcome is only checked. From the repository
// root (or an export of another commit, with node_modules linked, for an A/B):
//   TS_NODE_TRANSPILE_ONLY=1 TS_NODE_PROJECT=tsconfig.base.json \
//   TS_NODE_COMPILER_OPTIONS='{"module":"commonjs"}' node -r ts-node/register \
//   -r tsconfig-paths/register -e "process.argv.splice(1,0,'x');require('./tools/fire-path-cpu.ts')" 3
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import {
  LOOPBACK_NETWORKS,
  networkPolicyOf,
  ResultTokens,
  SystemClock,
  type WebhookTriggerSpec,
} from '@scheduleman/domain';
import { FireExecutor } from '../apps/scheduler/src/firing/fire-executor';
import { WebhookTriggerProvider } from '../apps/scheduler/src/triggers/webhook/webhook.trigger-provider';
import { UndiciHttpClient } from '../apps/scheduler/src/triggers/webhook/undici.http-client';
import { SchedulerMetrics } from '../apps/scheduler/src/metrics/scheduler.metrics';
import { firingExecution } from '../apps/scheduler/src/testing/held-execution-fixtures';

const RECEIVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;

async function main() {
  const receiver = spawn(process.execPath, ['-e', RECEIVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) =>
    receiver.stdout.once('data', (d: Buffer) =>
      resolve(Number(String(d).trim())),
    ),
  );
  const client = new UndiciHttpClient({
    maxSockets: 256,
    keepAliveMs: 30_000,
    networkPolicy: networkPolicyOf(LOOPBACK_NETWORKS),
  });
  const provider = new WebhookTriggerProvider(client, {});
  const trigger: WebhookTriggerSpec = {
    type: 'webhook',
    url: `http://127.0.0.1:${port}/hook`,
    method: 'POST',
    headers: {},
  };
  let failed = 0;
  const executor = new FireExecutor({
    triggers: { get: () => provider },
    clock: new SystemClock(),
    triggerTimeoutMs: 3_000,
    resultTokens: new ResultTokens([randomBytes(32)]),
    publicApiUrl: 'http://127.0.0.1:3000/',
    metrics: new SchedulerMetrics(new Registry()),
    record: (r) => {
      if (r.status !== 'succeeded') {
        failed++;
        if (failed < 3) console.log(r.error);
      }
    },
  });
  const fireOne = (seq: number) => {
    const scheduledAt = new Date(1_700_000_000_000 + seq);
    return executor.fire(
      firingExecution({
        executionId: randomUUID(),
        scheduleId: randomUUID(),
        scheduleName: `burst-${seq}`,
        scheduledAt,
        trigger,
        maxAttempts: 3,
      }),
    );
  };
  const run = async (n: number) => {
    let next = 0;
    const worker = async () => {
      while (next < n) await fireOne(next++);
    };
    await Promise.all(Array.from({ length: 256 }, worker));
  };
  await run(5000);
  for (let round = 0; round < Number(process.argv[2] ?? 3); round++) {
    const n = 20000;
    const cpu = process.cpuUsage();
    const t = performance.now();
    await run(n);
    const used = process.cpuUsage(cpu);
    const wall = performance.now() - t;
    console.log(
      `round ${round}: ${((used.user + used.system) / n).toFixed(1)} µs CPU/fire (user ${(used.user / n).toFixed(1)}, sys ${(used.system / n).toFixed(1)}), ${((n / wall) * 1000).toFixed(0)} fires/s, failed ${failed}`,
    );
  }
  await client.close();
  receiver.kill();
}
void main();
