import { fmt, markdownTable } from '../report/table';
import { median } from '../security-cost/security-cost-report';

/** The targets of issue 14, as stated: schedules per second. */
export const BULK_TARGET_PER_SECOND = 20_000;
export const SINGLE_TARGET_PER_SECOND = 3_000;
/** In flight for single creations (the target's setting) and for the framework ceiling. */
export const SINGLE_IN_FLIGHT = 50;

/** One measured stretch of one kind, in one round. */
export interface CreationRound {
  kind: 'bulk' | 'single';
  round: number;
  /** Schedules created (bulk: batches × batch size). */
  created: number;
  failures: number;
  firstFailure?: string;
  perSecond: number;
  /** CPU of the API process per created schedule. */
  apiCpuMsPerSchedule: number;
  /** CPU of PostgreSQL per created schedule (embedded server only). */
  pgCpuMsPerSchedule?: number;
}

/** A bare Nest app (one POST route, no validation, no database) on one HTTP platform. */
export interface FrameworkRound {
  platform: 'express' | 'fastify';
  round: number;
  perSecond: number;
  failed: number;
  firstError?: string;
}

export interface CreationReport {
  startedAt: string;
  machine: Record<string, string>;
  command: string;
  wallSeconds: number;
  batchSize: number;
  creation: CreationRound[];
  framework: FrameworkRound[];
}

export interface CreationSummary {
  bulkPerSecond?: number;
  singlePerSecond?: number;
  expressPerSecond?: number;
  fastifyPerSecond?: number;
}

/** Medians over the rounds of each kind and platform. */
export function summarizeCreation(report: CreationReport): CreationSummary {
  const of = (kind: CreationRound['kind']) =>
    median(
      report.creation.filter((r) => r.kind === kind).map((r) => r.perSecond),
    );
  const on = (platform: FrameworkRound['platform']) =>
    median(
      report.framework
        .filter((r) => r.platform === platform)
        .map((r) => r.perSecond),
    );
  return {
    bulkPerSecond: of('bulk'),
    singlePerSecond: of('single'),
    expressPerSecond: on('express'),
    fastifyPerSecond: on('fastify'),
  };
}

function ratio(value: number | undefined, base: number | undefined): string {
  return value === undefined || !base ? '-' : `${(value / base).toFixed(2)} ×`;
}

/**
 * The lines the run ends with: each figure as a ratio to its target, and the
 * framework ceiling as Fastify against Express and the API's single creation against
 * the Express ceiling (how much of the HTTP stack's own rate the API keeps).
 */
export function creationVerdict(summary: CreationSummary): string[] {
  const { bulkPerSecond, singlePerSecond, expressPerSecond, fastifyPerSecond } =
    summary;
  const met = (value: number | undefined, target: number) =>
    value !== undefined && value >= target ? 'met' : 'missed';
  return [
    `bulk creation (POST /schedules/batch, 1000 per request): ${fmt(bulkPerSecond)} schedules/s = ${ratio(bulkPerSecond, BULK_TARGET_PER_SECOND)} the ${fmt(BULK_TARGET_PER_SECOND)}/s target (${met(bulkPerSecond, BULK_TARGET_PER_SECOND)})`,
    `single creation (POST /schedules, ${SINGLE_IN_FLIGHT} in flight): ${fmt(singlePerSecond)}/s = ${ratio(singlePerSecond, SINGLE_TARGET_PER_SECOND)} the ${fmt(SINGLE_TARGET_PER_SECOND)}/s target (${met(singlePerSecond, SINGLE_TARGET_PER_SECOND)})`,
    `framework ceiling (bare Nest, one POST route, ${SINGLE_IN_FLIGHT} in flight): Express ${fmt(expressPerSecond)}/s, Fastify ${fmt(fastifyPerSecond)}/s = ${ratio(fastifyPerSecond, expressPerSecond)} Express; single creation = ${ratio(singlePerSecond, expressPerSecond)} the Express ceiling`,
  ];
}

/** Problems that make the figures untrustworthy: failed creations or calls. */
export function creationProblems(report: CreationReport): string[] {
  return [
    ...report.creation
      .filter((r) => r.failures > 0)
      .map(
        (r) =>
          `${r.kind} round ${r.round}: ${r.failures} failed (${r.firstFailure ?? ''})`,
      ),
    ...report.framework
      .filter((r) => r.failed > 0)
      .map(
        (r) =>
          `framework ${r.platform} round ${r.round}: ${r.failed} failed (${r.firstError ?? ''})`,
      ),
  ];
}

export function creationTable(rounds: readonly CreationRound[]): string {
  return markdownTable(
    [
      'kind',
      'round',
      'created',
      'per second',
      'API CPU ms/schedule',
      'PostgreSQL CPU ms/schedule',
    ],
    rounds.map((r) => [
      r.kind,
      String(r.round),
      String(r.created),
      fmt(r.perSecond),
      fmt(r.apiCpuMsPerSchedule, 3),
      fmt(r.pgCpuMsPerSchedule, 3),
    ]),
  );
}

export function frameworkTable(rounds: readonly FrameworkRound[]): string {
  return markdownTable(
    ['platform', 'round', 'requests/s', 'failed'],
    rounds.map((r) => [
      r.platform,
      String(r.round),
      fmt(r.perSecond),
      String(r.failed),
    ]),
  );
}

export function renderCreationReport(
  report: CreationReport,
  problems: readonly string[],
): string {
  return [
    `# Creation throughput, ${report.startedAt}`,
    '',
    `Command: \`${report.command}\`; ${report.wallSeconds.toFixed(0)} s; machine: ${Object.entries(
      report.machine,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    ...creationVerdict(summarizeCreation(report)).map((line) => `- ${line}`),
    '',
    creationTable(report.creation),
    '',
    frameworkTable(report.framework),
    ...(problems.length ? ['', ...problems.map((p) => `BROKEN: ${p}`)] : []),
  ].join('\n');
}
