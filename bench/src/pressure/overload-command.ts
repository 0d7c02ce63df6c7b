import { type ChildProcess, spawn } from 'node:child_process';
import type { HarnessOptions } from '../options';
import { Harness } from '../runner/harness';
import { ON_TIME_BOUND_MS } from '../stats/evaluate';
import { drainHerd, type HerdDrain, startDrainCluster } from './herd-drain';
import { OVERLOAD, OVERLOAD_SMOKE, type OverloadPlan } from './pressure-plan';
import { writePressureReport } from './pressure-report';

/** The scheduler's default LEASE_DURATION_MS (apps/scheduler/src/config). */
const DEFAULT_LEASE_DURATION_MS = 4_000;

/** What the run concludes, part by part of issue 14's "done when". */
export interface OverloadVerdict {
  /** Over both bursts. */
  missed: number;
  underTwoKeys: number;
  repeats: number;
  crashes: string[];
  /** The cluster's fire rate under the hog, measured on the probe burst, fires/s. */
  capacityPerSecond: number;
  /** Most any one scheduler fires within its lease at its own measured rate. */
  oneSchedulerLeaseFires: number;
  leaseDurationMs: number;
  /** The within-capacity burst's size, and whether it exceeds one scheduler's lease. */
  withinCapacity: number;
  largerThanOneLease: boolean;
  /** Later than 10 s in the within-capacity burst (must be 0). */
  lateWithinCapacity: number;
  kept: boolean;
}

/**
 * `npm run chaos -- --overload`: three schedulers and a CPU hog (one busy-loop process
 * per `hogs`, for the whole run), then two bursts of one-shots on the same cluster:
 *   1. the probe, `aboveCapacity` one-shots: more than the cluster fires in 10 s under
 *      the hog on this machine; its drain measures the cluster's fire rate;
 *   2. `withinCapacityMs` of that rate (5 s): larger than any one scheduler fires within
 *      its lease (each one's `scheduleman_fire_rate_per_second` × LEASE_DURATION_MS),
 *      below what the cluster fires in 10 s, so every occurrence must arrive within 10 s.
 * Exits non-zero on a miss or an occurrence under two keys in either burst, a crash, a
 * within-capacity occurrence later than 10 s, or a second burst not larger than one
 * scheduler's lease (the run did not test what it claims to).
 */
export async function runOverloadCommand(
  options: HarnessOptions,
): Promise<number> {
  const plan = options.smoke ? OVERLOAD_SMOKE : OVERLOAD;
  const harness = await Harness.start(plan.name, options.externalDatabaseUrl);
  const machine = await harness.machine();
  let drains: HerdDrain[] = [];
  let verdict: OverloadVerdict;
  try {
    ({ drains, verdict } = await runBursts(harness, plan, options));
  } finally {
    await harness.close();
  }
  writePressureReport({
    harness,
    machine,
    plan,
    smoke: options.smoke,
    drains,
    sections: [`## Verdict\n\n${verdictLines(verdict)}`],
    json: { drains, verdict },
  });
  console.log(
    verdict.kept
      ? `${plan.name}: every promise kept`
      : `${plan.name}: a promise was BROKEN (or the run did not test it)`,
  );
  return verdict.kept ? 0 : 1;
}

async function runBursts(
  harness: Harness,
  plan: OverloadPlan,
  options: HarnessOptions,
): Promise<{ drains: HerdDrain[]; verdict: OverloadVerdict }> {
  const name = `${plan.name}-${plan.schedulers}`;
  const { cluster, databaseUrl } = await startDrainCluster(
    harness,
    plan.name,
    name,
    plan.schedulers,
    options,
  );
  // Ends by itself after the longest the run can last, and is killed when it ends.
  const hogMs = 2 * (plan.drainLimitMs + 60_000);
  const hogs: ChildProcess[] = [];
  try {
    for (let i = 0; i < plan.hogs; i++) hogs.push(startHog(hogMs));
    harness.log(`${name}: started ${plan.hogs} CPU hog(s) for the whole run`);
    const context = { harness, cluster, databaseUrl, name };
    const probe = await drainHerd(context, {
      phase: 'probe',
      tag: 'bench-overload-probe',
      oneShots: plan.aboveCapacity,
      crons: 0,
      leadMs: plan.leadMs,
      drainLimitMs: plan.drainLimitMs,
    });
    // BENCH_SCHEDULER_LEASE_DURATION_MS, when the run sets a shorter lease.
    const leaseSetting = options.schedulerEnv.LEASE_DURATION_MS as
      | string
      | undefined;
    const leaseDurationMs = Number(leaseSetting ?? DEFAULT_LEASE_DURATION_MS);
    const withinCapacity = Math.round(
      Math.min(
        plan.withinCapacityMax,
        Math.max(
          plan.withinCapacityMin,
          (probe.firesPerSecond * plan.withinCapacityMs) / 1_000,
        ),
      ),
    );
    harness.log(
      `${name}: measured ${Math.round(probe.firesPerSecond)} fires/s under the hog: the second burst is ${withinCapacity} one-shots (${plan.withinCapacityMs / 1000} s of that rate)`,
    );
    const within = await drainHerd(context, {
      phase: 'within capacity',
      tag: 'bench-overload-within',
      oneShots: withinCapacity,
      crons: 0,
      leadMs: plan.leadMs,
      drainLimitMs: plan.drainLimitMs,
    });
    const drains = [probe, within];
    return {
      drains,
      verdict: judge(
        drains,
        probe,
        within,
        leaseDurationMs,
        cluster.unexpectedExits(),
      ),
    };
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
    await cluster.stop();
    await harness.server.dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/** Applies the overload criteria to the two bursts. */
export function judge(
  drains: readonly HerdDrain[],
  probe: HerdDrain,
  within: HerdDrain,
  leaseDurationMs: number,
  crashes: string[],
): OverloadVerdict {
  const sum = (f: (d: HerdDrain) => number) =>
    drains.reduce((total, d) => total + f(d), 0);
  // Each scheduler's own measured rate at the end of the probe (its busiest spell).
  const rates = Object.entries(probe.counters)
    .filter(([key]) => key.startsWith('scheduleman_fire_rate_per_second'))
    .map(([, rate]) => rate);
  const oneSchedulerLeaseFires = Math.round(
    (Math.max(0, ...rates) * leaseDurationMs) / 1_000,
  );
  const verdict: Omit<OverloadVerdict, 'kept'> = {
    missed: sum((d) => d.evaluation.missing),
    underTwoKeys: sum((d) => d.evaluation.duplicatesWithDifferentKeys),
    repeats: sum((d) => d.evaluation.duplicateDeliveries),
    crashes,
    capacityPerSecond: probe.firesPerSecond,
    oneSchedulerLeaseFires,
    leaseDurationMs,
    withinCapacity: within.expected,
    largerThanOneLease: within.expected > oneSchedulerLeaseFires,
    lateWithinCapacity: within.evaluation.outsideBound,
  };
  return {
    ...verdict,
    kept:
      verdict.missed === 0 &&
      verdict.underTwoKeys === 0 &&
      crashes.length === 0 &&
      verdict.largerThanOneLease &&
      verdict.lateWithinCapacity === 0,
  };
}

function verdictLines(v: OverloadVerdict): string {
  return [
    `- missed (both bursts): ${v.missed}`,
    `- occurrences under two keys: ${v.underTwoKeys}`,
    `- repeats under the same key: ${v.repeats}`,
    `- crashes: ${v.crashes.length ? v.crashes.join(', ') : 'none'}`,
    `- cluster capacity under the hog (probe): ${Math.round(v.capacityPerSecond)} fires/s`,
    `- one scheduler fires within its ${v.leaseDurationMs / 1000} s lease at most ${v.oneSchedulerLeaseFires}; the within-capacity burst was ${v.withinCapacity}: ${v.largerThanOneLease ? 'larger' : 'NOT larger'}`,
    `- within capacity, later than ${ON_TIME_BOUND_MS / 1000} s: ${v.lateWithinCapacity}`,
    `- verdict: ${v.kept ? 'kept' : 'NOT kept'}`,
  ].join('\n');
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
