import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'undici';

/**
 * One one-shot as every peer stores it: the job's payload. `id` plays the schedule id and
 * the idempotency key, so the receiver judges a peer's deliveries exactly as scheduleman's
 * (bench/src/receiver: one occurrence per schedule id + scheduled instant).
 */
export interface PeerJob {
  id: string;
  /** Epoch ms: the instant the job is scheduled for (pg-boss startAfter, graphile-worker run_at, BullMQ delay). */
  scheduledAtMs: number;
  name: string;
}

export function peerJobs(name: string, times: readonly number[]): PeerJob[] {
  return times.map((scheduledAtMs) => ({
    id: randomUUID(),
    scheduledAtMs,
    name: `${name}-${String(scheduledAtMs)}`,
  }));
}

/**
 * The body scheduleman's webhook sends by default (defaultDeliveryBody in libs/domain:
 * ids, instant, attempt, name and a result token), with values of the same lengths, so
 * that every system puts the same bytes on the wire (the receiver sums Content-Length to
 * show it).
 */
function deliveryBody(job: PeerJob): string {
  return JSON.stringify({
    scheduleId: job.id,
    executionId: randomUUID(),
    scheduledAt: new Date(job.scheduledAtMs).toISOString(),
    attempt: 1,
    name: job.name,
    resultToken: randomBytes(32).toString('base64url'),
  });
}

/** Scheduleman's defaults: MAX_IN_FLIGHT and WEBHOOK_MAX_SOCKETS are both 256 per scheduler. */
export const IN_FLIGHT_PER_PROCESS = 256;

/**
 * What each peer's job handler does, as scheduleman's webhook trigger does per fire: one
 * POST over a keep-alive undici pool, the scheduled instant and an idempotency key in the
 * headers; anything but 2xx throws, so the peer retries it as its own failures.
 */
export class PeerDelivery {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(hookUrl: string) {
    const url = new URL(hookUrl);
    this.path = url.pathname;
    this.pool = new Pool(url.origin, {
      connections: IN_FLIGHT_PER_PROCESS,
      keepAliveTimeout: 60_000,
    });
  }

  async deliver(job: PeerJob): Promise<void> {
    const response = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': job.id,
        'x-scheduleman-schedule-id': job.id,
        'x-scheduleman-scheduled-at': new Date(job.scheduledAtMs).toISOString(),
      },
      body: deliveryBody(job),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await response.body.dump();
    if (response.statusCode < 200 || response.statusCode > 299)
      throw new Error(`receiver answered ${String(response.statusCode)}`);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Runs `work` over `items` with at most `limit` at once (pg-boss hands its handler a whole batch). */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, lane),
  );
}
