import { Queue, Worker } from 'bullmq';
import { SystemClock } from '@scheduleman/domain';
import { IN_FLIGHT_PER_PROCESS, type PeerJob } from './peer-job';
import { enqueueInBatches, type PeerSystem } from './peer-system';

const JOB_NAME = 'post';
const clock = new SystemClock();

/** ioredis options from a redis:// URL; BullMQ's workers need maxRetriesPerRequest null. */
function connection(redisUrl: string) {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    db: Number(url.pathname.slice(1) || 0),
    maxRetriesPerRequest: null,
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
  settings: `addBulk() in batches of 1,000 with delay; per process new Worker({ concurrency: ${String(IN_FLIGHT_PER_PROCESS)} }); removeOnComplete`,

  openQueue(target) {
    const queue = new Queue<PeerJob>(target.queue, {
      connection: connection(target.redisUrl),
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
      close: () => queue.close(),
    });
  },

  async startWorker(target, delivery) {
    const worker = new Worker<PeerJob>(
      target.queue,
      (job) => delivery.deliver(job.data),
      {
        connection: connection(target.redisUrl),
        concurrency: IN_FLIGHT_PER_PROCESS,
      },
    );
    worker.on('error', (error) => {
      console.error(`[bullmq] ${error.message}`);
    });
    await worker.waitUntilReady();
    return { stop: () => worker.close() };
  },
};
