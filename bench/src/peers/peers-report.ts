import {
  BULK_TARGET_PER_SECOND,
  type CreationRound,
  creationMedians,
  SINGLE_IN_FLIGHT,
  SINGLE_TARGET_PER_SECOND,
} from '../creation/creation-report';
import { fmt, fmtMs, markdownTable } from '../report/table';
import type { Evaluation } from '../stats/evaluate';

/** scheduleman's row is named this; every other row is a peer's. */
export const SCHEDULEMAN = 'scheduleman';

/** One system on one workload with N processes (schedulers, or a peer's workers). */
export interface PeerRun {
  system: string;
  workload: string;
  processes: number;
  evaluation: Evaluation;
  firesPerSecond?: number;
  drainMs?: number;
  /** Jobs (or schedules) stored per second while the workload was created. */
  enqueuePerSecond?: number;
  /** How they were stored: the API one POST at a time, or a peer's bulk call. */
  enqueueMethod: string;
  /** CPU of the scheduler / worker processes over the measured interval. */
  workerCpuSeconds: number;
  /** CPU of PostgreSQL (postmaster and backends) over the measured interval. */
  postgresCpuSeconds?: number;
  /** CPU of redis-server over the measured interval (BullMQ's store). */
  redisCpuSeconds?: number;
  /** Mean Content-Length of the deliveries (the same body everywhere). */
  bodyBytesPerDelivery?: number;
  /** Crashes, failed enqueues: the run's figures are not to be trusted. */
  errors: string[];
}

/** A creation rate measured outside the workloads (e.g. a bulk API), shown beside the others. */
export interface CreationFigure {
  system: string;
  method: string;
  perSecond: number;
  detail: string;
  /** The rate issue 14 asks of it (schedules/s): printed as a ratio, with a verdict. */
  target?: number;
  /** CPU per schedule created, of the API and of PostgreSQL. */
  apiCpuMsPerSchedule?: number;
  pgCpuMsPerSchedule?: number;
}

export interface PeersReport {
  startedAt: string;
  machine: Record<string, string>;
  command: string;
  wallSeconds: number;
  /** Package → version, and the settings each peer ran with. */
  peers: { name: string; version: string; settings: string }[];
  runs: PeerRun[];
  /** The creation phase's figures (scheduleman's bulk and single creation against their targets). */
  creations: CreationFigure[];
}

interface Figure {
  header: string;
  value: (run: PeerRun) => number | undefined;
  lowerIsBetter: boolean;
  show: (value: number | undefined) => string;
}

const perFire = (run: PeerRun, cpu: number | undefined) =>
  cpu !== undefined && run.evaluation.received > 0
    ? (cpu * 1000) / run.evaluation.received
    : undefined;

/** The store's CPU: PostgreSQL for the PostgreSQL queues, Redis for BullMQ. */
export function storeCpuSeconds(run: PeerRun): number | undefined {
  if (run.postgresCpuSeconds === undefined) return run.redisCpuSeconds;
  return run.postgresCpuSeconds + (run.redisCpuSeconds ?? 0);
}

const FIGURES: readonly Figure[] = [
  {
    header: 'p50',
    value: (r) => r.evaluation.latenessMs.p50,
    lowerIsBetter: true,
    show: fmtMs,
  },
  {
    header: 'p99',
    value: (r) => r.evaluation.latenessMs.p99,
    lowerIsBetter: true,
    show: fmtMs,
  },
  {
    header: 'max',
    value: (r) => r.evaluation.latenessMs.max,
    lowerIsBetter: true,
    show: fmtMs,
  },
  {
    header: 'drain',
    value: (r) => r.drainMs,
    lowerIsBetter: true,
    show: fmtMs,
  },
  {
    header: 'fires/s',
    value: (r) => r.firesPerSecond,
    lowerIsBetter: false,
    show: (v) => fmt(v),
  },
  {
    header: 'worker CPU ms/fire',
    value: (r) => perFire(r, r.workerCpuSeconds),
    lowerIsBetter: true,
    show: (v) => fmt(v, 2),
  },
  {
    header: 'store CPU ms/fire',
    value: (r) => perFire(r, storeCpuSeconds(r)),
    lowerIsBetter: true,
    show: (v) => fmt(v, 2),
  },
  {
    header: 'enqueue/s',
    value: (r) => r.enqueuePerSecond,
    lowerIsBetter: false,
    show: (v) => fmt(v),
  },
];

/** The best peer's value of a figure among `runs` (scheduleman excluded). */
export function bestPeer(
  runs: readonly PeerRun[],
  figure: (run: PeerRun) => number | undefined,
  lowerIsBetter: boolean,
): number | undefined {
  const values = runs
    .filter((r) => r.system !== SCHEDULEMAN && r.errors.length === 0)
    .map(figure)
    .filter((v): v is number => v !== undefined);
  if (!values.length) return undefined;
  return lowerIsBetter ? Math.min(...values) : Math.max(...values);
}

/** "1.57 s (0.79 ×)": the value, and in brackets its ratio to the best peer's. */
function withRatio(
  value: number | undefined,
  best: number | undefined,
  show: (v: number | undefined) => string,
): string {
  if (value === undefined) return '-';
  const ratio = best ? ` (${(value / best).toFixed(2)} ×)` : '';
  return `${show(value)}${ratio}`;
}

function groups(runs: readonly PeerRun[]): PeerRun[][] {
  const keys = [...new Set(runs.map((r) => `${r.workload}|${r.processes}`))];
  return keys.map((key) =>
    runs.filter((r) => `${r.workload}|${r.processes}` === key),
  );
}

/**
 * One row per system and configuration (workload × processes); every figure followed by
 * its ratio to the best peer's in the same configuration (below 1 × is better for
 * lateness, drain and CPU, above 1 × for fires/s and enqueue/s).
 */
export function peersTable(runs: readonly PeerRun[]): string {
  const rows = groups(runs).flatMap((group) =>
    group.map((run) => {
      const e = run.evaluation;
      return [
        run.workload,
        String(run.processes),
        run.system,
        `${String(e.received)}/${String(e.expected)}` +
          (e.duplicatesWithDifferentKeys
            ? ` (${String(e.duplicatesWithDifferentKeys)} dup)`
            : ''),
        ...FIGURES.map((f) =>
          withRatio(
            f.value(run),
            bestPeer(group, f.value, f.lowerIsBetter),
            f.show,
          ),
        ),
      ];
    }),
  );
  return markdownTable(
    [
      'workload',
      'procs',
      'system',
      'received',
      ...FIGURES.map((f) => `${f.header} (÷ best peer)`),
    ],
    rows,
  );
}

/** "4,163/s (0.21 × target)", or the rate alone when it has no target. */
function rateToTarget(c: CreationFigure): string {
  const rate = `${fmt(c.perSecond)}/s`;
  return c.target
    ? `${rate} (${(c.perSecond / c.target).toFixed(2)} × target)`
    : rate;
}

/**
 * scheduleman against the best peer, per figure the issue names; a verdict each. The
 * creation figures with a target follow, against it (issue 14: bulk ≥ 20,000/s, single
 * ≥ 3,000/s with 50 in flight).
 */
export function verdictsTable(
  runs: readonly PeerRun[],
  creations: readonly CreationFigure[] = [],
): string {
  const rows: string[][] = [];
  const verdict = (
    label: string,
    group: readonly PeerRun[],
    figure: Figure,
  ) => {
    const ours = group.find((r) => r.system === SCHEDULEMAN);
    const value = ours ? figure.value(ours) : undefined;
    const best = bestPeer(group, figure.value, figure.lowerIsBetter);
    const bestName = group.find(
      (r) => r.system !== SCHEDULEMAN && figure.value(r) === best,
    )?.system;
    if (value === undefined || best === undefined) {
      rows.push([label, '-', '-', '-', 'not measured']);
      return;
    }
    const ahead = figure.lowerIsBetter ? value <= best : value >= best;
    rows.push([
      label,
      figure.show(value),
      `${figure.show(best)} (${bestName ?? '?'})`,
      `${(value / best).toFixed(2)} ×`,
      ahead ? 'ahead' : 'behind',
    ]);
  };
  const p99 = FIGURES[1];
  const workerCpu = FIGURES[5];
  for (const group of groups(runs)) {
    const { workload, processes } = group[0];
    verdict(`${workload} p99, ${String(processes)} process(es)`, group, p99);
    verdict(
      `${workload} worker CPU per fire, ${String(processes)} process(es)`,
      group,
      workerCpu,
    );
  }
  for (const c of creations) {
    if (!c.target || c.system !== SCHEDULEMAN) continue;
    rows.push([
      `${c.method} creation/s`,
      fmt(c.perSecond),
      `${fmt(c.target)} (target)`,
      `${(c.perSecond / c.target).toFixed(2)} ×`,
      c.perSecond >= c.target ? 'met' : 'missed',
    ]);
  }
  return markdownTable(
    ['figure', 'scheduleman', 'best peer', 'ratio', 'verdict'],
    rows,
  );
}

/**
 * Creation rates: each workload's enqueue, then the creation phase's figures, as a ratio
 * to their targets, with the API's and PostgreSQL's CPU per schedule.
 */
export function creationTable(report: PeersReport): string {
  const rows = report.runs
    .filter((r) => r.enqueuePerSecond !== undefined)
    .map((r) => [
      r.system,
      r.enqueueMethod,
      `${fmt(r.enqueuePerSecond)}/s`,
      '-',
      `${r.workload}, ${String(r.evaluation.expected)} jobs, ${String(r.processes)} process(es) running`,
    ]);
  for (const c of report.creations)
    rows.push([
      c.system,
      c.method,
      rateToTarget(c),
      `${fmt(c.apiCpuMsPerSchedule, 3)} / ${fmt(c.pgCpuMsPerSchedule, 3)}`,
      c.detail,
    ]);
  return markdownTable(
    ['system', 'how', 'rate', 'API / PG CPU ms per schedule', 'measured on'],
    rows,
  );
}

/**
 * scheduleman's bulk and single creation against their targets, from the creation
 * phase's rounds (medians), as the peers report prints them.
 */
export function creationFigures(
  rounds: readonly CreationRound[],
  batchSize: number,
): CreationFigure[] {
  const kinds = [
    {
      kind: 'bulk' as const,
      method: `bulk (POST /schedules/batch, ${String(batchSize)} per request, 1 in flight)`,
      target: BULK_TARGET_PER_SECOND,
    },
    {
      kind: 'single' as const,
      method: `single (POST /schedules, ${String(SINGLE_IN_FLIGHT)} in flight)`,
      target: SINGLE_TARGET_PER_SECOND,
    },
  ];
  return kinds.flatMap(({ kind, method, target }) => {
    const of = rounds.filter((r) => r.kind === kind);
    const m = creationMedians(rounds, kind);
    if (m.perSecond === undefined) return [];
    return [
      {
        system: SCHEDULEMAN,
        method,
        perSecond: m.perSecond,
        target,
        apiCpuMsPerSchedule: m.apiCpuMs,
        pgCpuMsPerSchedule: m.pgCpuMs,
        detail: `creation phase, median of ${String(of.length)} round(s) of ${String(of[0]?.created ?? 0)}, API alone, due tomorrow`,
      },
    ];
  });
}

/** What makes a run's figures untrustworthy: missing deliveries, duplicates under two keys, errors. */
export function peerProblems(run: PeerRun): string[] {
  const name = `${run.system} ${run.workload}/${String(run.processes)}`;
  const e = run.evaluation;
  const problems = run.errors.map((error) => `${name}: ${error}`);
  if (e.missing)
    problems.push(
      `${name}: ${String(e.missing)} of ${String(e.expected)} never arrived (${e.missingSample.join(', ')})`,
    );
  if (e.unexpected)
    problems.push(`${name}: ${String(e.unexpected)} unexpected deliveries`);
  if (e.duplicatesWithDifferentKeys)
    problems.push(
      `${name}: ${String(e.duplicatesWithDifferentKeys)} delivered under two keys`,
    );
  return problems;
}

export function renderPeersReport(
  report: PeersReport,
  problems: readonly string[],
): string {
  const machine = Object.entries(report.machine)
    .map(([k, v]) => `- ${k}: ${v}`)
    .join('\n');
  const peers = report.peers
    .map((p) => `- ${p.name} ${p.version}: ${p.settings}`)
    .join('\n');
  return [
    `# scheduleman beside graphile-worker, pg-boss and BullMQ, ${report.startedAt}`,
    `\`${report.command}\`, ${report.wallSeconds.toFixed(0)} s wall\n\n${machine}`,
    `## Peers and their settings\n\n${peers}`,
    `## Every figure, with its ratio to the best peer's in the same configuration\n\n${peersTable(report.runs)}`,
    `## scheduleman against the best peer\n\n${verdictsTable(report.runs, report.creations)}`,
    `## Creation\n\n${creationTable(report)}`,
    `## Problems seen\n\n${problems.map((p) => `- ${p}`).join('\n') || 'none'}`,
  ].join('\n\n');
}
