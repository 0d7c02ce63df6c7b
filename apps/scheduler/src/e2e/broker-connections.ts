import type { ExecutionResponse } from '@scheduleman/domain';
import { waitFor } from '@scheduleman/testkit';
import type { Stack } from './stack';

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
