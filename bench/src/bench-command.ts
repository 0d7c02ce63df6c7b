import { measureClaimCeilings } from './ceilings/claim-ceiling';
import { measureHttpCeilings } from './ceilings/http-ceiling';
import type { HarnessOptions } from './options';
import {
  BenchReport,
  ceilingsTable,
  renderBenchReport,
  runsTable,
  targetsTable,
  writeReport,
} from './report/bench-report';
import { Harness } from './runner/harness';
import { BenchCluster } from './infra/bench-cluster';
import {
  createMigratedDatabase,
  measureWorkload,
  RunEnvironment,
  RunResult,
  runWorkload,
} from './runner/run-workload';
import { brokePromise } from './stats/evaluate';
import { cronWorkload } from './workloads/cron';
import { burstWorkload, spreadWorkload } from './workloads/one-shots';
import { scaleWorkload } from './workloads/scale';
import type { Workload } from './workloads/workload';
import { resultsDir } from './infra/workspace';

/** Sizes of the full run (the issue's) and of the smoke run (seconds, for npm test). */
function workloads(
  smoke: boolean,
  hookUrl: string,
  burstWarmUp: number,
): Workload[] {
  if (smoke) {
    return [
      burstWorkload(200),
      spreadWorkload(200, 3_000),
      cronWorkload(20, 4_000),
      scaleWorkload(10_000, 100, 2_000, hookUrl),
    ];
  }
  return [
    burstWorkload(10_000, burstWarmUp),
    spreadWorkload(10_000, 60_000),
    cronWorkload(1_000, 60_000),
    scaleWorkload(0, 3_000, 10_000, hookUrl),
    scaleWorkload(1_000_000, 3_000, 10_000, hookUrl),
  ];
}

function selected(name: string, only: string[] | undefined): boolean {
  return !only || only.some((o) => name === o || name.startsWith(`${o}-`));
}

/**
 * The smoke run checks correctness in seconds: every workload, small, one after another
 * on ONE database and one cluster of two schedulers (starting processes per workload
 * would cost more than the workloads themselves).
 */
async function runSmoke(
  env: RunEnvironment,
  chosen: Workload[],
): Promise<RunResult[]> {
  const databaseUrl = await createMigratedDatabase(env.server, 'bench_smoke');
  const runs: RunResult[] = [];
  try {
    const cluster = await BenchCluster.start({
      databaseUrl,
      schedulerCount: 2,
      logDir: env.logRoot,
      logLevel: env.logLevel,
      schedulerEnv: env.schedulerEnv,
      cpuProfile: env.cpuProfile,
      schedulerMain: env.schedulerMain,
    });
    try {
      for (const workload of chosen) {
        env.log(`${workload.name} with 2 schedulers: ${workload.description}`);
        await workload.prepareDatabase?.(databaseUrl, env.log);
        runs.push(await measureWorkload(env, cluster, databaseUrl, workload));
      }
    } finally {
      await cluster.stop();
    }
  } finally {
    await env.server.dropDatabase(databaseUrl).catch(() => undefined);
  }
  return runs;
}

/** How this run was started, for the report. */
export function benchCommandLine(): string {
  return `node dist/bench/main.js bench ${process.argv.slice(3).join(' ')}`.trim();
}

/** What the runs of one `bench` command share. */
export function runEnvironment(
  harness: Harness,
  options: HarnessOptions,
): RunEnvironment {
  return {
    server: harness.server,
    receiverUsage: harness.receiverUsage,
    receiverClient: harness.receiverClient,
    clock: harness.clock,
    logRoot: harness.logRoot,
    logLevel: options.logLevel,
    schedulerEnv: options.schedulerEnv,
    cpuProfile: options.cpuProfile,
    schedulerMain: options.schedulerMain,
    creationSafety: options.smoke ? 2 : 1.5,
    creationRate: {},
    preparedDatabases: new Map(),
    log: harness.log,
  };
}

/** True when a run broke a promise or a process crashed: the command then exits non-zero. */
export function failed(run: RunResult): boolean {
  return (
    brokePromise(run.evaluation) ||
    run.unexpectedExits.length > 0 ||
    run.creation.failures > 0 ||
    run.evaluation.unexpected > 0
  );
}

/**
 * Runs `measure`, then closes the harness whatever happened. A failure does not escape:
 * it comes back as the problem "stopped early: …", so that a command still writes what
 * it measured before it (e.g. before a workload the API refused) and exits non-zero.
 */
export async function measureThenClose(
  harness: Harness,
  measure: () => Promise<void>,
): Promise<string[]> {
  try {
    await measure();
    return [];
  } catch (error) {
    return [
      `stopped early: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    ];
  } finally {
    await harness.close();
  }
}

export async function runBenchCommand(
  options: HarnessOptions,
): Promise<number> {
  const harness = await Harness.start('bench', options.externalDatabaseUrl);
  const { log } = harness;
  const report: BenchReport = {
    startedAt: harness.startedAt,
    machine: await harness.machine(),
    command: benchCommandLine(),
    runs: [],
    ceilings: {},
    wallSeconds: 0,
  };
  const env = runEnvironment(harness, options);
  log(
    `logs in ${harness.logRoot}; database ${harness.server.embedded ? 'embedded' : 'from TEST_DATABASE_URL'}`,
  );
  try {
    if (selected('ceilings-claim', options.only)) {
      const scratch = await createMigratedDatabase(
        harness.server,
        'bench_ceiling',
      );
      try {
        report.ceilings.claim = await measureClaimCeilings(
          scratch,
          options.smoke
            ? { claim: 1_000, plan: 1_000 }
            : { claim: 100_000, plan: 30_000 },
          harness.clock,
        );
      } finally {
        await harness.server.dropDatabase(scratch);
      }
    }
    if (selected('ceilings-http', options.only)) {
      report.ceilings.http = await measureHttpCeilings(
        harness.receiverClient.hookUrl,
        options.smoke ? 300 : 3_000,
      );
      await harness.receiverClient.reset();
    }
    if (report.ceilings.claim || report.ceilings.http)
      log(`ceilings:\n${ceilingsTable(report.ceilings)}`);
    const chosen = workloads(
      options.smoke,
      harness.receiverClient.hookUrl,
      options.burstWarmUp,
    ).filter((w) => selected(w.name, options.only));
    if (options.smoke) {
      report.runs.push(...(await runSmoke(env, chosen)));
    } else {
      for (const workload of chosen) {
        for (const n of options.schedulerCounts) {
          log(
            `${workload.name} with ${n} scheduler(s): ${workload.description}`,
          );
          report.runs.push(await runWorkload(env, workload, n));
        }
      }
    }
  } finally {
    for (const url of env.preparedDatabases.values())
      await harness.server.dropDatabase(url).catch(() => undefined);
    await harness.close();
  }
  report.wallSeconds = harness.elapsedSeconds();
  const name = `bench${options.smoke ? '-smoke' : ''}-${harness.stamp}`;
  const files = writeReport(
    resultsDir(),
    name,
    report,
    renderBenchReport(report),
  );
  console.log(
    `\n${runsTable(report.runs)}\n\n${ceilingsTable(report.ceilings)}\n\n${targetsTable(report)}\n`,
  );
  const failures = report.runs.filter(failed);
  for (const run of failures) {
    const e = run.evaluation;
    console.log(
      `BROKEN: ${run.workload}/${run.schedulers}: ${e.missing} missing, ${e.outsideBound} outside ±10 s, ${e.duplicatesWithDifferentKeys} duplicated under another key, ${e.unexpected} unexpected, ${run.creation.failures} creations failed, crashes: ${run.unexpectedExits.join('; ') || 'none'}`,
    );
  }
  console.log(`written: ${files.join(', ')}`);
  console.log(
    failures.length
      ? `bench: ${failures.length} run(s) broke a promise`
      : 'bench: every run kept its promises',
  );
  return failures.length ? 1 : 0;
}
