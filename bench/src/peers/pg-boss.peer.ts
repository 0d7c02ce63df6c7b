import PgBoss from 'pg-boss';
import {
  forEachLimited,
  IN_FLIGHT_PER_PROCESS,
  type PeerJob,
} from './peer-job';
import { enqueueInBatches, type PeerSystem } from './peer-system';

/**
 * pg-boss polls: each `work()` call is one loop that fetches up to `batchSize` jobs, runs
 * the handler on the batch and sleeps what is left of `pollingIntervalSeconds` (0.5 s is
 * the minimum it accepts). Its documentation scales a process with batchSize and more
 * `work()` calls; four loops of 1,000 share the process's 256 requests in flight.
 */
const WORKERS_PER_PROCESS = 4;
const BATCH_SIZE = 1_000;
const POLLING_INTERVAL_SECONDS = 0.5;

function boss(databaseUrl: string): PgBoss {
  const instance = new PgBoss({
    connectionString: databaseUrl,
    application_name: 'bench:pg-boss',
    // No cron in these workloads: the schedule monitor would only add polling.
    schedule: false,
  });
  instance.on('error', (error: Error) => {
    console.error(`[pg-boss] ${error.message}`);
  });
  return instance;
}

export const pgBossPeer: PeerSystem = {
  name: 'pg-boss',
  packageName: 'pg-boss',
  store: 'postgres',
  settings: `insert() in batches of 1,000 with startAfter; per process ${String(WORKERS_PER_PROCESS)} × work({ batchSize: ${String(BATCH_SIZE)}, pollingIntervalSeconds: ${String(POLLING_INTERVAL_SECONDS)} }), ${String(IN_FLIGHT_PER_PROCESS / WORKERS_PER_PROCESS)} POSTs in flight each`,

  async openQueue(target) {
    const instance = boss(target.databaseUrl);
    await instance.start();
    await instance.createQueue(target.queue);
    return {
      enqueue: (jobs) =>
        enqueueInBatches(jobs, (batch) =>
          instance.insert(
            batch.map((job) => ({
              name: target.queue,
              data: job,
              startAfter: new Date(job.scheduledAtMs),
            })),
          ),
        ),
      close: () => instance.stop({ graceful: false, wait: true }),
    };
  },

  async startWorker(target, delivery) {
    const instance = boss(target.databaseUrl);
    await instance.start();
    const perWorker = IN_FLIGHT_PER_PROCESS / WORKERS_PER_PROCESS;
    for (let i = 0; i < WORKERS_PER_PROCESS; i++) {
      await instance.work<PeerJob>(
        target.queue,
        {
          batchSize: BATCH_SIZE,
          pollingIntervalSeconds: POLLING_INTERVAL_SECONDS,
        },
        (jobs) =>
          forEachLimited(jobs, perWorker, (job) => delivery.deliver(job.data)),
      );
    }
    return { stop: () => instance.stop({ graceful: true, wait: true }) };
  },
};
