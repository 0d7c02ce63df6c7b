import { monotonicMs } from '../infra/wait';
import { type Distribution, distribution } from '../stats/percentiles';
import type { BrokerDestination } from './broker-target';

export interface BareResult {
  count: number;
  failed: number;
  firstError?: string;
  perSecond: number;
  /** Per publish, from the call to the broker's confirmation, in ms. */
  publishMs: Distribution;
}

/** The body of bare message `i`: shaped like scheduleman's default body, so both are counted alike. */
export function bareBody(tag: string, i: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      scheduleId: `bare-${tag}`,
      executionId: `bare-${tag}-${String(i)}`,
      scheduledAt: '2030-01-01T00:00:00.000Z',
      attempt: 1,
      name: `bare-${String(i)}`,
    }),
  );
}

/**
 * `count` publishes of the bare client with `inFlight` of them outstanding at any time
 * (a closed loop, as many as the scheduler fires at once), numbered from `first`.
 */
export async function barePublish(
  destination: BrokerDestination,
  tag: string,
  count: number,
  inFlight: number,
  first = 0,
): Promise<BareResult> {
  const latencies: number[] = [];
  let next = first;
  const end = first + count;
  let failed = 0;
  let firstError: string | undefined;
  const started = monotonicMs();
  const worker = async () => {
    while (next < end) {
      const i = next++;
      const sent = monotonicMs();
      try {
        await destination.publish(bareBody(tag, i), `bare-${tag}-${String(i)}`);
        latencies.push(monotonicMs() - sent);
      } catch (error) {
        failed++;
        firstError ??= String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  const elapsedSeconds = (monotonicMs() - started) / 1000;
  return {
    count,
    failed,
    firstError,
    perSecond: latencies.length / elapsedSeconds,
    publishMs: distribution(latencies),
  };
}
