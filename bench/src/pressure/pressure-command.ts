import { BenchCluster } from '../infra/bench-cluster';
import { resultsDir } from '../infra/workspace';
import type { HarnessOptions } from '../options';
import { writeReport } from '../report/bench-report';
import { fmt, fmtMs, markdownTable } from '../report/table';
import { Harness } from '../runner/harness';
import { createMigratedDatabase } from '../runner/run-workload';
import { drainHerd, type HerdDrain } from './herd-drain';
import { HERD, HERD_SMOKE } from './pressure-plan';

/** One herd drained with one scheduler count, and the processes that exited unasked. */
export interface PressureRun extends HerdDrain {
  /** Scheduler or API exits nobody asked for. */
  crashes: string[];
}

/**
 * `npm run bench -- --herd`: 100,000 one-shots plus 10,000 second-crons due in one
 * second, drained by each `--schedulers` count on a fresh database. Reports missed
 * occurrences, occurrences under two keys, repeats (same key), lateness, drain time,
 * fires/s, statements and CPU per fire. Exits non-zero on a miss, an occurrence under
 * two keys or a crash (lateness is measured here, judged by `chaos --overload`).
 */
export async function runPressureCommand(
  options: HarnessOptions,
): Promise<number> {
  const plan = options.smoke ? HERD_SMOKE : HERD;
  const harness = await Harness.start(plan.name, options.externalDatabaseUrl);
  const machine = await harness.machine();
  const runs: PressureRun[] = [];
  const failed: number[] = [];
  try {
    for (const schedulers of options.schedulerCounts) {
      try {
        runs.push(await runOnce(harness, schedulers, options));
      } catch (error) {
        // One configuration failing to start (a machine too busy) keeps the others' figures.
        if (options.schedulerCounts.length === 1) throw error;
        harness.log(`${plan.name}-${schedulers}: FAILED: ${String(error)}`);
        failed.push(schedulers);
      }
    }
  } finally {
    await harness.close();
  }
  const broken = [...runs.filter((r) => brokeHerdPromise(r)), ...failed];
  const markdown = [
    `# scheduleman ${plan.name} run, ${harness.startedAt}`,
    Object.entries(machine)
      .map(([k, v]) => `- ${k}: ${v}`)
      .join('\n'),
    `Plan: ${JSON.stringify(plan)}`,
    `## Result\n\n${pressureTable(runs)}`,
    `## Scheduler counters (summed)\n\n${countersTable(runs)}`,
    `## Top statements\n\n${topStatements(runs)}`,
  ].join('\n\n');
  const files = writeReport(
    resultsDir(),
    `${plan.name}${options.smoke ? '-smoke' : ''}-${harness.stamp}`,
    { startedAt: harness.startedAt, machine, plan, runs },
    markdown,
  );
  console.log(
    `\n${pressureTable(runs)}\n\n${countersTable(runs)}\nwritten: ${files.join(', ')}`,
  );
  console.log(
    broken.length
      ? `${plan.name}: a promise was BROKEN`
      : `${plan.name}: every promise kept`,
  );
  return broken.length ? 1 : 0;
}

/** Missed, under two keys, or a crash. */
export function brokeHerdPromise(run: PressureRun): boolean {
  const e = run.evaluation;
  return (
    e.missing > 0 || e.duplicatesWithDifferentKeys > 0 || run.crashes.length > 0
  );
}

async function runOnce(
  harness: Harness,
  schedulers: number,
  options: HarnessOptions,
): Promise<PressureRun> {
  const plan = options.smoke ? HERD_SMOKE : HERD;
  const name = `${plan.name}-${schedulers}`;
  const databaseUrl = await createMigratedDatabase(
    harness.server,
    `bench_${plan.name}`,
  );
  await harness.receiverClient.reset();
  const cluster = await BenchCluster.start({
    databaseUrl,
    schedulerCount: schedulers,
    logDir: `${harness.logRoot}/${name}`,
    logLevel: options.logLevel,
    schedulerEnv: options.schedulerEnv,
    schedulerMain: options.schedulerMain,
    cpuProfile: options.cpuProfile,
  });
  try {
    const drain = await drainHerd(
      { harness, cluster, databaseUrl, name },
      { ...plan, phase: 'herd', tag: 'bench-herd' },
    );
    return { ...drain, crashes: cluster.unexpectedExits() };
  } finally {
    await cluster.stop();
    await harness.server.dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/** One row per drain: correctness, lateness, rate, cost. */
export function pressureTable(drains: readonly HerdDrain[]): string {
  return markdownTable(
    [
      'sched',
      'burst',
      'expected',
      'missed',
      'under two keys',
      'repeats (same key)',
      'of which retries',
      'p50',
      'p99',
      'max',
      'late > 10 s',
      'drain',
      'fires/s',
      'work at that rate',
      'stmts/fire',
      'sched CPU ms/fire',
      'CPU s sched/pg',
    ],
    drains.map((r) => {
      const e = r.evaluation;
      const l = e.latenessMs;
      return [
        String(r.schedulers),
        r.phase,
        String(r.expected),
        String(e.missing),
        String(e.duplicatesWithDifferentKeys),
        String(e.duplicateDeliveries),
        String(r.retryDeliveries),
        fmtMs(l.p50),
        fmtMs(l.p99),
        fmtMs(l.max),
        String(e.outsideBound),
        `${(r.drainMs / 1000).toFixed(2)} s`,
        fmt(r.firesPerSecond),
        `${r.workSeconds.toFixed(1)} s`,
        r.statementsPerFire === undefined
          ? '-'
          : r.statementsPerFire.toFixed(3),
        r.schedulerCpuMsPerFire.toFixed(3),
        `${r.schedulerCpuSeconds.toFixed(1)}/${r.postgresCpuSeconds === undefined ? '-' : r.postgresCpuSeconds.toFixed(1)}`,
      ];
    }),
  );
}

export function countersTable(drains: readonly HerdDrain[]): string {
  const names = [...new Set(drains.flatMap((r) => Object.keys(r.counters)))];
  return markdownTable(
    ['sched', 'burst', ...names.map((n) => n.replace('scheduleman_', ''))],
    drains.map((r) => [
      String(r.schedulers),
      r.phase,
      ...names.map((n) => fmt(r.counters[n])),
    ]),
  );
}

export function topStatements(drains: readonly HerdDrain[]): string {
  return drains
    .map(
      (r) =>
        `- ${r.schedulers} scheduler(s), ${r.phase}: ${r.topStatements.map((s) => `${s.name} ${s.calls} calls ${s.totalMs.toFixed(0)} ms`).join('; ')}`,
    )
    .join('\n');
}
