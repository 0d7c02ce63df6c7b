import { join } from 'node:path';
import { SystemClock } from '@scheduleman/domain';
import { createDatabaseClient } from '@scheduleman/domain/persistence';
import { ApiClient, sleep, TEST_ADMIN_API_KEY } from '@scheduleman/testkit';
import { BenchCluster } from '../infra/bench-cluster';
import type { DatabaseServer } from '../infra/database-server';
import {
  PatroniCluster,
  type PatroniClusterOptions,
  PATRONI_TTL_S,
} from '../infra/patroni-cluster';
import { monotonicMs } from '../infra/wait';
import { resultsDir } from '../infra/workspace';
import type { HarnessOptions } from '../options';
import { writeReport } from '../report/bench-report';
import { fmtMs } from '../report/table';
import { Harness } from '../runner/harness';
import type { Evaluation } from '../stats/evaluate';
import { checkLedger, ledgerBroken, type LedgerCheck } from '../stats/ledger';
import { iso } from '../workloads/workload';
import {
  type FailoverLateness,
  judgeFailoverLateness,
  lostSchedules,
} from './failover-judge';
import {
  awaitStragglers,
  createEverySecondCrons,
  renderRunMarkdown,
  windowStartMs,
} from './chaos-run';
import { readLedger } from './ledger-read';
import { SteadyCreator } from './steady-creator';
import { WriteProber } from './write-prober';

/** One failover run. Times in ms from the start of the judged window. */
export interface FailoverPlan {
  windowMs: number;
  /** When the primary's node is crashed. */
  killAtMs: number;
  everySecondCrons: number;
  /** One-shots created per second through the whole window, each due `leadMs` later. */
  creationsPerSecond: number;
  leadMs: [number, number];
  /** No creation in the last part of the window, so every one-shot falls due inside it. */
  quietEndMs: number;
  schedulers: number;
  stragglerWaitMs: number;
}

export const FULL_FAILOVER: FailoverPlan = {
  windowMs: 100_000,
  killAtMs: 30_000,
  everySecondCrons: 10,
  creationsPerSecond: 5,
  leadMs: [3_000, 10_000],
  quietEndMs: 12_000,
  schedulers: 2,
  stragglerWaitMs: 15_000,
};

export const SMOKE_FAILOVER: FailoverPlan = {
  // Room for a failover of ~15 s (ttl 10 s) and 10 s of steady state after it.
  windowMs: 40_000,
  killAtMs: 6_000,
  everySecondCrons: 4,
  creationsPerSecond: 3,
  leadMs: [3_000, 6_000],
  quietEndMs: 7_000,
  schedulers: 2,
  stragglerWaitMs: 15_000,
};

/** The cluster as the harness's database server: one fresh cluster per run. */
class PatroniServer implements DatabaseServer {
  readonly embedded = false;
  readonly description: string;
  constructor(readonly cluster: PatroniCluster) {
    this.description = `Patroni, 3 nodes, synchronous_mode_strict, fsync on, ttl ${PATRONI_TTL_S} s`;
  }
  get url(): string {
    return this.cluster.url;
  }
  postmasterPid(): number | undefined {
    return undefined;
  }
  createDatabase(): Promise<string> {
    return Promise.resolve(this.cluster.url);
  }
  dropDatabase(): Promise<void> {
    return Promise.resolve();
  }
  restart(): Promise<void> {
    return Promise.reject(new Error('a failover run never restarts by hand'));
  }
  async stop(): Promise<void> {
    await this.cluster.stop();
    this.cluster.removeData();
  }
}

/** The cluster on `--base-port`'s fixed ports when given, else on ports picked for it. */
function startPatroni(
  basePort: number | undefined,
  options: Pick<PatroniClusterOptions, 'logDir' | 'log'>,
): Promise<PatroniCluster> {
  if (basePort === undefined) return PatroniCluster.startOnFreePorts(options);
  return PatroniCluster.start({
    ...options,
    etcdPort: basePort,
    etcdPeerPort: basePort + 1,
    nodes: [0, 1, 2].map((i) => ({
      pgPort: basePort + 10 + i,
      restPort: basePort + 20 + i,
    })),
  });
}

/** The schedules of `ids` that the database has, read through the cluster's URL. */
async function storedSchedules(
  url: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const client = createDatabaseClient(url, {
    application_name: 'bench:failover-check',
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      'select id from schedules where id = any($1::uuid[])',
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  } finally {
    await client.end();
  }
}

/**
 * `npm run chaos -- --failover`: the API, two schedulers and the receiver on a fresh
 * three-node Patroni cluster, every-second crons and a steady stream of one-shots created
 * through the run; the primary's node is crashed (SIGKILL of Patroni, the postmaster and
 * its backends) in the middle, and nothing is restarted by hand. Judged at the end: every
 * acknowledged creation is in the database, no occurrence missed or delivered under two
 * keys, every occurrence due during the failover fired within the failover time plus
 * 10 s and every other within ±10 s, the ledger accounts for every occurrence, and no
 * app process exited. Prints the failover time (crash → first write committed by the new
 * primary) and the figures.
 */
export async function runFailoverCommand(
  options: HarnessOptions,
): Promise<number> {
  const plan = options.smoke ? SMOKE_FAILOVER : FULL_FAILOVER;
  const logRoot = resultsDir(
    'logs',
    `failover-${new SystemClock().now().toISOString().replace(/[:.]/g, '-')}`,
  );
  const started = monotonicMs();
  const say = (line: string) =>
    console.log(
      `[failover +${((monotonicMs() - started) / 1000).toFixed(0).padStart(3)}s] ${line}`,
    );
  const patroni = await startPatroni(options.basePort, {
    logDir: join(logRoot, 'patroni'),
    log: say,
  });
  say(`Patroni cluster ready: ${patroni.url}`);
  const harness = await Harness.start('failover', undefined, {
    server: new PatroniServer(patroni),
  });
  const { log, clock } = harness;
  const nowMs = () => clock.now().getTime();
  let cluster: BenchCluster | undefined;
  let api: ApiClient | undefined;
  const prober = new WriteProber(patroni.url, clock);
  let creator: SteadyCreator | undefined;
  const events: string[] = [];
  let evaluation: Evaluation;
  let ledger: LedgerCheck;
  let lateness: FailoverLateness;
  let lost: string[];
  let acknowledged = 0;
  let killedAtMs = 0;
  let recoveredAtMs = 0;
  let healthyAfterMs = 0;
  let killedNode = '';
  const machine = await harness.machine();
  try {
    cluster = await BenchCluster.start({
      databaseUrl: patroni.url,
      schedulerCount: plan.schedulers,
      logDir: harness.logRoot,
      logLevel: options.logLevel,
      schedulerEnv: options.schedulerEnv,
      schedulerMain: options.schedulerMain,
    });
    log(`API and ${plan.schedulers} schedulers ready on the cluster URL`);
    await prober.start();
    api = new ApiClient(cluster.apiUrl, { apiKey: TEST_ADMIN_API_KEY });
    const fromMs = windowStartMs(clock);
    const toMs = fromMs + plan.windowMs;
    const crons = await createEverySecondCrons(
      api,
      harness.receiverClient.hookUrl,
      {
        count: plan.everySecondCrons,
        label: 'failover-cron',
        fromMs,
        toMs,
        // Every occurrence must fire, however long the database was away.
        misfirePolicy: 'fire_all',
      },
    );
    if (crons.failures.length)
      throw new Error(`creating the crons failed: ${crons.failures[0]}`);
    if (nowMs() < fromMs) await sleep(fromMs - nowMs());
    log(
      `window ${iso(fromMs)} .. ${iso(toMs)}: ${plan.everySecondCrons} every-second crons, ${plan.creationsPerSecond} one-shots created per second`,
    );
    creator = new SteadyCreator(api, {
      hookUrl: harness.receiverClient.hookUrl,
      perSecond: plan.creationsPerSecond,
      leadMs: plan.leadMs,
      clock,
    });
    creator.start();
    const progress = setInterval(() => {
      log(
        `progress: ${creator?.acknowledged.length} one-shots acknowledged, ${creator?.retries} retries, ${prober.successes} probe writes`,
      );
    }, 10_000);
    try {
      await sleep(Math.max(0, fromMs + plan.killAtMs - nowMs()));
      const leader = await patroni.leader();
      if (!leader) throw new Error('no leader to kill');
      killedNode = leader.name;
      killedAtMs = nowMs();
      const pids = patroni.crash(leader);
      events.push(
        `t=${((killedAtMs - fromMs) / 1000).toFixed(1)}s SIGKILL ${leader.name} (Patroni, postmaster and backends: ${pids.length} processes)`,
      );
      log(events.at(-1) ?? '');
      const newLeader = await patroni.waitHealthy(90_000, 1);
      healthyAfterMs = nowMs() - killedAtMs;
      recoveredAtMs = prober.firstSuccessAfter(killedAtMs) ?? nowMs();
      events.push(
        `t=${((recoveredAtMs - fromMs) / 1000).toFixed(1)}s ${newLeader.name} commits writes: failover ${fmtMs(recoveredAtMs - killedAtMs)} (cluster healthy with a synchronous standby after ${fmtMs(healthyAfterMs)})`,
      );
      log(events.at(-1) ?? '');
      await sleep(Math.max(0, toMs - plan.quietEndMs - nowMs()));
    } finally {
      clearInterval(progress);
    }
    await creator.stop();
    acknowledged = creator.acknowledged.length;
    log(
      `creation stopped: ${acknowledged} one-shots acknowledged, ${creator.retries} retries, ${creator.gaveUp} given up (never acknowledged), ${creator.refused.length} refused with a 4xx${creator.refused.length ? `, e.g. ${creator.refused[0]}` : ''}`,
    );
    const occurrences = new Map(crons.occurrences);
    for (const { id, dueMs } of creator.acknowledged)
      occurrences.set(id, [dueMs]);
    const expectation = { occurrences, window: { fromMs, toMs } };
    if (nowMs() < toMs) await sleep(toMs - nowMs());
    const judged = await awaitStragglers(
      harness.receiverClient,
      expectation,
      clock,
      toMs + plan.stragglerWaitMs,
    );
    const { stats } = judged;
    evaluation = judged.evaluation;
    const ids = [...crons.ids, ...creator.acknowledged.map((a) => a.id)];
    lost = lostSchedules(ids, await storedSchedules(patroni.url, ids));
    lateness = judgeFailoverLateness(expectation, stats, {
      killedAtMs,
      recoveredAtMs,
    });
    ledger = checkLedger(
      expectation,
      await readLedger(patroni.url, fromMs, toMs),
      stats,
    );
  } finally {
    await creator?.stop();
    await prober.stop();
    await api?.close();
    await cluster?.stop();
    await harness.close();
  }
  const crashes = cluster.unexpectedExits();
  const broken =
    lost.length > 0 ||
    evaluation.missing > 0 ||
    evaluation.duplicatesWithDifferentKeys > 0 ||
    lateness.lateDuring > 0 ||
    lateness.outsideBoundElsewhere > 0 ||
    ledgerBroken(ledger) ||
    crashes.length > 0;
  const figures = {
    killedNode,
    failoverMs: recoveredAtMs - killedAtMs,
    healthyAfterMs,
    probeGapMs: prober.longestGapMs(),
    acknowledgedCreations: acknowledged,
    refusedCreations: creator.refused.length,
    creationRetries: creator.retries,
    cronSchedules: plan.everySecondCrons,
    lostSchedules: lost.length,
    expected: evaluation.expected,
    missed: evaluation.missing,
    duplicatesWithDifferentKeys: evaluation.duplicatesWithDifferentKeys,
    duplicateDeliveries: evaluation.duplicateDeliveries,
    dueDuringFailover: lateness.dueDuring,
    maxLatenessDuringMs: lateness.maxLatenessDuringMs,
    boundDuringMs: lateness.boundDuringMs,
    lateDuring: lateness.lateDuring,
    outsideBoundElsewhere: lateness.outsideBoundElsewhere,
    latenessP50: evaluation.latenessMs.p50,
    latenessP99: evaluation.latenessMs.p99,
    latenessMax: evaluation.latenessMs.max,
    crashes,
  };
  const verdict = [
    `failover (crash of ${killedNode} → first write committed by the new primary): ${fmtMs(figures.failoverMs)}; cluster healthy again (a synchronous standby) after ${fmtMs(healthyAfterMs)}; longest gap between probe writes ${fmtMs(figures.probeGapMs)}`,
    `acknowledged schedules lost: ${lost.length} of ${acknowledged + plan.everySecondCrons} (must be 0)${lost.length ? `, e.g. ${lost.slice(0, 3).join(', ')}` : ''}; ${figures.creationRetries} creation retries after a 5xx or no answer, ${figures.refusedCreations} refused with a 4xx (not acknowledged, so not expected)`,
    `missed occurrences: ${evaluation.missing} of ${evaluation.expected} (must be 0)${evaluation.missingSample.length ? `, e.g. ${evaluation.missingSample.join(', ')}` : ''}`,
    `occurrences due during the failover: ${lateness.dueDuring}, latest ${fmtMs(lateness.maxLatenessDuringMs ?? 0)} late; later than failover + 10 s (${fmtMs(lateness.boundDuringMs)}): ${lateness.lateDuring} (must be 0)`,
    `other occurrences outside ±10 s: ${lateness.outsideBoundElsewhere} (must be 0)${lateness.sample.length ? `; e.g. ${lateness.sample.join(', ')}` : ''}`,
    `lateness of all: p50 ${fmtMs(evaluation.latenessMs.p50 ?? 0)}, p99 ${fmtMs(evaluation.latenessMs.p99 ?? 0)}, max ${fmtMs(evaluation.latenessMs.max ?? 0)}`,
    `duplicates: ${evaluation.duplicateDeliveries} extra deliveries; ${evaluation.duplicatesWithDifferentKeys} under more than one key (must be 0)`,
    `ledger: ${ledger.due} due, ${ledger.delivered} delivered, ${ledger.skipped} skipped, ${ledger.unaccounted} unaccounted (must be 0)`,
    `app processes that exited or were restarted: ${crashes.length ? crashes.join('; ') : 'none'} (no restart by hand)`,
  ];
  const markdown = renderRunMarkdown({
    title: 'scheduleman failover run',
    startedAt: harness.startedAt,
    machine,
    plan,
    result: verdict.map((v) => `- ${v}`).join('\n'),
    events,
  });
  const files = writeReport(
    resultsDir(),
    `failover${options.smoke ? '-smoke' : ''}-${harness.stamp}`,
    { startedAt: harness.startedAt, machine, plan, events, figures, ledger },
    markdown,
  );
  console.log(`\n${verdict.join('\n')}\nwritten: ${files.join(', ')}`);
  console.log(
    broken ? 'failover: a promise was BROKEN' : 'failover: every promise kept',
  );
  return broken ? 1 : 0;
}
