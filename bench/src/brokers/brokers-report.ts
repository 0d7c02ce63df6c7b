import { fmt, markdownTable } from '../report/table';
import { median } from '../security-cost/security-cost-report';
import type { BareResult } from './bare-publish';
import type { SchedulemanResult } from './scheduleman-run';

/** One broker in one round: its bare client, then scheduleman's provider against it. */
export interface BrokerRow {
  broker: string;
  round: number;
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
  rounds: number;
  rows: BrokerRow[];
}

/** "0.42 ×": `value` over `base`, or '-' when either is missing. */
export function ratio(
  value: number | undefined,
  base: number | undefined,
): string {
  return value !== undefined && base ? `${(value / base).toFixed(2)} ×` : '-';
}

/** The median over a broker's rounds of one figure. */
function med(
  rows: readonly BrokerRow[],
  figure: (row: BrokerRow) => number | undefined,
): number | undefined {
  return median(rows.map(figure).filter((v): v is number => v !== undefined));
}

/** min–max over the rounds of scheduleman's figure over the bare client's, each pair measured back to back. */
function pairedRange(
  rows: readonly BrokerRow[],
  figure: (row: BrokerRow) => [number | undefined, number | undefined],
): string {
  const ratios = rows.flatMap((row) => {
    const [value, base] = figure(row);
    return value !== undefined && base ? [value / base] : [];
  });
  if (ratios.length < 2) return '';
  const lo = Math.min(...ratios).toFixed(2);
  const hi = Math.max(...ratios).toFixed(2);
  return ` (${lo}–${hi})`;
}

const firesPerSecond = (row: BrokerRow) => row.scheduleman?.firesPerSecond;
const bareRate = (row: BrokerRow) => row.bare?.perSecond;
const initiationP99 = (row: BrokerRow) => row.scheduleman?.initiationMs.p99;
const publishP99 = (row: BrokerRow) => row.bare?.publishMs.p99;

/**
 * One row per broker, medians over its rounds; scheduleman's figures as ratios to its
 * bare client's (of the medians, and in brackets the range of the rounds' paired ratios).
 */
export function brokersTable(rows: readonly BrokerRow[]): string {
  const brokers = [...new Set(rows.map((r) => r.broker))];
  return markdownTable(
    [
      'broker',
      'bare msgs/s by round',
      'scheduleman fires/s by round',
      'fires/s ÷ bare',
      'bare p50 / p99 publish ms',
      'scheduleman p50 / p99 initiation ms',
      'p99 ÷ bare',
      'lateness p50 / p99 ms',
      'arrived once / missing / dup / unexpected',
    ],
    brokers.map((broker) => {
      const all = rows.filter((r) => r.broker === broker);
      const notRun = all.find((r) => r.notRun)?.notRun;
      if (notRun) return [broker, `not run: ${notRun}`];
      const byRound = (figure: (row: BrokerRow) => number | undefined) =>
        all.map((r) => fmt(figure(r))).join(', ');
      const smNotRun = all.find((r) => r.schedulemanNotRun)?.schedulemanNotRun;
      const measured = all.filter((r) => r.scheduleman);
      const sum = (figure: (row: BrokerRow) => number) =>
        String(measured.reduce((total, r) => total + figure(r), 0));
      const a = (r: BrokerRow) =>
        r.scheduleman?.arrivals ?? {
          received: 0,
          missing: 0,
          duplicated: 0,
          unexpected: 0,
        };
      const pair = (
        p50: (row: BrokerRow) => number | undefined,
        p99: (row: BrokerRow) => number | undefined,
        decimals: number,
      ) => `${fmt(med(all, p50), decimals)} / ${fmt(med(all, p99), decimals)}`;
      return [
        broker,
        byRound(bareRate),
        smNotRun ? `not run: ${smNotRun}` : byRound(firesPerSecond),
        ratio(med(all, firesPerSecond), med(all, bareRate)) +
          pairedRange(all, (r) => [firesPerSecond(r), bareRate(r)]),
        pair((r) => r.bare?.publishMs.p50, publishP99, 1),
        measured.length
          ? pair((r) => r.scheduleman?.initiationMs.p50, initiationP99, 1)
          : '-',
        ratio(med(all, initiationP99), med(all, publishP99)) +
          pairedRange(all, (r) => [initiationP99(r), publishP99(r)]),
        measured.length
          ? pair(
              (r) => r.scheduleman?.latenessMs.p50,
              (r) => r.scheduleman?.latenessMs.p99,
              0,
            )
          : '-',
        measured.length
          ? `${sum((r) => a(r).received - a(r).unexpected)} / ${sum((r) => a(r).missing)} / ${sum((r) => a(r).duplicated)} / ${sum((r) => a(r).unexpected)}`
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
  const name = `${row.broker}, round ${String(row.round)}`;
  const problems = row.errors.map((e) => `${name}: ${e}`);
  const p = (text: string) => problems.push(`${name}: ${text}`);
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
    `## ${String(report.count)} messages per broker and round, ${String(report.rounds)} round(s)\n\n` +
      `Bare: the broker's client, ${String(report.inFlight)} publishes in flight, each awaited until the broker confirms it. ` +
      `scheduleman: ${String(report.count)} one-shots due at the same instant, one scheduler with MAX_IN_FLIGHT=${String(report.inFlight)}; ` +
      `fires/s from the first fire's start to the last one's end, initiation = finishedAt - firedAt of each execution. ` +
      `Per round and broker the bare client runs first, then scheduleman, each after unmeasured warm-up messages; the brokers' order rotates by round. ` +
      `Figures are medians over the rounds; ratios are of those medians to the bare client's, against the same broker, ` +
      `with the range of the rounds' paired ratios in brackets.\n\n${brokersTable(report.rows)}`,
    `## Problems seen\n\n${problems.map((p) => `- ${p}`).join('\n') || 'none'}`,
  ].join('\n\n');
}
