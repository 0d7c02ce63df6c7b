import type { PeerDelivery, PeerJob } from './peer-job';

/** Where a peer keeps its jobs for one run: a fresh database, or a fresh queue on Redis. */
export interface PeerTarget {
  databaseUrl: string;
  redisUrl: string;
  queue: string;
}

/** The harness's side of a peer: its schema installed, jobs enqueued through its bulk API. */
export interface PeerQueue {
  enqueue(jobs: readonly PeerJob[]): Promise<void>;
  close(): Promise<void>;
}

/** A peer's workers in one child process. */
export interface PeerWorker {
  stop(): Promise<void>;
}

/**
 * One of the job queues scheduleman is compared with (`npm run bench -- --peers`). Each
 * runs with its documented API and the settings its documentation gives for throughput;
 * `settings` says which, for the report (bench/README.md says why).
 */
export interface PeerSystem {
  readonly name: string;
  /** Its npm package, whose installed version the report prints. */
  readonly packageName: string;
  /** Which server holds its jobs (its CPU is counted per fire). */
  readonly store: 'postgres' | 'redis';
  readonly settings: string;
  openQueue(target: PeerTarget): Promise<PeerQueue>;
  startWorker(target: PeerTarget, delivery: PeerDelivery): Promise<PeerWorker>;
}

/** Enqueued in slices of this size: one bulk call each (as a creator with a large list would). */
export const ENQUEUE_BATCH = 1_000;

export async function enqueueInBatches(
  jobs: readonly PeerJob[],
  insert: (batch: readonly PeerJob[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < jobs.length; i += ENQUEUE_BATCH)
    await insert(jobs.slice(i, i + ENQUEUE_BATCH));
}
