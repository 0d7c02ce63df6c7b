import { type ChildProcess, spawn } from 'node:child_process';
import { sleep } from '@scheduleman/testkit';
import { request } from 'undici';
import { BenchCluster } from '../infra/bench-cluster';
import { treeCpuSeconds } from '../infra/proc-stats';
import { StatementStats } from '../infra/statement-stats';
import { resultsDir } from '../infra/workspace';
import type { HarnessOptions } from '../options';
import { writeReport } from '../report/bench-report';
import { fmt, fmtMs, markdownTable } from '../report/table';
import { Harness } from '../runner/harness';
import { createMigratedDatabase } from '../runner/run-workload';
import {
  evaluate,
  type Evaluation,
  type Expectation,
  ON_TIME_BOUND_MS,
} from '../stats/evaluate';
import { insertHerd } from './herd-insert';
import {
  HERD,
  HERD_SMOKE,
  OVERLOAD,
  OVERLOAD_SMOKE,
  type PressurePlan,
} from './pressure-plan';

/** Rows a bulk insert is assumed to manage per second when choosing the due second. */
const INSERT_ROWS_PER_SECOND = 10_000;

/** The scheduler counters that tell how the herd was shared out and what went wrong. */
const COUNTERS = [
  'scheduleman_held_released_total',
  'scheduleman_held_dropped_total',
  'scheduleman_leases_recovered_total',
  'scheduleman_outcomes_discarded_total',
  'scheduleman_fire_rate_per_second',
] as const;

export interface PressureRun {
  schedulers: number;
  expected: number;
  evaluation: Evaluation;
  /** Deliveries received (first ones and repeats). */
  deliveries: number;
  /** Last arrival minus the due second. */
  drainMs: number;
  /** Judged occurrences / (last arrival − due second): the cluster's measured rate. */
  firesPerSecond: number;
  /** The herd's size in seconds of that rate: ≤ 10 s means "below the cluster's capacity". */
  workSeconds: number;
  statementsPerFire: number | undefined;
  topStatements: { name: string; calls: number; totalMs: number }[];
  schedulerCpuSeconds: number;
  postgresCpuSeconds: number | undefined;
  /** Scheduler CPU ms per fire (all scheduler processes). */
  schedulerCpuMsPerFire: number;
  /** Summed over the schedulers, from each one's /metrics at the end (rates per scheduler). */
  counters: Record<string, number>;
  /** Scheduler or API exits nobody asked for. */
  crashes: string[];
}

/**
 * `npm run chaos -- --overload` and `npm run bench -- --herd`: a herd due in one second,
 * drained by N scheduler processes (3 for overload, `--schedulers` for the herd), with a
 * CPU hog for the overload. Reports missed occurrences, occurrences under two keys,
 * repeats (same key), lateness, drain time, fires/s, statements and CPU per fire. Exits
 * non-zero when a promise broke: a miss, an occurrence under two keys, or lateness over
 * 10 s while the herd was within what the cluster fires in 10 s at its measured rate.
 */
export async function runPressureCommand(
  options: HarnessOptions,
  mode: 'overload' | 'herd',
): Promise<number> {
  const plan =
    mode === 'overload'
      ? options.smoke
        ? OVERLOAD_SMOKE
        : OVERLOAD
      : options.smoke
        ? HERD_SMOKE
        : HERD;
  const counts = mode === 'overload' ? [3] : options.schedulerCounts;
  const harness = await Harness.start(plan.name, options.externalDatabaseUrl);
  const machine = await harness.machine();
  const runs: PressureRun[] = [];
  const failed: number[] = [];
  try {
    for (const schedulers of counts) {
      try {
        runs.push(await runOnce(harness, plan, schedulers, options));
      } catch (error) {
        // One configuration failing to start (a machine too busy) keeps the others' figures.
        if (counts.length === 1) throw error;
        harness.log(`${plan.name}-${schedulers}: FAILED: ${String(error)}`);
        failed.push(schedulers);
      }
    }
  } finally {
    await harness.close();
  }
  const broken = [...runs.filter((r) => brokePressurePromise(r)), ...failed];
  const markdown = [
    `# scheduleman ${plan.name} run, ${harness.startedAt}`,
    Object.entries(machine)
      .map(([k, v]) => `- ${k}: ${v}`)
      .join('\n'),
    `Plan: ${JSON.stringify(plan)}`,
    `## Result\n\n${pressureTable(runs)}`,
    `## Scheduler counters (summed)\n\n${countersTable(runs)}`,
    `## Top statements\n\n${runs.map((r) => `- ${r.schedulers} scheduler(s): ${r.topStatements.map((s) => `${s.name} ${s.calls} calls ${s.totalMs.toFixed(0)} ms`).join('; ')}`).join('\n')}`,
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

/** Missed, under two keys, a crash, or late beyond 10 s while within capacity. */
export function brokePressurePromise(run: PressureRun): boolean {
  const e = run.evaluation;
  return (
    e.missing > 0 ||
    e.duplicatesWithDifferentKeys > 0 ||
    run.crashes.length > 0 ||
    (e.outsideBound > 0 && run.workSeconds * 1_000 <= ON_TIME_BOUND_MS)
  );
}

async function runOnce(
  harness: Harness,
  plan: PressurePlan,
  schedulers: number,
  options: HarnessOptions,
): Promise<PressureRun> {
  const { log, clock } = harness;
  const nowMs = () => clock.now().getTime();
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
  const hogs: ChildProcess[] = [];
  try {
    const total = plan.oneShots + plan.crons;
    const dueMs =
      Math.ceil(
        (nowMs() + plan.leadMs + (total * 1_000) / INSERT_ROWS_PER_SECOND) /
          1_000,
      ) * 1_000;
    const herd = await insertHerd(
      databaseUrl,
      plan,
      dueMs,
      harness.receiverClient.hookUrl,
    );
    const aheadMs = dueMs - nowMs();
    if (aheadMs < 2_000)
      log(
        `${name}: WARNING the insert overran: the herd is planned late (${(aheadMs / 1000).toFixed(1)} s ahead), and its lateness includes the overrun`,
      );
    log(
      `${name}: inserted ${herd.oneShotIds.length} one-shots and ${herd.cronIds.length} crons due at ${new Date(dueMs).toISOString()} (${(aheadMs / 1000).toFixed(1)} s ahead)`,
    );
    const occurrences = new Map<string, number[]>();
    for (const id of [...herd.oneShotIds, ...herd.cronIds])
      occurrences.set(id, [dueMs]);
    // The crons fire again a day later: judge their first occurrence only.
    const expectation: Expectation = {
      occurrences,
      window: { fromMs: dueMs, toMs: dueMs + 1_000 },
    };
    const stats = await StatementStats.open(databaseUrl);
    // Measured from shortly before the herd (the planner takes it 1.5 s ahead).
    const markAtMs = dueMs - 2_500;
    if (nowMs() < markAtMs) await sleep(markAtMs - nowMs());
    if (plan.hogs > 0) {
      for (let i = 0; i < plan.hogs; i++) hogs.push(startHog(plan.hogMs));
      log(
        `${name}: started ${plan.hogs} CPU hog(s) for ${plan.hogMs / 1000} s`,
      );
    }
    await stats?.reset();
    cluster.markCpu();
    const postmaster = harness.server.postmasterPid();
    const pgBefore = postmaster ? treeCpuSeconds(postmaster) : undefined;

    let evaluation = evaluate(
      expectation,
      await harness.receiverClient.stats(),
    );
    let deliveries = 0;
    let lastLogMs = nowMs();
    while (nowMs() < dueMs + plan.drainLimitMs) {
      await sleep(500);
      const count = await harness.receiverClient.count();
      deliveries = count.requests;
      if (count.occurrences >= total) break;
      if (nowMs() - lastLogMs >= 10_000) {
        lastLogMs = nowMs();
        log(`${name}: ${count.occurrences} of ${total} occurrences arrived`);
      }
    }
    const usage = cluster.usage();
    const pgAfter = postmaster ? treeCpuSeconds(postmaster) : undefined;
    const summary = await stats?.summary(6);
    const receiverStats = await harness.receiverClient.stats();
    deliveries = receiverStats.requests;
    evaluation = evaluate(expectation, receiverStats);
    const counters = await readCounters(cluster);
    const drainMs = (evaluation.lastArrivalMs ?? dueMs) - dueMs;
    const firesPerSecond =
      drainMs > 0 ? (evaluation.received * 1_000) / drainMs : 0;
    const schedulerCpuSeconds = usage
      .filter((u) => u.name.startsWith('scheduler'))
      .reduce((sum, u) => sum + u.cpuSeconds, 0);
    const run: PressureRun = {
      schedulers,
      expected: evaluation.expected,
      evaluation,
      deliveries,
      drainMs,
      firesPerSecond,
      workSeconds: firesPerSecond > 0 ? total / firesPerSecond : Infinity,
      statementsPerFire: summary
        ? summary.calls / Math.max(1, deliveries)
        : undefined,
      topStatements: (summary?.top ?? []).map((s) => ({
        name: s.name,
        calls: s.calls,
        totalMs: s.totalMs,
      })),
      schedulerCpuSeconds,
      postgresCpuSeconds:
        pgBefore !== undefined && pgAfter !== undefined
          ? pgAfter - pgBefore
          : undefined,
      schedulerCpuMsPerFire:
        (schedulerCpuSeconds * 1_000) / Math.max(1, deliveries),
      counters,
      crashes: cluster.unexpectedExits(),
    };
    log(
      `${name}: ${evaluation.received}/${evaluation.expected} arrived, drain ${fmtMs(drainMs)}, p99 ${fmtMs(evaluation.latenessMs.p99)}, ${evaluation.duplicatesWithDifferentKeys} under two keys`,
    );
    return run;
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
    await cluster.stop();
    await harness.server.dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/**
 * A busy loop in its own process that ends by itself after `ms` (and is killed at the
 * end of the run in any case): the "CPU hog on the machine" of the overload run.
 */
function startHog(ms: number): ChildProcess {
  const code = `const end = process.hrtime.bigint() + ${Math.round(ms)}n * 1000000n; let x = 0; while (process.hrtime.bigint() < end) { x = (x + 1) % 1e9; }`;
  const hog = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  hog.unref();
  return hog;
}

async function readCounters(
  cluster: BenchCluster,
): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const scheduler of cluster.schedulers) {
    let text = '';
    try {
      const response = await request(scheduler.url('/metrics'), {
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      text = await response.body.text();
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const match = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (!match || !(COUNTERS as readonly string[]).includes(match[1]))
        continue;
      const key =
        match[1] === 'scheduleman_fire_rate_per_second'
          ? `${match[1]} (${scheduler.name})`
          : match[1];
      sums[key] = (sums[key] ?? 0) + Number(match[2]);
    }
  }
  return sums;
}

export function pressureTable(runs: readonly PressureRun[]): string {
  return markdownTable(
    [
      'sched',
      'expected',
      'missed',
      'under two keys',
      'repeats (same key)',
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
    runs.map((r) => {
      const e = r.evaluation;
      const l = e.latenessMs;
      return [
        String(r.schedulers),
        String(r.expected),
        String(e.missing),
        String(e.duplicatesWithDifferentKeys),
        String(e.duplicateDeliveries),
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

function countersTable(runs: readonly PressureRun[]): string {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.counters)))];
  return markdownTable(
    ['sched', ...names.map((n) => n.replace('scheduleman_', ''))],
    runs.map((r) => [
      String(r.schedulers),
      ...names.map((n) => fmt(r.counters[n])),
    ]),
  );
}
