import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { Pool } from 'undici';
import type { WebhookTriggerSpec } from '@scheduleman/domain';
/* The scheduler's own webhook path, measured in isolation. Importing an app is normally
   off limits between projects; the benchmark is the one place where measuring the exact
   production code matters more than the boundary. */
// eslint-disable-next-line @nx/enforce-module-boundaries
import { AxiosHttpClient } from '../../../apps/scheduler/src/triggers/webhook/axios.http-client';
// eslint-disable-next-line @nx/enforce-module-boundaries
import type { HttpClient } from '../../../apps/scheduler/src/triggers/webhook/http-client';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { UndiciHttpClient } from '../../../apps/scheduler/src/triggers/webhook/undici.http-client';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WebhookTriggerProvider } from '../../../apps/scheduler/src/triggers/webhook/webhook.trigger-provider';
import { closedLoop, LoopResult } from './closed-loop';

export const HTTP_CEILING_IN_FLIGHT = 100;

export interface HttpCeilings {
  durationMs: number;
  inFlight: number;
  /** undici Pool + request: the fastest Node client, the raw ceiling. */
  undiciRaw: LoopResult;
  /** The scheduler's WebhookTriggerProvider over each of its HttpClient implementations. */
  provider: Record<string, LoopResult>;
}

/** Deliveries shaped like the scheduler's (same headers), so the receiver does the same work. */
function contractHeaders(sequence: number): Record<string, string> {
  return {
    'content-type': 'application/json',
    'idempotency-key': randomUUID(),
    'x-scheduleman-schedule-id': 'ceiling',
    'x-scheduleman-execution-id': String(sequence),
    'x-scheduleman-scheduled-at': new Date(
      1_700_000_000_000 + sequence,
    ).toISOString(),
    'x-scheduleman-attempt': '1',
  };
}

async function measureUndiciRaw(
  hookUrl: string,
  durationMs: number,
): Promise<LoopResult> {
  const url = new URL(hookUrl);
  const pool = new Pool(url.origin, {
    connections: HTTP_CEILING_IN_FLIGHT,
    keepAliveTimeout: 30_000,
  });
  try {
    const body = JSON.stringify({ scheduleId: 'ceiling', attempt: 1 });
    return await closedLoop(
      async (sequence) => {
        const response = await pool.request({
          method: 'POST',
          path: url.pathname,
          headers: contractHeaders(sequence),
          body,
        });
        await response.body.dump();
        if (response.statusCode !== 200)
          throw new Error(`status ${response.statusCode}`);
      },
      HTTP_CEILING_IN_FLIGHT,
      durationMs,
    );
  } finally {
    await pool.close();
  }
}

async function measureProvider(
  client: HttpClient,
  hookUrl: string,
  durationMs: number,
): Promise<LoopResult> {
  const provider = new WebhookTriggerProvider(client);
  const trigger: WebhookTriggerSpec = {
    type: 'webhook',
    url: hookUrl,
    method: 'POST',
    headers: {},
  };
  try {
    return await closedLoop(
      async (sequence) => {
        const outcome = await provider.fire(
          {
            executionId: randomUUID(),
            scheduleId: 'ceiling',
            scheduleName: null,
            scheduledAt: new Date(1_700_000_000_000 + sequence),
            attempt: 1,
            trigger,
          },
          { signal: AbortSignal.timeout(3_000) },
        );
        if (outcome.kind !== 'delivered')
          throw new Error(`${outcome.kind}: ${outcome.error}`);
      },
      HTTP_CEILING_IN_FLIGHT,
      durationMs,
    );
  } finally {
    await client.close();
  }
}

/** Requests per second against the receiver, with 100 in flight, by each client. */
export async function measureHttpCeilings(
  hookUrl: string,
  durationMs: number,
): Promise<HttpCeilings> {
  const undiciRaw = await measureUndiciRaw(hookUrl, durationMs);
  const provider: Record<string, LoopResult> = {};
  // The same settings the scheduler's WebhookTriggerModule builds by default.
  provider['undici'] = await measureProvider(
    new UndiciHttpClient({ maxSockets: 256, keepAliveMs: 30_000 }),
    hookUrl,
    durationMs,
  );
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 256,
    scheduling: 'lifo',
  });
  provider['axios'] = await measureProvider(
    new AxiosHttpClient(new HttpService(axios.create({ httpAgent: agent }))),
    hookUrl,
    durationMs,
  );
  return { durationMs, inFlight: HTTP_CEILING_IN_FLIGHT, undiciRaw, provider };
}
