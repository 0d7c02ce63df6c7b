import { fmt, markdownTable } from '../report/table';
import type { BareResult } from './bare-publish';
import type { SchedulemanResult } from './scheduleman-run';

/** One broker: its bare client and scheduleman's provider against it, in the same run. */
export interface BrokerRow {
  broker: string;
  /** Why nothing was measured (the broker or a tool is absent). */
  notRun?: string;
  bare?: BareResult;
  /** Messages of the bare client read back from the broker (warm-up included) and expected. */
  bareArrived?: { received: number; expected: number };
  /** Why scheduleman's half did not run (e.g. "no provider": the scheduler lacks the trigger type). */
  schedulemanNotRun?: string;
  scheduleman?: SchedulemanResult;
  /** What went wrong while measuring (an exception, a probe that failed). */
  errors: string[];
}

export interface BrokersReport {
  startedAt: string;
  machine: Record<string, string>;
  command: string;
  wallSeconds: number;
  /** Messages per broker and half, publishes in flight (bare) = MAX_IN_FLIGHT (scheduler). */
  count: number;
  inFlight: number;
  rows: BrokerRow[];
}

/** "0.42 ×": `value` over `base`, or '-' when either is missing. */
export function ratio(
  value: number | undefined,
  base: number | undefined,
): string {
  return value !== undefined && base ? `${(value / base).toFixed(2)} ×` : '-';
}

/** One row per broker, scheduleman's figures as ratios to its bare client's. */
export function brokersTable(rows: readonly BrokerRow[]): string {
  return markdownTable(
    [
      'broker',
      'bare msgs/s',
      'scheduleman fires/s',
      'fires/s ÷ bare',
      'bare p50 / p99 publish ms',
      'scheduleman p50 / p99 initiation ms',
      'p99 ÷ bare',
      'lateness p50 / p99 ms',
      'arrived once / missing / dup / unexpected',
    ],
    rows.map((row) => {
      if (row.notRun) return [row.broker, `not run: ${row.notRun}`];
      const bare = row.bare;
      const s = row.scheduleman;
      const sm = row.schedulemanNotRun
        ? `not run: ${row.schedulemanNotRun}`
        : fmt(s?.firesPerSecond);
      return [
        row.broker,
        fmt(bare?.perSecond),
        sm,
        ratio(s?.firesPerSecond, bare?.perSecond),
        bare
          ? `${fmt(bare.publishMs.p50, 1)} / ${fmt(bare.publishMs.p99, 1)}`
          : '-',
        s
          ? `${fmt(s.initiationMs.p50, 1)} / ${fmt(s.initiationMs.p99, 1)}`
          : '-',
        ratio(s?.initiationMs.p99, bare?.publishMs.p99),
        s ? `${fmt(s.latenessMs.p50)} / ${fmt(s.latenessMs.p99)}` : '-',
        s
          ? `${String(s.arrivals.received - s.arrivals.unexpected)} / ${String(s.arrivals.missing)} / ${String(s.arrivals.duplicated)} / ${String(s.arrivals.unexpected)}`
          : '-',
      ];
    }),
  );
}

/**
 * What makes a row's figures untrustworthy or shows a broken promise: failed publishes,
 * failed or unfinished executions, a message missing, repeated or foreign. A broker the
 * bench could not reach is one too (`optional` brokers, e.g. Kafka without kcat, are not).
 */
export function brokerProblems(
  row: BrokerRow,
  optional: readonly string[] = [],
): string[] {
  const problems = row.errors.map((e) => `${row.broker}: ${e}`);
  const p = (text: string) => problems.push(`${row.broker}: ${text}`);
  if (row.notRun) {
    if (!optional.includes(row.broker)) p(`not run: ${row.notRun}`);
    return problems;
  }
  if (row.bare?.failed)
    p(
      `${String(row.bare.failed)} bare publishes failed: ${row.bare.firstError ?? ''}`,
    );
  if (row.bareArrived && row.bareArrived.received !== row.bareArrived.expected)
    p(
      `${String(row.bareArrived.received)} bare messages read back, ${String(row.bareArrived.expected)} published`,
    );
  const s = row.scheduleman;
  if (!s) return problems;
  if (s.creationFailures)
    p(
      `${String(s.creationFailures)} creations failed: ${s.firstCreationFailure ?? ''}`,
    );
  if (s.failed || s.unfinished)
    p(
      `${String(s.failed)} executions failed, ${String(s.unfinished)} unfinished of ${String(s.count)}: ${s.firstError ?? ''}`,
    );
  const a = s.arrivals;
  if (a.missing || a.duplicated || a.unexpected)
    p(
      `at the broker: ${String(a.missing)} missing, ${String(a.duplicated)} more than once, ${String(a.unexpected)} unexpected`,
    );
  return problems;
}

export function renderBrokersReport(
  report: BrokersReport,
  problems: readonly string[],
): string {
  const machine = Object.entries(report.machine)
    .map(([k, v]) => `- ${k}: ${v}`)
    .join('\n');
  return [
    `# scheduleman: broker triggers against their bare clients, ${report.startedAt}`,
    `\`${report.command}\`, ${report.wallSeconds.toFixed(0)} s wall\n\n${machine}`,
    `## ${String(report.count)} messages per broker\n\n` +
      `Bare: the broker's client, ${String(report.inFlight)} publishes in flight, each awaited until the broker confirms it. ` +
      `scheduleman: ${String(report.count)} one-shots due at the same instant, one scheduler with MAX_IN_FLIGHT=${String(report.inFlight)}; ` +
      `fires/s from the first fire's start to the last one's end, initiation = finishedAt - firedAt of each execution. ` +
      `Ratios are to the bare client measured just before, against the same broker.\n\n${brokersTable(report.rows)}`,
    `## Problems seen\n\n${problems.map((p) => `- ${p}`).join('\n') || 'none'}`,
  ].join('\n\n');
}
