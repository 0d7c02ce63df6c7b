import type { HarnessOptions } from '../options';
import { Harness } from '../runner/harness';
import { drainHerd, type HerdDrain, startDrainCluster } from './herd-drain';
import { HERD, HERD_SMOKE } from './pressure-plan';
import { writePressureReport } from './pressure-report';

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
  writePressureReport({
    harness,
    machine,
    plan,
    smoke: options.smoke,
    drains: runs,
    json: { runs },
  });
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
  const { cluster, databaseUrl } = await startDrainCluster(
    harness,
    plan.name,
    name,
    schedulers,
    options,
  );
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
