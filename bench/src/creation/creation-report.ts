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
  /** CPU of the server process per request: what a loaded machine's noise distorts least. */
  cpuMsPerRequest: number;
  failed: number;
  firstError?: string;
}

export interface CreationReport {
  startedAt: string;
  machine: Record<string, string>;
  command: string;
  wallSeconds: number;
  batchSize: number;
  /** Bulk requests in flight at once (--batches-in-flight). */
  batchesInFlight: number;
  creation: CreationRound[];
  framework: FrameworkRound[];
}

export interface CreationSummary {
  /** Bulk requests in flight at once; 1 when not given. */
  batchesInFlight?: number;
  bulkPerSecond?: number;
  /** Median CPU ms per schedule of the API and of PostgreSQL in the bulk rounds. */
  bulkApiCpuMs?: number;
  bulkPgCpuMs?: number;
  singlePerSecond?: number;
  expressPerSecond?: number;
  fastifyPerSecond?: number;
  /** Median over the rounds of Fastify's rate / Express's in the same round. */
  fastifyToExpressPaired?: number;
  /** Median CPU ms per request of each platform, and of the API per single creation. */
  expressCpuMs?: number;
  fastifyCpuMs?: number;
  singleCpuMs?: number;
}

/** Medians over the rounds of one kind: schedules/s, and API / PostgreSQL CPU ms per schedule. */
export interface CreationMedians {
  perSecond?: number;
  apiCpuMs?: number;
  pgCpuMs?: number;
}

export function creationMedians(
  rounds: readonly CreationRound[],
  kind: CreationRound['kind'],
): CreationMedians {
  const of = rounds.filter((r) => r.kind === kind);
  return {
    perSecond: median(of.map((r) => r.perSecond)),
    apiCpuMs: median(of.map((r) => r.apiCpuMsPerSchedule)),
    pgCpuMs: median(
      of.flatMap((r) =>
        r.pgCpuMsPerSchedule === undefined ? [] : [r.pgCpuMsPerSchedule],
      ),
    ),
  };
}

/** Medians over the rounds of each kind and platform. */
export function summarizeCreation(report: CreationReport): CreationSummary {
  const bulk = creationMedians(report.creation, 'bulk');
  const single = creationMedians(report.creation, 'single');
  const on = (platform: FrameworkRound['platform']) =>
    median(
      report.framework
        .filter((r) => r.platform === platform)
        .map((r) => r.perSecond),
    );
  const cpuOn = (platform: FrameworkRound['platform']) =>
    median(
      report.framework
        .filter((r) => r.platform === platform)
        .map((r) => r.cpuMsPerRequest),
    );
  const paired = report.framework.flatMap((fastify) => {
    const express = report.framework.find(
      (r) => r.platform === 'express' && r.round === fastify.round,
    );
    return fastify.platform === 'fastify' && express && express.perSecond > 0
      ? [fastify.perSecond / express.perSecond]
      : [];
  });
  return {
    batchesInFlight: report.batchesInFlight,
    bulkPerSecond: bulk.perSecond,
    bulkApiCpuMs: bulk.apiCpuMs,
    bulkPgCpuMs: bulk.pgCpuMs,
    singlePerSecond: single.perSecond,
    expressPerSecond: on('express'),
    fastifyPerSecond: on('fastify'),
    fastifyToExpressPaired: median(paired),
    expressCpuMs: cpuOn('express'),
    fastifyCpuMs: cpuOn('fastify'),
    singleCpuMs: single.apiCpuMs,
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
    `bulk creation (POST /schedules/batch, 1000 per request, ${String(summary.batchesInFlight ?? 1)} in flight): ${fmt(bulkPerSecond)} schedules/s = ${ratio(bulkPerSecond, BULK_TARGET_PER_SECOND)} the ${fmt(BULK_TARGET_PER_SECOND)}/s target (${met(bulkPerSecond, BULK_TARGET_PER_SECOND)}); CPU per schedule: API ${fmt(summary.bulkApiCpuMs, 3)} ms, PostgreSQL ${fmt(summary.bulkPgCpuMs, 3)} ms`,
    `single creation (POST /schedules, ${SINGLE_IN_FLIGHT} in flight): ${fmt(singlePerSecond)}/s = ${ratio(singlePerSecond, SINGLE_TARGET_PER_SECOND)} the ${fmt(SINGLE_TARGET_PER_SECOND)}/s target (${met(singlePerSecond, SINGLE_TARGET_PER_SECOND)})`,
    `framework ceiling (bare Nest, one POST route, ${SINGLE_IN_FLIGHT} in flight): Express ${fmt(expressPerSecond)}/s, Fastify ${fmt(fastifyPerSecond)}/s (paired by round: Fastify = ${summary.fastifyToExpressPaired === undefined ? '-' : summary.fastifyToExpressPaired.toFixed(2)} × Express); single creation = ${ratio(singlePerSecond, expressPerSecond)} the Express ceiling`,
    `CPU per request: Express ${fmt(summary.expressCpuMs, 3)} ms, Fastify ${fmt(summary.fastifyCpuMs, 3)} ms (${ratio(summary.fastifyCpuMs, summary.expressCpuMs)} Express); the API per single creation ${fmt(summary.singleCpuMs, 3)} ms (${ratio(summary.singleCpuMs, summary.expressCpuMs)} the bare Express request)`,
  ];
}

/** The rounds whose creations failed. */
export function creationRoundProblems(
  rounds: readonly CreationRound[],
): string[] {
  return rounds
    .filter((r) => r.failures > 0)
    .map(
      (r) =>
        `${r.kind} round ${r.round}: ${r.failures} failed (${r.firstFailure ?? ''})`,
    );
}

/** Problems that make the figures untrustworthy: failed creations or calls. */
export function creationProblems(report: CreationReport): string[] {
  return [
    ...creationRoundProblems(report.creation),
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
    ['platform', 'round', 'requests/s', 'CPU ms/request', 'failed'],
    rounds.map((r) => [
      r.platform,
      String(r.round),
      fmt(r.perSecond),
      fmt(r.cpuMsPerRequest, 3),
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
