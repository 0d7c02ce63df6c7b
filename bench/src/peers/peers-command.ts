import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  type Clock,
  errorMessage,
  MAX_BATCH_SCHEDULES,
} from '@scheduleman/domain';
import {
  ApiClient,
  AppProcess,
  freePort,
  sleep,
  TEST_ADMIN_API_KEY,
  workspaceRoot,
} from '@scheduleman/testkit';
import { benchCommandLine, runEnvironment } from '../bench-command';
import { creationPhase } from '../creation/creation-command';
import { creationRoundProblems } from '../creation/creation-report';
import { cpuSeconds, treeCpuSeconds } from '../infra/proc-stats';
import { RedisServer } from '../infra/redis-server';
import { BenchCluster } from '../infra/bench-cluster';
import { monotonicMs } from '../infra/wait';
import { benchMain, resultsDir } from '../infra/workspace';
import type { HarnessOptions } from '../options';
import { writeReport } from '../report/bench-report';
import { Harness } from '../runner/harness';
import {
  awaitArrivals,
  createMigratedDatabase,
  deliveryRates,
  type RunEnvironment,
  saveRawData,
} from '../runner/run-workload';
import type { Evaluation, Expectation } from '../stats/evaluate';
import { burstDueTimes, spreadDueTimes } from '../workloads/one-shots';
import { iso, webhookTrigger } from '../workloads/workload';
import { cpuBetween, CpuSampler, measuredWindow } from './cpu-window';
import { peerJobs } from './peer-job';
import type { PeerSystem, PeerTarget } from './peer-system';
import { PEER_SYSTEMS } from './peer-systems';
import {
  creationFigures,
  creationTable,
  type PeerRun,
  peerProblems,
  type PeersReport,
  peersTable,
  renderPeersReport,
  SCHEDULEMAN,
  verdictsTable,
} from './peers-report';

/** One workload as every system runs it, each through its bulk API. */
interface PeerWorkload {
  name: 'burst' | 'spread';
  count: number;
  dueTimes: (firstDueMs: number) => number[];
  /** Fires before the measured ones, so they meet warm processes (see burstWorkload). */
  warmUp: number;
}

/**
 * The sizes; the smoke run (npm test) only checks that every system delivers
 * every job of a small burst with two processes each (several workers sharing one queue),
 * the spread differing only in its instants.
 */
function peerWorkloads(smoke: boolean, burstWarmUp: number): PeerWorkload[] {
  if (smoke)
    return [
      {
        name: 'burst',
        count: 100,
        dueTimes: burstDueTimes(100),
        warmUp: 20,
      },
    ];
  const burstCount = 10_000;
  const spreadCount = 10_000;
  const spreadMs = 60_000;
  return [
    {
      name: 'burst',
      count: burstCount,
      dueTimes: burstDueTimes(burstCount),
      warmUp: burstWarmUp,
    },
    {
      name: 'spread',
      count: spreadCount,
      dueTimes: spreadDueTimes(spreadCount, spreadMs),
      // At 167 fires/s a cold process keeps up.
      warmUp: 0,
    },
  ];
}

function installedVersion(packageName: string): string {
  const file = join(
    workspaceRoot(),
    'node_modules',
    packageName,
    'package.json',
  );
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string })
    .version;
}

interface PeerShared {
  env: RunEnvironment;
  redis: RedisServer;
  stamp: string;
  creationSafety: number;
}

/** Waits until `expected` deliveries arrived at the receiver, at most `timeoutMs`. */
/**
 * Waits (up to 30 s) for `count` warm-up deliveries, records a shortfall in `errors` as
 * "<n> warm-up <missing>", and resets the receiver for the measured workload.
 */
async function settleWarmUp(
  env: RunEnvironment,
  count: number,
  missing: string,
  errors: string[],
): Promise<void> {
  const arrived = await awaitRequests(env, count, 30_000);
  if (arrived < count)
    errors.push(`${String(count - arrived)} warm-up ${missing}`);
  await env.receiverClient.reset();
}

async function awaitRequests(
  env: RunEnvironment,
  expected: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = monotonicMs() + timeoutMs;
  for (;;) {
    const { occurrences } = await env.receiverClient.count();
    if (occurrences >= expected || monotonicMs() > deadline) return occurrences;
    await sleep(100);
  }
}

/** The first due time once `count` jobs are enqueued at `perSecond` (with the run's safety factor), on a whole second. */
function firstDueAfterEnqueue(
  shared: PeerShared,
  count: number,
  perSecond: number,
): number {
  const creationMs = (count / perSecond) * 1000 * shared.creationSafety;
  return (
    Math.ceil((shared.env.clock.now().getTime() + creationMs + 2_000) / 1000) *
    1000
  );
}

interface MeasuredDeliveries {
  evaluation: Evaluation;
  workerCpuSeconds: number;
  postgresCpuSeconds?: number;
  redisCpuSeconds?: number;
}

/**
 * Waits for the deliveries of an enqueued workload and counts the CPU of the worker (or
 * scheduler) processes, PostgreSQL and Redis over the same window for every system:
 * from the first due time to the last arrival, plus a fixed margin each side (see
 * measuredWindow), whatever each spent before (enqueueing, idle polling) or after.
 */
async function measureDeliveries(
  shared: PeerShared,
  workers: readonly AppProcess[],
  workload: { expectation: Expectation; lastDueMs: number },
): Promise<MeasuredDeliveries> {
  const { env, redis } = shared;
  const postmaster = env.server.postmasterPid();
  const pidCpu = (pid: number | undefined) =>
    pid === undefined ? undefined : cpuSeconds(pid);
  const sampler = new CpuSampler(
    [
      ...workers.map((w) => () => pidCpu(w.pid)),
      () => (postmaster ? treeCpuSeconds(postmaster) : undefined),
      () => pidCpu(redis.pid),
    ],
    env.clock,
  );
  const evaluation = await awaitArrivals(env, workload);
  const window = measuredWindow(evaluation, env.clock.now().getTime());
  const samples = await sampler.stopAfter(
    window?.toMs ?? env.clock.now().getTime(),
  );
  const over = (index: number) =>
    window ? cpuBetween(samples, index, window.fromMs, window.toMs) : undefined;
  return {
    evaluation,
    workerCpuSeconds: workers
      .map((_, i) => over(i) ?? 0)
      .reduce((a, b) => a + b, 0),
    postgresCpuSeconds: over(workers.length),
    redisCpuSeconds: over(workers.length + 1),
  };
}

/**
 * scheduleman's warm-up instants are at least this long after their batch is sent: with
 * the API's 5 s of accepted past, a batch may take 10 s to be validated (it took over 5 s
 * at load 30 on the 2-core machine).
 */
const WARM_UP_LEAD_MS = 5_000;

/**
 * `times` as one-shot schedules through POST /schedules/batch, MAX_BATCH_SCHEDULES a
 * request. With `notBefore` (the warm-up, which is not judged), each batch's instants are
 * moved to at least that long after it is sent: the API refuses an `at` more than 5 s
 * past, which a batch validated late on a loaded machine would otherwise be.
 */
async function createInBatches(
  api: ApiClient,
  hookUrl: string,
  name: string,
  times: readonly number[],
  notBefore?: { clock: Clock; leadMs: number },
): Promise<{ occurrences: Map<string, number[]>; perSecond: number }> {
  const occurrences = new Map<string, number[]>();
  const began = monotonicMs();
  for (let i = 0; i < times.length; i += MAX_BATCH_SCHEDULES) {
    const earliest = notBefore
      ? notBefore.clock.now().getTime() + notBefore.leadMs
      : Number.NEGATIVE_INFINITY;
    const slice = times
      .slice(i, i + MAX_BATCH_SCHEDULES)
      .map((at) => Math.max(at, earliest));
    const { items } = await api.createScheduleBatch(
      slice.map((at) => ({
        name: `${name}-${String(at)}`,
        schedule: { type: 'at', at: iso(at) },
        trigger: webhookTrigger(hookUrl),
      })),
    );
    items.forEach((schedule, j) => occurrences.set(schedule.id, [slice[j]]));
  }
  const perSecond = (times.length * 1000) / Math.max(1, monotonicMs() - began);
  return { occurrences, perSecond };
}

/**
 * scheduleman on one workload with N schedulers, in the peers' terms: a fresh database
 * and cluster, the warm-up delivered, the workload created through POST /schedules/batch
 * (as the peers use their bulk APIs) with the first due time placed the same way, and
 * measured over the same window.
 */
async function runScheduleman(
  shared: PeerShared,
  workload: PeerWorkload,
  processes: number,
): Promise<PeerRun> {
  const { env } = shared;
  const runName = `scheduleman-${workload.name}-${String(processes)}`;
  const databaseUrl = await createMigratedDatabase(
    env.server,
    'bench_scheduleman',
  );
  const errors: string[] = [];
  const cluster = await BenchCluster.start({
    databaseUrl,
    schedulerCount: processes,
    logDir: join(env.logRoot, runName),
    logLevel: env.logLevel,
    schedulerEnv: env.schedulerEnv,
    cpuProfile: env.cpuProfile,
    schedulerMain: env.schedulerMain,
  });
  const api = new ApiClient(cluster.apiUrl, { apiKey: TEST_ADMIN_API_KEY });
  try {
    await env.receiverClient.reset();
    const nowMs = () => env.clock.now().getTime();
    let perSecond = 2_000;
    if (workload.warmUp) {
      const start = nowMs() + 500;
      const warm = await createInBatches(
        api,
        env.receiverClient.hookUrl,
        'warm-up',
        Array.from({ length: workload.warmUp }, (_, i) => start + (i % 1000)),
        { clock: env.clock, leadMs: WARM_UP_LEAD_MS },
      );
      perSecond = warm.perSecond;
      await settleWarmUp(env, workload.warmUp, 'schedules never fired', errors);
    }
    const firstDueMs = firstDueAfterEnqueue(shared, workload.count, perSecond);
    const times = workload.dueTimes(firstDueMs);
    const created = await createInBatches(
      api,
      env.receiverClient.hookUrl,
      workload.name,
      times,
    );
    if (nowMs() > firstDueMs)
      errors.push('creation overran the first due time');
    env.log(
      `${runName}: created ${String(times.length)} at ${created.perSecond.toFixed(0)}/s`,
    );
    const measured = await measureDeliveries(shared, cluster.schedulers, {
      expectation: { occurrences: created.occurrences },
      lastDueMs: Math.max(...times),
    });
    await saveRawData(env, cluster, runName);
    const count = await env.receiverClient.count();
    env.log(
      `${runName}: ${String(measured.evaluation.received)}/${String(measured.evaluation.expected)} received, p99 ${String(measured.evaluation.latenessMs.p99)} ms`,
    );
    return {
      system: SCHEDULEMAN,
      workload: workload.name,
      processes,
      evaluation: measured.evaluation,
      ...deliveryRates(measured.evaluation),
      enqueuePerSecond: created.perSecond,
      enqueueMethod: `POST /schedules/batch, ${String(MAX_BATCH_SCHEDULES)} per request`,
      workerCpuSeconds: measured.workerCpuSeconds,
      postgresCpuSeconds: measured.postgresCpuSeconds,
      bodyBytesPerDelivery: count.requests
        ? count.bodyBytes / count.requests
        : undefined,
      errors: [...errors, ...cluster.unexpectedExits()],
    };
  } finally {
    await api.close();
    await cluster.stop();
    await env.server.dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/**
 * One peer on one workload with N worker processes: a fresh database (or queue), the
 * schema installed by the peer itself, the workers started as separate processes, the
 * warm-up delivered, then the workload enqueued through the bulk API at instants chosen
 * so that enqueueing ends before the first is due, and measured as scheduleman is.
 */
async function runPeer(
  shared: PeerShared,
  system: PeerSystem,
  workload: PeerWorkload,
  processes: number,
): Promise<PeerRun> {
  const { env, redis } = shared;
  const runName = `${system.name}-${workload.name}-${String(processes)}`;
  const log = (line: string) => {
    env.log(`${runName}: ${line}`);
  };
  const databaseUrl = await env.server.createDatabase(`bench_${system.name}`);
  const target: PeerTarget = {
    databaseUrl,
    redisUrl: redis.url,
    queue: `bench-${shared.stamp}-${runName}`,
  };
  const errors: string[] = [];
  const workers: AppProcess[] = [];
  mkdirSync(join(env.logRoot, runName), { recursive: true });
  const queue = await system.openQueue(target);
  try {
    for (let i = 1; i <= processes; i++) {
      const port = await freePort();
      workers.push(
        new AppProcess({
          name: `${system.name}-worker-${String(i)}`,
          main: benchMain(),
          args: [
            'peer-worker',
            `--system=${system.name}`,
            `--port=${String(port)}`,
            `--database-url=${target.databaseUrl}`,
            `--redis-url=${target.redisUrl}`,
            `--queue=${target.queue}`,
            `--hook-url=${env.receiverClient.hookUrl}`,
          ],
          port,
          readyPath: '/health',
          logFile: join(env.logRoot, runName, `worker-${String(i)}.log`),
        }).start(),
      );
    }
    await Promise.all(workers.map((w) => w.waitReady()));
    await env.receiverClient.reset();
    const nowMs = () => env.clock.now().getTime();
    // Enqueue speed from the warm-up (or a first guess), to place the first due time.
    let perSecond = 2_000;
    if (workload.warmUp) {
      const start = nowMs() + 500;
      const warm = peerJobs(
        'warm-up',
        Array.from({ length: workload.warmUp }, (_, i) => start + (i % 1000)),
      );
      const began = monotonicMs();
      await queue.enqueue(warm);
      perSecond = (warm.length * 1000) / Math.max(1, monotonicMs() - began);
      await settleWarmUp(env, warm.length, 'jobs never arrived', errors);
    }
    const firstDueMs = firstDueAfterEnqueue(shared, workload.count, perSecond);
    const jobs = peerJobs(workload.name, workload.dueTimes(firstDueMs));
    const began = monotonicMs();
    await queue.enqueue(jobs);
    const enqueuePerSecond =
      (jobs.length * 1000) / Math.max(1, monotonicMs() - began);
    if (nowMs() > firstDueMs)
      errors.push('enqueueing overran the first due time');
    log(`enqueued ${String(jobs.length)} at ${enqueuePerSecond.toFixed(0)}/s`);
    const expectation: Expectation = {
      occurrences: new Map(jobs.map((j) => [j.id, [j.scheduledAtMs]])),
    };
    const measured = await measureDeliveries(shared, workers, {
      expectation,
      lastDueMs: Math.max(...jobs.map((j) => j.scheduledAtMs)),
    });
    const { evaluation } = measured;
    const count = await env.receiverClient.count();
    log(
      `${String(evaluation.received)}/${String(evaluation.expected)} received, p99 ${String(evaluation.latenessMs.p99)} ms`,
    );
    return {
      system: system.name,
      workload: workload.name,
      processes,
      evaluation,
      ...deliveryRates(evaluation),
      enqueuePerSecond,
      enqueueMethod: `${system.name} bulk API, batches of 1,000`,
      workerCpuSeconds: measured.workerCpuSeconds,
      postgresCpuSeconds: measured.postgresCpuSeconds,
      redisCpuSeconds:
        system.store === 'redis' ? measured.redisCpuSeconds : undefined,
      bodyBytesPerDelivery: count.requests
        ? count.bodyBytes / count.requests
        : undefined,
      errors: [...errors, ...workers.flatMap((w) => w.unexpectedExits)],
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    for (const w of workers) w.log.close();
    await queue.close().catch((error: unknown) => {
      log(`closing the queue: ${errorMessage(error)}`);
    });
    await env.server.dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/** A peer's run, or a row saying why it stopped (the other systems still run). */
async function runOrRecord(
  shared: PeerShared,
  system: string,
  workload: PeerWorkload,
  processes: number,
  run: () => Promise<PeerRun>,
): Promise<PeerRun> {
  try {
    return await run();
  } catch (error) {
    shared.env.log(`${system}: ${errorMessage(error)}`);
    return {
      system,
      workload: workload.name,
      processes,
      evaluation: {
        expected: workload.count,
        received: 0,
        missing: workload.count,
        missingSample: [],
        unexpected: 0,
        foreign: 0,
        duplicateDeliveries: 0,
        duplicatesWithDifferentKeys: 0,
        latenessMs: { count: 0 },
        outsideBound: 0,
      },
      enqueueMethod: '-',
      workerCpuSeconds: 0,
      errors: [`stopped: ${errorMessage(error)}`],
    };
  }
}

/**
 * `npm run bench -- --peers [--smoke]` (issue 14): scheduleman and each peer on the same
 * workloads, the same PostgreSQL (durable: fsync and synchronous_commit on), the same
 * receiver and machine, one after the other in one run, each with 1 and 3 processes.
 * Prints every figure as a ratio to the best peer's in the same configuration.
 */
export async function runPeersCommand(
  options: HarnessOptions,
): Promise<number> {
  const names = [SCHEDULEMAN, ...PEER_SYSTEMS.map((s) => s.name)];
  const unknown = options.systems?.filter((n) => !names.includes(n)) ?? [];
  if (unknown.length)
    throw new Error(
      `--systems: unknown ${unknown.join(', ')}; known: ${names.join(', ')}`,
    );
  // Always a server of our own: its durability is known and its CPU can be read.
  const harness = await Harness.start('bench', undefined, { durable: true });
  const env = runEnvironment(harness, options);
  const report: PeersReport = {
    startedAt: harness.startedAt,
    machine: await harness.machine(),
    command: benchCommandLine(),
    wallSeconds: 0,
    peers: PEER_SYSTEMS.map((s) => ({
      name: s.name,
      version: installedVersion(s.packageName),
      settings: s.settings,
    })),
    runs: [],
    creations: [],
  };
  harness.log(`peers; logs in ${harness.logRoot}`);
  const name = `peers${options.smoke ? '-smoke' : ''}-${harness.stamp}`;
  const creationFailures: string[] = [];
  const allProblems = () => [
    ...report.runs.flatMap(peerProblems),
    ...creationFailures.map((p) => `scheduleman creation: ${p}`),
  ];
  // Written after every run too, so that an interrupted run leaves what it measured.
  const writePartial = () => {
    const problems = allProblems();
    report.wallSeconds = harness.elapsedSeconds();
    return writeReport(
      resultsDir(),
      name,
      { ...report, problems },
      renderPeersReport(report, problems),
    );
  };
  let redis: RedisServer | undefined;
  try {
    redis = await RedisServer.start();
    const shared: PeerShared = {
      env,
      redis,
      stamp: harness.stamp.slice(11, 19).toLowerCase(),
      creationSafety: env.creationSafety,
    };
    const workloads = peerWorkloads(options.smoke, options.burstWarmUp).filter(
      (w) => !options.only || options.only.includes(w.name),
    );
    const counts = options.smoke ? [2] : options.schedulerCounts;
    const runs = (name: string) =>
      !options.systems || options.systems.includes(name);
    const peers = PEER_SYSTEMS.filter((s) => runs(s.name));
    for (const workload of workloads) {
      for (const n of counts) {
        harness.log(`${workload.name} with ${String(n)} process(es)`);
        // The peers first: on a machine this shared, a run cut short keeps their figures.
        for (const system of peers) {
          report.runs.push(
            await runOrRecord(shared, system.name, workload, n, () =>
              runPeer(shared, system, workload, n),
            ),
          );
          writePartial();
        }
        if (runs(SCHEDULEMAN)) {
          report.runs.push(
            await runOrRecord(shared, SCHEDULEMAN, workload, n, () =>
              runScheduleman(shared, workload, n),
            ),
          );
          writePartial();
        }
      }
    }
    if (runs(SCHEDULEMAN)) {
      harness.log('creation: bulk and single, alternated');
      try {
        const { rounds, batchSize } = await creationPhase(env, options.smoke);
        report.creations.push(...creationFigures(rounds, batchSize));
        creationFailures.push(...creationRoundProblems(rounds));
      } catch (error) {
        creationFailures.push(`stopped: ${errorMessage(error)}`);
      }
      writePartial();
    }
  } finally {
    for (const url of env.preparedDatabases.values())
      await harness.server.dropDatabase(url).catch(() => undefined);
    await redis?.stop();
    await harness.close();
  }
  report.machine['load average at end (1/5/15 min)'] = loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
  const problems = allProblems();
  const files = writePartial();
  console.log(
    `\n${peersTable(report.runs)}\n\n${verdictsTable(report.runs, report.creations)}\n\n${creationTable(report)}\n`,
  );
  for (const problem of problems) console.log(`BROKEN: ${problem}`);
  console.log(`written: ${files.join(', ')}`);
  console.log(
    problems.length
      ? `bench: ${String(problems.length)} problem(s), the figures are not to be trusted`
      : 'bench: every system delivered every job',
  );
  return problems.length ? 1 : 0;
}
