// Compares the webhook HttpClients end to end (provider included) against a running
// receiver, e.g. the built task-pretender:
//   PORT=3199 node dist/apps/task-pretender/main.js &
//   npx ts-node --transpile-only -P apps/scheduler/tsconfig.app.json \
//     apps/scheduler/src/triggers/webhook/http-clients.bench.ts http://127.0.0.1:3199/tasks 20000 100
// Not a test (no assertions, machine-dependent figures); results go to docs/triggers.md.
import { HttpService } from '@nestjs/axios';
import type { FireRequest } from '@scheduleman/domain';
import axios from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { AxiosHttpClient } from './axios.http-client';
import type { HttpClient } from './http-client';
import { UndiciHttpClient } from './undici.http-client';
import { WebhookTriggerProvider } from './webhook.trigger-provider';

const [
  url = 'http://127.0.0.1:3100/tasks',
  totalArg = '20000',
  inFlightArg = '100',
  roundsArg = '3',
] = process.argv.slice(2);
const total = Number(totalArg);
const inFlight = Number(inFlightArg);
const rounds = Number(roundsArg);
const maxSockets = 256;

const clients: Record<string, () => HttpClient> = {
  undici: () => new UndiciHttpClient({ maxSockets, keepAliveMs: 30_000 }),
  // The same construction as HttpModule.register({ httpAgent }) in webhook-trigger.module.ts.
  axios: () =>
    new AxiosHttpClient(
      new HttpService(
        axios.create({
          httpAgent: new HttpAgent({
            keepAlive: true,
            maxSockets,
            scheduling: 'lifo',
          }),
        }) as never,
      ),
    ),
};

async function run(
  name: string,
  n: number,
): Promise<{
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerRequest: number;
  failed: number;
}> {
  const client = clients[name]();
  const provider = new WebhookTriggerProvider(client);
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const scheduledAt = new Date(0);
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const request: FireRequest = {
        executionId: `bench-${name}-${i}-${startedAt}`,
        scheduleId: 'bench',
        scheduleName: null,
        scheduledAt,
        attempt: 1,
        trigger: {
          type: 'webhook',
          url,
          method: 'POST',
          headers: {},
        } as FireRequest['trigger'],
      };
      const t0 = performance.now();
      const outcome = await provider.fire(request, {
        signal: AbortSignal.timeout(3000),
      });
      latencies.push(performance.now() - t0);
      if (outcome.kind !== 'delivered') failed++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await client.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.ceil(q * latencies.length) - 1] * 100) / 100;
  // CPU per request in this process isolates the client's cost from the receiver's on a shared machine.
  return {
    rps: Math.round(n / seconds),
    p50: at(0.5),
    p99: at(0.99),
    cpuUsPerRequest: Math.round((cpu.user + cpu.system) / n),
    failed,
  };
}

async function main(): Promise<void> {
  for (const name of Object.keys(clients)) await run(name, 2000); // warm-up (JIT, sockets)
  for (let round = 1; round <= rounds; round++) {
    for (const name of Object.keys(clients)) {
      const r = await run(name, total);
      console.log(
        JSON.stringify({
          round,
          client: name,
          requests: total,
          inFlight,
          ...r,
        }),
      );
    }
  }
}

void main();
