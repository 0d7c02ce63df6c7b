import { createNodeRedisClient, Queue, Worker } from 'bullmq';
import { createClient } from 'redis';
import { SystemClock } from '@scheduleman/domain';
import { IN_FLIGHT_PER_PROCESS, type PeerJob } from './peer-job';
import { enqueueInBatches, type PeerSystem } from './peer-system';

const JOB_NAME = 'post';
const clock = new SystemClock();

/**
 * A node-redis client in BullMQ's adapter: ioredis, its default client, is an optional
 * package not installed here, and BullMQ documents node-redis (`redis` ≥ 5) as the
 * alternative. Workers duplicate it for their blocking connection.
 */
function connection(redisUrl: string) {
  const raw = createClient({ url: redisUrl });
  raw.on('error', (error: Error) => {
    console.error(`[bullmq] redis: ${error.message}`);
  });
  // BullMQ leaves a client it was given open: `close` ends it once BullMQ is done.
  return {
    client: createNodeRedisClient(raw),
    close: async () => {
      if (raw.isOpen) await raw.quit();
    },
  };
}

/**
 * BullMQ's documentation: concurrency for I/O-bound processors, delayed jobs through the
 * `delay` option (its workers wake for the next delayed job's instant), and completed
 * jobs removed, as it recommends, so Redis does not grow with every fire.
 */
export const bullmqPeer: PeerSystem = {
  name: 'bullmq',
  packageName: 'bullmq',
  store: 'redis',
  settings: `addBulk() in batches of 1,000 with delay; per process new Worker({ concurrency: ${String(IN_FLIGHT_PER_PROCESS)} }); removeOnComplete; node-redis client`,

  openQueue(target) {
    const redis = connection(target.redisUrl);
    const queue = new Queue<PeerJob>(target.queue, {
      connection: redis.client,
    });
    return Promise.resolve({
      enqueue: (jobs) =>
        enqueueInBatches(jobs, (batch) => {
          // The delay is relative to the enqueuing host's clock: the receiver's, here.
          const now = clock.now().getTime();
          return queue.addBulk(
            batch.map((job) => ({
              name: JOB_NAME,
              data: job,
              opts: {
                delay: Math.max(0, job.scheduledAtMs - now),
                removeOnComplete: true,
                removeOnFail: 1_000,
              },
            })),
          );
        }),
      close: async () => {
        await queue.close();
        await redis.close();
      },
    });
  },

  async startWorker(target, delivery) {
    const redis = connection(target.redisUrl);
    const worker = new Worker<PeerJob>(
      target.queue,
      (job) => delivery.deliver(job.data),
      {
        connection: redis.client,
        concurrency: IN_FLIGHT_PER_PROCESS,
      },
    );
    worker.on('error', (error) => {
      console.error(`[bullmq] ${error.message}`);
    });
    await worker.waitUntilReady();
    return {
      stop: async () => {
        await worker.close();
        await redis.close();
      },
    };
  },
};
