import type { Clock } from '@scheduleman/domain';
import {
  ApiClient,
  skewClock,
  sleep,
  TEST_ADMIN_API_KEY,
} from '@scheduleman/testkit';
import { BenchCluster } from '../infra/bench-cluster';
import { resultsDir } from '../infra/workspace';
import type { HarnessOptions } from '../options';
import { writeReport } from '../report/bench-report';
import { fmtMs, markdownTable } from '../report/table';
import { Harness } from '../runner/harness';
import { brokePromise, Evaluation, Expectation } from '../stats/evaluate';
import { iso, webhookTrigger } from '../workloads/workload';
import { checkLedger, ledgerBroken, type LedgerCheck } from '../stats/ledger';
import { ChaosEvent, runChaosEvents } from './chaos-events';
import { readLedger } from './ledger-read';
import { ChaosPlan, FULL_CHAOS, SMOKE_CHAOS } from './chaos-plan';
import {
  awaitStragglers,
  createEverySecondCrons,
  CREATION_LEAD_MS,
  renderRunMarkdown,
  windowStartMs,
} from './chaos-run';

/** The issue's target for a run with kills: no occurrence later than this. */
const KILL_MAX_LATENESS_TARGET_MS = 6_000;

const SKEWED_SCHEDULER = 3;

function summaryTable(e: Evaluation, requests: number): string {
  const l = e.latenessMs;
  return markdownTable(
    [
      'expected',
      'received',
      'missed',
      'deliveries',
      'duplicates',
      'dup. under another key',
      'unexpected',
      'p50',
      'p99',
      'max',
      'min',
      'outside ±10 s',
    ],
    [
      [
        String(e.expected),
        String(e.received),
        String(e.missing),
        String(requests),
        String(e.duplicateDeliveries),
        String(e.duplicatesWithDifferentKeys),
        String(e.unexpected),
        fmtMs(l.p50),
        fmtMs(l.p99),
        fmtMs(l.max),
        fmtMs(l.min),
        String(e.outsideBound),
      ],
    ],
  );
}

interface ChaosWorkload {
  expectation: Expectation;
  /** One-shots whose 201 came after their due time (their lateness includes the API's delay). */
  acceptedLate: number;
  /** Creations retried after a 5xx or a network error. */
  retried: number;
}

/**
 * Crons first, then the one-shots in due order while the window is already running: as
 * long as the API creates faster than the one-shots fall due (a few per second), each
 * exists well before its time, and the run needs no long wait for creation.
 */
async function createWorkload(
  api: ApiClient,
  hookUrl: string,
  plan: ChaosPlan,
  clock: Clock,
): Promise<ChaosWorkload> {
  const nowMs = () => clock.now().getTime();
  const fromMs = windowStartMs(clock);
  const toMs = fromMs + plan.windowMs;
  const crons = await createEverySecondCrons(api, hookUrl, {
    count: plan.everySecondCrons,
    label: 'chaos-cron',
    fromMs,
    toMs,
  });
  if (nowMs() > fromMs)
    throw new Error('creating the crons overran the start of the window');
  const occurrences = new Map(crons.occurrences);
  // The first one-shot leads the window as the window leads cron creation.
  const firstShotMs = fromMs + CREATION_LEAD_MS;
  const times = Array.from(
    { length: plan.oneShots },
    (_, i) =>
      firstShotMs + Math.floor((i * (toMs - firstShotMs)) / plan.oneShots),
  );
  const shots = await api.createMany(times, (at) => ({
    name: `chaos-at-${at}`,
    schedule: { type: 'at', at: iso(at) },
    trigger: webhookTrigger(hookUrl),
  }));
  for (const { schedule, input } of shots.created)
    occurrences.set(schedule.id, [input]);
  const failures = [...crons.failures, ...shots.failures];
  if (failures.length)
    throw new Error(`${failures.length} creations failed, e.g. ${failures[0]}`);
  return {
    expectation: { occurrences, window: { fromMs, toMs } },
    acceptedLate: shots.created.filter((c) => c.acceptedAtMs > c.input).length,
    retried: crons.retried + shots.retried.length,
  };
}

/**
 * `npm run chaos`: three schedulers (one with its clock 60 s ahead), the API and the
 * receiver; cron-every-second and spread one-shot schedules; scheduler kills, one
 * database restart and one freeze longer than the lease. Exits non-zero when a promise
 * broke: a missed occurrence, one outside ±10 s, a duplicate under another key, or an
 * occurrence the ledger cannot account for (neither delivered nor skipped with a reason).
 */
export async function runChaosCommand(
  options: HarnessOptions,
): Promise<number> {
  const plan = options.smoke ? SMOKE_CHAOS : FULL_CHAOS;
  const harness = await Harness.start('chaos', options.externalDatabaseUrl);
  const { log, clock } = harness;
  const nowMs = () => clock.now().getTime();
  let databaseUrl: string | undefined;
  let cluster: BenchCluster | undefined;
  let api: ApiClient | undefined;
  let events: ChaosEvent[] = [];
  let evaluation: Evaluation;
  let ledger: LedgerCheck;
  let requests = 0;
  const machine = await harness.machine();
  try {
    databaseUrl = await harness.server.createDatabase('chaos');
    cluster = await BenchCluster.start({
      databaseUrl,
      schedulerCount: 3,
      logDir: harness.logRoot,
      logLevel: options.logLevel,
      schedulerEnv: options.schedulerEnv,
      schedulerMain: options.schedulerMain,
      perScheduler: (i) =>
        i === SKEWED_SCHEDULER ? skewClock(plan.skewMs) : undefined,
    });
    log(
      `API and 3 schedulers ready (scheduler-${SKEWED_SCHEDULER} runs ${plan.skewMs / 1000} s ahead); logs in ${harness.logRoot}`,
    );
    api = new ApiClient(cluster.apiUrl, { apiKey: TEST_ADMIN_API_KEY });
    const { expectation, acceptedLate, retried } = await createWorkload(
      api,
      harness.receiverClient.hookUrl,
      plan,
      clock,
    );
    const window = expectation.window ?? { fromMs: 0, toMs: 0 };
    log(
      `created ${plan.everySecondCrons} every-second crons and ${plan.oneShots} one-shots (${acceptedLate} accepted after their due time, ${retried} retried after a 5xx); window ${iso(window.fromMs)} .. ${iso(window.toMs)}`,
    );
    if (nowMs() < window.fromMs) await sleep(window.fromMs - nowMs());
    const progress = setInterval(() => {
      harness.receiverClient.count().then(
        (c) =>
          log(
            `progress: ${c.requests} deliveries, ${c.occurrences} distinct occurrences`,
          ),
        () => undefined,
      );
    }, 10_000);
    try {
      events = await runChaosEvents(plan, {
        cluster,
        server: harness.server,
        clock,
        windowStartMs: window.fromMs,
        log,
      });
    } finally {
      clearInterval(progress);
    }
    if (nowMs() < window.toMs) await sleep(window.toMs - nowMs());
    const judged = await awaitStragglers(
      harness.receiverClient,
      expectation,
      clock,
      window.toMs + plan.stragglerWaitMs,
    );
    const { stats } = judged;
    evaluation = judged.evaluation;
    requests = stats.requests;
    // The ledger's promise: every due occurrence has a delivery or a skipped row with a reason.
    ledger = checkLedger(
      expectation,
      await readLedger(databaseUrl, window.fromMs, window.toMs),
      stats,
    );
  } finally {
    await api?.close();
    await cluster?.stop();
    if (databaseUrl)
      await harness.server.dropDatabase(databaseUrl).catch(() => undefined);
    await harness.close();
  }
  const crashes = cluster.unexpectedExits();
  const broken =
    brokePromise(evaluation) || ledgerBroken(ledger) || crashes.length > 0;
  const maxLateness = evaluation.latenessMs.max ?? 0;
  const verdict = [
    `missed: ${evaluation.missing} (must be 0)${evaluation.missingSample.length ? `, e.g. ${evaluation.missingSample.join(', ')}` : ''}`,
    `outside ±10 s: ${evaluation.outsideBound} (must be 0)`,
    `duplicates: ${evaluation.duplicateDeliveries} extra deliveries; ${evaluation.duplicatesWithDifferentKeys} occurrences under more than one key (must be 0)`,
    `max lateness ${fmtMs(maxLateness)}: target ≤ ${KILL_MAX_LATENESS_TARGET_MS / 1000} s ${maxLateness <= KILL_MAX_LATENESS_TARGET_MS ? 'met' : 'missed'}`,
    `ledger: ${ledger.due} due, ${ledger.delivered} delivered, ${ledger.skipped} skipped with a reason ${JSON.stringify(ledger.skippedByReason)}, ${ledger.unaccounted} unaccounted (must be 0)${ledger.unaccountedSample.length ? `, e.g. ${ledger.unaccountedSample.join(', ')}` : ''}; ${ledger.deliveredWithoutRow} delivered without a row, ${ledger.skippedWithoutReason} skipped without a reason (both must be 0)`,
    `crashes (exits nobody asked for): ${crashes.length ? crashes.join('; ') : 'none'}`,
  ];
  const table = summaryTable(evaluation, requests);
  const markdown = renderRunMarkdown({
    title: 'scheduleman chaos run',
    startedAt: harness.startedAt,
    machine,
    plan,
    result: `${table}\n\n${verdict.map((v) => `- ${v}`).join('\n')}`,
    events: events.map((e) => `t=${e.atSeconds}s ${e.what}`),
  });
  const files = writeReport(
    resultsDir(),
    `chaos${options.smoke ? '-smoke' : ''}-${harness.stamp}`,
    {
      startedAt: harness.startedAt,
      machine,
      plan,
      events,
      evaluation,
      ledger,
      requests,
      crashes,
    },
    markdown,
  );
  console.log(
    `\n${table}\n\n${verdict.join('\n')}\nwritten: ${files.join(', ')}`,
  );
  console.log(
    broken ? 'chaos: a promise was BROKEN' : 'chaos: every promise kept',
  );
  return broken ? 1 : 0;
}
