import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { Pool } from 'undici';
import {
  LOOPBACK_NETWORKS,
  networkPolicyOf,
  type SigningSecret,
  SystemClock,
  type WebhookTriggerSpec,
} from '@scheduleman/domain';
/* The scheduler's own webhook path, measured in isolation. Importing an app is normally
   off limits between projects; the benchmark is the one place where measuring the exact
   production code matters more than the boundary. */
// eslint-disable-next-line @nx/enforce-module-boundaries
import { FireExecutor } from '../../../apps/scheduler/src/firing/fire-executor';
// eslint-disable-next-line @nx/enforce-module-boundaries
import type { HttpClient } from '../../../apps/scheduler/src/triggers/webhook/http-client';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { UndiciHttpClient } from '../../../apps/scheduler/src/triggers/webhook/undici.http-client';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { WebhookTriggerProvider } from '../../../apps/scheduler/src/triggers/webhook/webhook.trigger-provider';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { firingExecution } from '../../../apps/scheduler/src/testing/held-execution-fixtures';
import { AxiosHttpClient } from './axios.http-client';
import { closedLoop, LoopResult } from './closed-loop';

export const HTTP_CEILING_IN_FLIGHT = 100;

/**
 * Each client runs unmeasured for a second first: the first measurement used to run in
 * cold code while the later ones reused undici's warmed-up internals, which once put the
 * raw Pool below the scheduler's own fire path. (None for the smoke's short runs.)
 */
function warmUpFor(durationMs: number): number {
  return durationMs >= 1_000 ? 1_000 : 0;
}

export interface HttpCeilings {
  durationMs: number;
  inFlight: number;
  /** undici Pool + request: the fastest Node client, the raw ceiling. */
  undiciRaw: LoopResult;
  /**
   * The scheduler's fire path (FireExecutor, its shared call deadlines, the
   * WebhookTriggerProvider) over each of its HttpClient implementations; only the
   * database write of the outcome is left out.
   */
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
      warmUpFor(durationMs),
    );
  } finally {
    await pool.close();
  }
}

async function measureProvider(
  client: HttpClient,
  hookUrl: string,
  durationMs: number,
  signingSecrets: readonly SigningSecret[] = [],
): Promise<LoopResult> {
  const provider = new WebhookTriggerProvider(client, { signingSecrets });
  const trigger: WebhookTriggerSpec = {
    type: 'webhook',
    url: hookUrl,
    method: 'POST',
    headers: {},
  };
  const failures = new Map<string, string>();
  const executor = new FireExecutor({
    triggers: { get: () => provider },
    clock: new SystemClock(),
    triggerTimeoutMs: 3_000,
    record: (record) => {
      if (record.status !== 'succeeded')
        failures.set(record.executionId, record.error ?? record.status);
    },
  });
  try {
    return await closedLoop(
      async (sequence) => {
        const scheduledAt = new Date(1_700_000_000_000 + sequence);
        const executionId = randomUUID();
        await executor.fire(
          firingExecution({
            executionId,
            scheduleId: 'ceiling',
            scheduleName: null,
            scheduledAt,
            trigger,
            maxAttempts: 1,
          }),
        );
        const failure = failures.get(executionId);
        if (failure !== undefined) {
          failures.delete(executionId);
          throw new Error(failure);
        }
      },
      HTTP_CEILING_IN_FLIGHT,
      durationMs,
      warmUpFor(durationMs),
    );
  } finally {
    await client.close();
  }
}

/**
 * The scheduler's fire path over its default undici client (the settings its
 * WebhookTriggerModule builds, with the receiver's loopback allowed as `npm start` does),
 * signing each delivery with `signingSecrets` as WEBHOOK_SIGNING_SECRETS would.
 */
export function measureFirePath(
  hookUrl: string,
  durationMs: number,
  signingSecrets: readonly SigningSecret[] = [],
): Promise<LoopResult> {
  const client = new UndiciHttpClient({
    maxSockets: 256,
    keepAliveMs: 30_000,
    networkPolicy: networkPolicyOf(LOOPBACK_NETWORKS),
  });
  return measureProvider(client, hookUrl, durationMs, signingSecrets);
}

/** Requests per second against the receiver, with 100 in flight, by each client. */
export async function measureHttpCeilings(
  hookUrl: string,
  durationMs: number,
): Promise<HttpCeilings> {
  const undiciRaw = await measureUndiciRaw(hookUrl, durationMs);
  const provider: Record<string, LoopResult> = {};
  provider['undici'] = await measureFirePath(hookUrl, durationMs);
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
