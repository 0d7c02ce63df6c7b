import { sleep } from '@scheduleman/testkit';
import { Client } from 'pg';
import { request } from 'undici';
import { BenchCluster } from '../infra/bench-cluster';
import { treeCpuSeconds } from '../infra/proc-stats';
import { StatementStats } from '../infra/statement-stats';
import { fmtMs } from '../report/table';
import type { HarnessOptions } from '../options';
import type { Harness } from '../runner/harness';
import { createMigratedDatabase } from '../runner/run-workload';
import { evaluate, type Evaluation, type Expectation } from '../stats/evaluate';
import { insertParkedHerd, moveHerd } from './herd-insert';

/** The scheduler counters that tell how a herd was shared out and what went wrong. */
export const COUNTERS = [
  'scheduleman_held_released_total',
  'scheduleman_held_dropped_total',
  'scheduleman_leases_recovered_total',
  'scheduleman_outcomes_discarded_total',
  'scheduleman_trigger_attempts_total',
  'scheduleman_fire_rate_per_second',
] as const;

/** Gauges: read as they are at the end, per scheduler, never differenced. */
const GAUGES: readonly string[] = ['scheduleman_fire_rate_per_second'];

/** After the last first arrival, how long to wait for the herd's retries to end, ms. */
const SETTLE_LIMIT_MS = 15_000;

/**
 * A fresh migrated database (`bench_<database>`) and `schedulers` scheduler processes on
 * it, logging under `<logRoot>/<name>`, with the receiver's counts reset: what the herd
 * and the overload runs drain their bursts on. The caller stops the cluster and drops
 * the database.
 */
export async function startDrainCluster(
  harness: Harness,
  database: string,
  name: string,
  schedulers: number,
  options: HarnessOptions,
): Promise<{ cluster: BenchCluster; databaseUrl: string }> {
  const databaseUrl = await createMigratedDatabase(
    harness.server,
    `bench_${database}`,
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
  return { cluster, databaseUrl };
}

/** One herd drained by a running cluster: what arrived, how fast, at what cost. */
export interface HerdDrain {
  /** What the herd was: `herd`, `above capacity`, `within capacity`. */
  phase: string;
  schedulers: number;
  expected: number;
  evaluation: Evaluation;
  /** Deliveries received (first ones and repeats). */
  deliveries: number;
  /** Deliveries with X-Scheduleman-Attempt > 1: retries after a timeout or an error. */
  retryDeliveries: number;
  /** Last first arrival minus the due second. */
  drainMs: number;
  /** Occurrences arrived / (last arrival − due second): the cluster's measured rate. */
  firesPerSecond: number;
  /** The herd's size in seconds of that rate: ≤ 10 s means "below the cluster's capacity". */
  workSeconds: number;
  statementsPerFire: number | undefined;
  topStatements: { name: string; calls: number; totalMs: number }[];
  schedulerCpuSeconds: number;
  postgresCpuSeconds: number | undefined;
  /** Scheduler CPU ms per delivery (all scheduler processes). */
  schedulerCpuMsPerFire: number;
  /** Over this drain, summed over the schedulers (gauges: each scheduler's, at the end). */
  counters: Record<string, number>;
  /** The bulk insert, the move to the due second, and how far ahead of it that ended. */
  insertMs: number;
  aheadMs: number;
}

export interface DrainContext {
  harness: Harness;
  cluster: BenchCluster;
  databaseUrl: string;
  /** For the log lines. */
  name: string;
}

export interface HerdSpec {
  phase: string;
  /** Distinct per herd of one database: the schedules' owner. */
  tag: string;
  oneShots: number;
  crons: number;
  /** From the end of moving the herd to its due second, at least. */
  leadMs: number;
  /** How long to wait past the due second for the last first arrival. */
  drainLimitMs: number;
}

/**
 * Inserts a herd parked a day ahead, moves it to a due second chosen from the insert's
 * own time (so an insert slowed by a busy machine delays the herd instead of making it
 * late), waits for every occurrence (or the limit) and then for its retries to end, and
 * measures the drain: lateness, rate, statements, CPU, the schedulers' counters.
 */
export async function drainHerd(
  context: DrainContext,
  spec: HerdSpec,
): Promise<HerdDrain> {
  const { harness, cluster, databaseUrl, name } = context;
  const { log, clock } = harness;
  const nowMs = () => clock.now().getTime();
  const total = spec.oneShots + spec.crons;
  const startedMs = nowMs();
  const herd = await insertParkedHerd(
    databaseUrl,
    spec,
    spec.tag,
    nowMs(),
    harness.receiverClient.hookUrl,
  );
  // Moving the rows costs about what inserting them did (measured: up to 1.4× under the
  // hog); the lead comes on top.
  const dueMs =
    Math.ceil((nowMs() + 1.5 * herd.insertMs + spec.leadMs) / 1_000) * 1_000;
  await moveHerd(databaseUrl, spec.tag, dueMs);
  const insertMs = nowMs() - startedMs;
  const aheadMs = dueMs - nowMs();
  if (aheadMs < 2_000)
    log(
      `${name}: WARNING moving the herd overran: it is planned late (${(aheadMs / 1000).toFixed(1)} s ahead), and its lateness includes the overrun`,
    );
  log(
    `${name} ${spec.phase}: ${spec.oneShots} one-shots and ${spec.crons} crons due at ${new Date(dueMs).toISOString()} (${(aheadMs / 1000).toFixed(1)} s ahead; insert and move ${(insertMs / 1000).toFixed(1)} s)`,
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
  {
    // Measured from shortly before the herd (the planner takes it 1.5 s ahead).
    const markAtMs = dueMs - 2_500;
    if (nowMs() < markAtMs) await sleep(markAtMs - nowMs());
    const countersBefore = await readCounters(cluster);
    const before = await harness.receiverClient.count();
    await stats?.reset();
    cluster.markCpu();
    const postmaster = harness.server.postmasterPid();
    const pgBefore = postmaster ? treeCpuSeconds(postmaster) : undefined;

    let lastLogMs = nowMs();
    while (nowMs() < dueMs + spec.drainLimitMs) {
      await sleep(500);
      const count = await harness.receiverClient.count();
      const arrived = count.occurrences - before.occurrences;
      if (arrived >= total) break;
      if (nowMs() - lastLogMs >= 10_000) {
        lastLogMs = nowMs();
        log(
          `${name} ${spec.phase}: ${arrived} of ${total} occurrences arrived`,
        );
      }
    }
    // Retries (a call that timed out) and takeovers may still deliver repeats: the next
    // herd must not meet them, and this one's counts must include them.
    const settleUntilMs = nowMs() + SETTLE_LIMIT_MS;
    while (
      nowMs() < settleUntilMs &&
      (await countPending(databaseUrl, spec.tag)) > 0
    )
      await sleep(500);
    const usage = cluster.usage();
    const pgAfter = postmaster ? treeCpuSeconds(postmaster) : undefined;
    const summary = await stats?.summary(6);
    const after = await harness.receiverClient.count();
    const evaluation = evaluate(
      expectation,
      await harness.receiverClient.stats(),
    );
    const countersAfter = await readCounters(cluster);
    const deliveries = after.requests - before.requests;
    const drainMs = (evaluation.lastArrivalMs ?? dueMs) - dueMs;
    const firesPerSecond =
      drainMs > 0 ? (evaluation.received * 1_000) / drainMs : 0;
    const schedulerCpuSeconds = usage
      .filter((u) => u.name.startsWith('scheduler'))
      .reduce((sum, u) => sum + u.cpuSeconds, 0);
    log(
      `${name} ${spec.phase}: ${evaluation.received}/${evaluation.expected} arrived, drain ${fmtMs(drainMs)}, p99 ${fmtMs(evaluation.latenessMs.p99)}, max ${fmtMs(evaluation.latenessMs.max)}, ${evaluation.duplicateDeliveries} repeats, ${evaluation.duplicatesWithDifferentKeys} under two keys`,
    );
    return {
      phase: spec.phase,
      schedulers: cluster.schedulers.length,
      expected: evaluation.expected,
      evaluation,
      deliveries,
      retryDeliveries: after.retries - before.retries,
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
      counters: differenceOf(countersAfter, countersBefore),
      insertMs,
      aheadMs,
    };
  }
}

/** Executions of the tagged herd not finished yet (firing, recording or retrying). */
const COUNT_PENDING = `
select count(*)::int as pending
from executions e
join schedules s on s.id = e.schedule_id
where s.owner = $1::text and e.status = 'pending'
`;

async function countPending(databaseUrl: string, tag: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pending: number }>(COUNT_PENDING, [
      tag,
    ]);
    return rows[0].pending;
  } finally {
    await client.end();
  }
}

function differenceOf(
  after: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  const difference: Record<string, number> = {};
  for (const [key, value] of Object.entries(after))
    difference[key] = GAUGES.some((g) => key.startsWith(g))
      ? value
      : value - (before[key] ?? 0);
  return difference;
}

/**
 * Each scheduler's /metrics, summed over the schedulers: counters by name (attempts by
 * outcome), the fire-rate gauge per scheduler.
 */
export async function readCounters(
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
      const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (!match || !(COUNTERS as readonly string[]).includes(match[1]))
        continue;
      // The label group is absent from counters without labels.
      const labels = match[2] as string | undefined;
      const outcome = /outcome="([^"]+)"/.exec(labels ?? '')?.[1];
      const key = GAUGES.includes(match[1])
        ? `${match[1]} (${scheduler.name})`
        : outcome
          ? `${match[1]} (${outcome})`
          : match[1];
      sums[key] = (sums[key] ?? 0) + Number(match[3]);
    }
  }
  return sums;
}
