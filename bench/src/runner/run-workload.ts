import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { Clock } from '@scheduleman/domain';
import {
  createDataSource,
  runMigrations,
} from '@scheduleman/domain/persistence';
import { ApiClient, sleep, TEST_ADMIN_API_KEY } from '@scheduleman/testkit';
import { BenchCluster } from '../infra/bench-cluster';
import type { DatabaseServer } from '../infra/database-server';
import { treeCpuSeconds } from '../infra/proc-stats';
import { StatementStats, StatementSummary } from '../infra/statement-stats';
import type { ProcessUsage, UsageMeter } from '../infra/usage-meter';
import { monotonicMs } from '../infra/wait';
import type { ReceiverClient } from '../receiver/receiver-client';
import { Evaluation, evaluate } from '../stats/evaluate';
import type { CreationStats, Workload } from '../workloads/workload';

/** Everything shared by the runs of one command. */
export interface RunEnvironment {
  server: DatabaseServer;
  receiverUsage: UsageMeter;
  receiverClient: ReceiverClient;
  clock: Clock;
  logRoot: string;
  logLevel: string;
  schedulerEnv: Record<string, string>;
  cpuProfile: boolean;
  /** See HarnessOptions.schedulerMain. */
  schedulerMain: string | undefined;
  /** See WorkloadContext. */
  creationSafety: number;
  creationRate: { perSecond?: number };
  /** Prepared databases of workloads with `reuseDatabase`, by workload name. */
  preparedDatabases: Map<string, string>;
  log: (line: string) => void;
}

export interface RunResult {
  workload: string;
  description: string;
  schedulers: number;
  creation: CreationStats;
  evaluation: Evaluation;
  /** Judged fires per second between the first and the last arrival. */
  firesPerSecond?: number;
  /** From the first due time to the last arrival, in ms. */
  drainMs?: number;
  /** pg_stat_statements over the measured interval, when available. */
  statements?: StatementSummary;
  statementsPerFire?: number;
  /** pg_stat_statements while the API created the workload (includes the pilot, if any). */
  creationStatements?: StatementSummary;
  statementsPerCreation?: number;
  /** CPU over the measured interval; peak RSS over the process's life. */
  processes: ProcessUsage[];
  unexpectedExits: string[];
}

/**
 * The receiver's per-occurrence data and each scheduler's /metrics at the end of a run,
 * next to the run's logs, for analysis after the fact (lateness over time, which
 * scheduler held what, leases recovered, outcomes discarded).
 */
export async function saveRawData(
  env: RunEnvironment,
  cluster: BenchCluster,
  runName: string,
): Promise<void> {
  const dir = join(env.logRoot, runName);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'receiver-occurrences.json'),
    JSON.stringify(await env.receiverClient.stats()),
  );
  for (const scheduler of cluster.schedulers) {
    try {
      const response = await request(scheduler.url('/metrics'), {
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      writeFileSync(
        join(dir, `${scheduler.name}.metrics.txt`),
        await response.body.text(),
      );
    } catch (error) {
      env.log(
        `${runName}: no /metrics from ${scheduler.name}: ${String(error)}`,
      );
    }
  }
}

/** How long after the last due time the harness keeps waiting for stragglers. */
const STRAGGLER_WAIT_MS = 15_000;

/** A fresh database with the schema applied the way the apps apply it. */
export async function createMigratedDatabase(
  server: DatabaseServer,
  name: string,
): Promise<string> {
  const url = await server.createDatabase(name);
  const dataSource = createDataSource({
    url,
    applicationName: 'bench:migrate',
  });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  return url;
}

async function migratedDatabase(
  env: RunEnvironment,
  workload: Workload,
): Promise<{ url: string; drop: boolean }> {
  const reused = env.preparedDatabases.get(workload.name);
  if (reused) return { url: reused, drop: false };
  const url = await createMigratedDatabase(
    env.server,
    `bench_${workload.name}`,
  );
  await workload.prepareDatabase?.(url, env.log);
  if (workload.reuseDatabase) env.preparedDatabases.set(workload.name, url);
  return { url, drop: !workload.reuseDatabase };
}

/** Waits past the last due time until nothing is missing, or the straggler wait ends. */
export async function awaitArrivals(
  env: RunEnvironment,
  workload: { lastDueMs: number; expectation: Parameters<typeof evaluate>[0] },
): Promise<Evaluation> {
  const nowMs = () => env.clock.now().getTime();
  while (nowMs() < workload.lastDueMs + 500)
    await sleep(Math.min(1_000, workload.lastDueMs + 500 - nowMs()));
  for (;;) {
    const evaluation = evaluate(
      workload.expectation,
      await env.receiverClient.stats(),
    );
    if (
      evaluation.missing === 0 ||
      nowMs() > workload.lastDueMs + STRAGGLER_WAIT_MS
    )
      return evaluation;
    await sleep(1_000);
  }
}

/**
 * Judged fires per second between the first and the last arrival, and the drain: from
 * the first due time to the last arrival (ms).
 */
export function deliveryRates(evaluation: Evaluation): {
  firesPerSecond?: number;
  drainMs?: number;
} {
  const { firstDueMs, firstArrivalMs, lastArrivalMs } = evaluation;
  const activeSeconds =
    firstArrivalMs !== undefined && lastArrivalMs !== undefined
      ? (lastArrivalMs - firstArrivalMs) / 1000
      : 0;
  return {
    firesPerSecond:
      activeSeconds > 0 ? evaluation.received / activeSeconds : undefined,
    drainMs:
      firstDueMs !== undefined && lastArrivalMs !== undefined
        ? lastArrivalMs - firstDueMs
        : undefined,
  };
}

/**
 * One run: a database, the API and N schedulers started fresh, then `measureWorkload`.
 */
export async function runWorkload(
  env: RunEnvironment,
  workload: Workload,
  schedulerCount: number,
): Promise<RunResult> {
  const database = await migratedDatabase(env, workload);
  try {
    const cluster = await BenchCluster.start({
      databaseUrl: database.url,
      schedulerCount,
      logDir: join(env.logRoot, `${workload.name}-${schedulerCount}`),
      logLevel: env.logLevel,
      schedulerEnv: env.schedulerEnv,
      cpuProfile: env.cpuProfile,
      schedulerMain: env.schedulerMain,
    });
    try {
      return await measureWorkload(env, cluster, database.url, workload);
    } finally {
      await cluster.stop();
    }
  } finally {
    if (database.drop)
      await env.server.dropDatabase(database.url).catch(() => undefined);
  }
}

/**
 * The workload created through the API of a running cluster, then measured from the
 * moment creation ended until every expected occurrence arrived (or the straggler wait
 * ran out): CPU, pg_stat_statements and deliveries over that interval.
 */
export async function measureWorkload(
  env: RunEnvironment,
  cluster: BenchCluster,
  databaseUrl: string,
  workload: Workload,
): Promise<RunResult> {
  const schedulerCount = cluster.schedulers.length;
  const runName = `${workload.name}-${schedulerCount}`;
  const statements = await StatementStats.open(databaseUrl);
  await env.receiverClient.reset();
  const api = new ApiClient(cluster.apiUrl, { apiKey: TEST_ADMIN_API_KEY });
  try {
    await statements?.reset();
    const created = await workload.create({
      api,
      hookUrl: env.receiverClient.hookUrl,
      clock: env.clock,
      creationSafety: env.creationSafety,
      creationRate: env.creationRate,
      log: env.log,
    });
    env.log(
      `${runName}: created ${created.creation.count} schedules at ${created.creation.perSecond.toFixed(0)}/s` +
        (created.creation.failures
          ? ` (${created.creation.failures} failed: ${created.creation.firstFailure})`
          : '') +
        (created.creation.retried
          ? ` (${created.creation.retried} retried after: ${created.creation.firstRetried})`
          : '') +
        (created.creation.overranDue
          ? ' (creation overran the first due time)'
          : ''),
    );
    const creationStatements = await statements?.summary();
    // The measured interval starts here: CPU, statements and deliveries from now on.
    await statements?.reset();
    cluster.markCpu();
    env.receiverUsage.mark();
    const postmaster = env.server.postmasterPid();
    const pgCpuBefore = postmaster ? treeCpuSeconds(postmaster) : undefined;
    const requestsBefore = (await env.receiverClient.count()).requests;
    const started = monotonicMs();

    const evaluation = await awaitArrivals(env, created);

    const requestsDuring =
      (await env.receiverClient.count()).requests - requestsBefore;
    await saveRawData(env, cluster, runName);
    const pgCpuAfter = postmaster ? treeCpuSeconds(postmaster) : undefined;
    const processes = [...cluster.usage(), env.receiverUsage.usage()];
    if (pgCpuBefore !== undefined && pgCpuAfter !== undefined)
      processes.push({
        name: 'postgres',
        cpuSeconds: pgCpuAfter - pgCpuBefore,
        peakRssMb: 0,
      });
    const statementSummary = await statements?.summary();
    env.log(
      `${runName}: measured for ${((monotonicMs() - started) / 1000).toFixed(1)} s, ${evaluation.received}/${evaluation.expected} received, ${evaluation.missing} missing`,
    );
    return {
      workload: workload.name,
      description: workload.description,
      schedulers: schedulerCount,
      creation: created.creation,
      evaluation,
      ...deliveryRates(evaluation),
      statements: statementSummary,
      creationStatements,
      // Schedulers poll during creation too; their share is small next to one insert per schedule.
      statementsPerCreation:
        creationStatements && created.creation.count > 0
          ? creationStatements.calls / created.creation.count
          : undefined,
      statementsPerFire:
        statementSummary && requestsDuring > 0
          ? statementSummary.calls / requestsDuring
          : undefined,
      processes,
      unexpectedExits: cluster.unexpectedExits(),
    };
  } finally {
    await api.close();
  }
}
