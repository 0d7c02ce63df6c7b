import type {
  FireOutcome,
  FireRequest,
  TriggerProvider,
} from '@scheduleman/domain';
import { FakeClock } from '@scheduleman/domain/testing';
import { Registry } from 'prom-client';
import type { FireRecord } from '../claims/claim';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { FireExecutor } from './fire-executor';
import type { HeldExecution } from '../leases/held-execution';
import { ManualTimers } from '../testing/manual-timers';

const T0 = new Date('2031-05-01T08:00:00.000Z');

function heldOf(type: string, attempts = 0): HeldExecution {
  return {
    claim: {
      executionId: 'exec-1',
      scheduleId: 'sched-1',
      scheduleName: 'nightly',
      scheduleOwner: 'team-a',
      scheduleMetadata: { tenant: 'acme' },
      scheduledAt: new Date(T0.getTime() - 20),
      dueAt: T0,
      attempts,
      maxAttempts: 3,
      leaseVersion: 4,
      leaseExpiresAt: new Date(T0.getTime() + 4_000),
      trigger: { type },
      recoveredFrom: null,
    },
    leaseVersion: 4,
    leaseExpiresAtMs: T0.getTime() + 4_000,
    dueAtMs: T0.getTime(),
    state: 'firing',
    lost: false,
    generation: 1,
  };
}

function setup(
  fire: (
    request: FireRequest,
    options: { signal: AbortSignal },
  ) => Promise<FireOutcome>,
) {
  const clock = new FakeClock(T0);
  const timers = new ManualTimers(clock);
  const records: FireRecord[] = [];
  const requests: FireRequest[] = [];
  const provider: TriggerProvider = {
    type: 'webhook',
    fire: (request, options) => {
      requests.push(request);
      return fire(request, options);
    },
  };
  const registry = new Registry();
  const metrics = new SchedulerMetrics(registry);
  const executor = new FireExecutor({
    triggers: { get: (type) => (type === 'webhook' ? provider : undefined) },
    clock,
    timers,
    triggerTimeoutMs: 3_000,
    record: (r) => records.push(r),
    retryPolicy: { baseDelayMs: 1_000, maxDelayMs: 60_000 },
    random: () => 0,
    metrics,
  });
  return { clock, timers, records, requests, executor, registry };
}

describe('FireExecutor', () => {
  it('sends the attempt number and execution id, and records success under the current lease', async () => {
    const { executor, records, requests, clock } = setup(() =>
      Promise.resolve({ kind: 'delivered', responseStatus: 200 }),
    );
    const held = heldOf('webhook', 1);
    held.leaseVersion = 5;
    clock.advance(3);
    await executor.fire(held);
    expect(requests[0]).toMatchObject({
      executionId: 'exec-1',
      scheduleId: 'sched-1',
      scheduleName: 'nightly',
      scheduleOwner: 'team-a',
      scheduleMetadata: { tenant: 'acme' },
      attempt: 2,
    });
    expect(records).toEqual([
      expect.objectContaining({
        executionId: 'exec-1',
        leaseVersion: 5,
        status: 'succeeded',
        attempts: 2,
        responseStatus: 200,
      }),
    ]);
  });

  it('records an unknown trigger type as a permanent failure instead of throwing', async () => {
    const { executor, records } = setup(() =>
      Promise.resolve({ kind: 'delivered' }),
    );
    await executor.fire(heldOf('carrier-pigeon'));
    expect(records).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 1,
        error: 'unknown trigger type "carrier-pigeon"',
      }),
    ]);
  });

  it('gives up on a provider that ignores the abort signal once the timeout passes, and retries later', async () => {
    let signal: AbortSignal | undefined;
    const { executor, records, timers } = setup((_r, options) => {
      signal = options.signal;
      return new Promise(() => undefined);
    });
    const done = executor.fire(heldOf('webhook'));
    await timers.advance(2_999);
    expect(records).toEqual([]);
    await timers.advance(1);
    await done;
    expect(signal?.aborted).toBe(true);
    expect(records).toEqual([
      expect.objectContaining({
        status: 'pending',
        error: 'trigger timed out after 3000 ms',
      }),
    ]);
    expect(records[0].retryAt).toEqual(new Date(T0.getTime() + 3_000 + 500));
  });

  it('treats a provider that throws as a retryable failure', async () => {
    const { executor, records } = setup(() =>
      Promise.reject(new Error('socket hang up')),
    );
    await executor.fire(heldOf('webhook'));
    expect(records).toEqual([
      expect.objectContaining({
        status: 'pending',
        error: 'trigger provider "webhook" threw: socket hang up',
      }),
    ]);
  });

  it('aborts calls in flight at the end of a shutdown and records them as retryable', async () => {
    const { executor, records, timers } = setup(
      (_r, { signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            reject(signal.reason as Error);
          }),
        ),
    );
    const done = executor.fire(heldOf('webhook'));
    await timers.advance(10);
    executor.abortAll();
    await done;
    expect(records).toEqual([
      expect.objectContaining({
        status: 'pending',
        error: 'scheduler shutting down',
      }),
    ]);
  });

  it('measures the lateness of first attempts against the due time (a flexible window moves it past the scheduled time), a fire taken along early as 0', async () => {
    const { executor, registry } = setup(() =>
      Promise.resolve({ kind: 'delivered' }),
    );
    const held = heldOf('webhook');
    await executor.fire({
      ...held,
      claim: {
        ...held.claim,
        scheduledAt: new Date(T0.getTime() - 60_000),
        dueAt: new Date(T0.getTime() - 20),
      },
    });
    await executor.fire(heldOf('webhook', 1));
    // Taken along by the timer queue's coalescing window, 5 ms before it was due.
    const early = heldOf('webhook');
    await executor.fire({
      ...early,
      claim: { ...early.claim, dueAt: new Date(T0.getTime() + 5) },
    });
    const text = await registry.metrics();
    expect(text).toMatch(/^scheduleman_fire_lateness_seconds_count 2$/m);
    expect(text).toMatch(/^scheduleman_fire_lateness_seconds_sum 0\.02$/m);
    expect(text).toMatch(
      /^scheduleman_fire_lateness_seconds_bucket\{le="0\.001"\} 1$/m,
    );
    expect(text).toMatch(
      /^scheduleman_fire_lateness_seconds_bucket\{le="0\.01"\} 1$/m,
    );
    expect(text).toMatch(
      /^scheduleman_fire_lateness_seconds_bucket\{le="0\.025"\} 2$/m,
    );
  });
});
