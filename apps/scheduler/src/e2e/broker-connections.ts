import type { ExecutionResponse } from '@scheduleman/domain';
import { TEST_ADMIN_API_KEY, waitFor } from '@scheduleman/testkit';
import { request } from 'undici';
import type { Stack } from './stack';

/** What POST /connections answers (docs/connections.md). */
export interface ConnectionAnswer {
  id: string;
  name: string;
  type: string;
  url: string;
}

/** POST /connections with the admin key; fails the test on anything but 201. */
export async function createConnection(
  stack: Stack,
  body: { name: string; type: string; url: string },
): Promise<ConnectionAnswer> {
  const response = await request(`${stack.api.baseUrl}/connections`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TEST_ADMIN_API_KEY}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode !== 201)
    throw new Error(
      `POST /connections answered ${String(response.statusCode)}: ${text}`,
    );
  return JSON.parse(text) as ConnectionAnswer;
}

/** The schedule's first execution once it has succeeded (or the wait fails naming it). */
export async function firstSucceeded(
  stack: Stack,
  scheduleId: string,
): Promise<ExecutionResponse> {
  return waitFor(
    'the broker schedule to succeed',
    async () =>
      (await stack.api.executions(scheduleId)).find(
        (e) => e.status === 'succeeded',
      ),
    { timeoutMs: 20_000, intervalMs: 100 },
  );
}
