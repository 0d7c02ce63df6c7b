import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import { IN_FLIGHT_PER_PROCESS, type PeerJob } from './peer-job';
import { enqueueInBatches, type PeerSystem } from './peer-system';

/**
 * graphile-worker's "performance" documentation for high throughput: a local queue (one
 * query locks a batch for the whole pool instead of one per job), batched completions,
 * and a pool well below the concurrency (the workers then need no connection of their
 * own). Jobs due in the future are found by polling (LISTEN only wakes it for jobs due
 * now): 500 ms instead of the default 2 s, as pg-boss's floor, at the cost of more polls.
 */
const LOCAL_QUEUE_SIZE = 500;
const COMPLETE_JOB_BATCH_DELAY_MS = 250;
const POLL_INTERVAL_MS = 500;
const MAX_POOL_SIZE = 20;
const TASK = 'post';

/** Warnings and errors only: its info line per job would cost more than the job here. */
const quiet = new Logger(() => (level, message) => {
  // LogLevel is a const enum of these strings.
  const name: string = level;
  if (name === 'error' || name === 'warning')
    console.error(`[graphile-worker] ${message}`);
});

export const graphileWorkerPeer: PeerSystem = {
  name: 'graphile-worker',
  packageName: 'graphile-worker',
  store: 'postgres',
  settings: `addJobs() in batches of 1,000 with runAt; per process run({ concurrency: ${String(IN_FLIGHT_PER_PROCESS)}, maxPoolSize: ${String(MAX_POOL_SIZE)}, pollInterval: ${String(POLL_INTERVAL_MS)} }) with localQueue.size ${String(LOCAL_QUEUE_SIZE)}, completeJobBatchDelay ${String(COMPLETE_JOB_BATCH_DELAY_MS)} ms`,

  async openQueue(target) {
    const utils = await makeWorkerUtils({
      connectionString: target.databaseUrl,
      logger: quiet,
    });
    await utils.migrate();
    return {
      enqueue: (jobs) =>
        enqueueInBatches(jobs, (batch) =>
          utils.addJobs(
            batch.map((job) => ({
              identifier: TASK,
              payload: job,
              runAt: new Date(job.scheduledAtMs),
            })),
          ),
        ),
      close: async () => {
        await utils.release();
      },
    };
  },

  async startWorker(target, delivery) {
    const runner = await run({
      connectionString: target.databaseUrl,
      concurrency: IN_FLIGHT_PER_PROCESS,
      maxPoolSize: MAX_POOL_SIZE,
      pollInterval: POLL_INTERVAL_MS,
      noHandleSignals: true,
      logger: quiet,
      preset: {
        worker: {
          localQueue: { size: LOCAL_QUEUE_SIZE },
          completeJobBatchDelay: COMPLETE_JOB_BATCH_DELAY_MS,
        },
      },
      taskList: {
        [TASK]: (payload) => delivery.deliver(payload as PeerJob),
      },
    });
    return { stop: () => runner.stop() };
  },
};
