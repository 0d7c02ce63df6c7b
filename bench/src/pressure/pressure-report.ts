import { resultsDir } from '../infra/workspace';
import { writeReport } from '../report/bench-report';
import { fmt, fmtMs, markdownTable } from '../report/table';
import type { Harness } from '../runner/harness';
import type { HerdDrain } from './herd-drain';

export interface PressureReport {
  harness: Harness;
  machine: Record<string, string>;
  plan: { name: string };
  smoke: boolean;
  drains: readonly HerdDrain[];
  /** Markdown sections after the result table (the overload's verdict). */
  sections?: string[];
  /** The JSON report, beside startedAt, machine and plan. */
  json: Record<string, unknown>;
}

/**
 * Writes the markdown and JSON reports of a herd or overload run (results/) and prints
 * the tables: the result, the extra sections, the schedulers' counters.
 */
export function writePressureReport(report: PressureReport): void {
  const { harness, machine, plan, drains } = report;
  const sections = report.sections ?? [];
  const markdown = [
    `# scheduleman ${plan.name} run, ${harness.startedAt}`,
    Object.entries(machine)
      .map(([k, v]) => `- ${k}: ${v}`)
      .join('\n'),
    `Plan: ${JSON.stringify(plan)}`,
    `## Result\n\n${pressureTable(drains)}`,
    ...sections,
    `## Scheduler counters (summed over the schedulers)\n\n${countersTable(drains)}`,
    `## Top statements\n\n${topStatements(drains)}`,
  ].join('\n\n');
  const files = writeReport(
    resultsDir(),
    `${plan.name}${report.smoke ? '-smoke' : ''}-${harness.stamp}`,
    { startedAt: harness.startedAt, machine, plan, ...report.json },
    markdown,
  );
  console.log(
    [
      '',
      pressureTable(drains),
      '',
      countersTable(drains),
      ...sections.map((section) => `\n${section}`),
      `written: ${files.join(', ')}`,
    ].join('\n'),
  );
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
