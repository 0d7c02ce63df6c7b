import type { RunResult } from '../runner/run-workload';
import { fmt, markdownTable } from '../report/table';

/** One batch of creations through POST /schedules by one variant, in one round. */
export interface CreationSample {
  variant: string;
  round: number;
  count: number;
  perSecond: number;
  failures: number;
  firstFailure?: string;
  /** CPU of the API process over the batch, per creation. */
  apiCpuMsPerCreation: number;
  /** CPU of PostgreSQL (postmaster and backends) over the batch, per creation; embedded server only. */
  pgCpuMsPerCreation?: number;
  /** pg_stat_statements on the run's database over the batch, per creation, when loaded. */
  statementsPerCreation?: number;
  statementMsPerCreation?: number;
  /** The distinct `owner` values of the created schedules. */
  owners: (string | null)[];
}

/** What the receiver counted for one sample, and what it should have. */
interface Signatures {
  variant: string;
  round: number;
  /** Signatures each delivery must carry: one per active secret, 0 for unsigned. */
  expectedSignatures: number;
  requests: number;
  signed: number;
  signatures: number;
}

/** One burst fired by one scheduler with the variant's signing settings, in one round (the receiver's counts include the warm-up). */
export interface SigningSample extends Signatures {
  run: RunResult;
}

/** The scheduler's fire path alone (no database), 100 in flight for a fixed time, in one round. */
export interface FirePathSample extends Signatures {
  perSecond: number;
  failed: number;
  firstError?: string;
}

export interface SecurityCostReport {
  startedAt: string;
  machine: Record<string, string>;
  command: string;
  wallSeconds: number;
  creation: CreationSample[];
  firePath: FirePathSample[];
  signing: SigningSample[];
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `items` started at position `round` (mod length): variants alternate which goes first. */
export function rotated<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** "1234 (0.95 ×)": a figure with its ratio to the baseline measured in the same run. */
export function withRatio(
  value: number | undefined,
  base: number | undefined,
  decimals = 0,
): string {
  if (value === undefined) return '-';
  const ratio = base ? ` (${(value / base).toFixed(2)} ×)` : '';
  return `${fmt(value, decimals)}${ratio}`;
}

/** Variant names in the order of their first sample: the first is the baseline. */
function variantsOf(samples: readonly { variant: string }[]): string[] {
  return [...new Set(samples.map((s) => s.variant))];
}

/** Median over the variant's rounds of one figure, and the same for the baseline. */
function medians<S extends { variant: string }>(
  samples: readonly S[],
  variant: string,
  figure: (s: S) => number | undefined,
): number | undefined {
  return median(
    samples
      .filter((s) => s.variant === variant)
      .map(figure)
      .filter((v): v is number => v !== undefined),
  );
}

/** min–max over the rounds of variant / baseline, each pair measured back to back. */
function pairedRatios<S extends { variant: string; round: number }>(
  samples: readonly S[],
  variant: string,
  baseline: string,
  figure: (s: S) => number | undefined,
): string {
  const ratios: number[] = [];
  for (const s of samples.filter((x) => x.variant === variant)) {
    const base = samples.find(
      (x) => x.variant === baseline && x.round === s.round,
    );
    const a = figure(s);
    const b = base && figure(base);
    if (a !== undefined && b) ratios.push(a / b);
  }
  if (!ratios.length) return '-';
  const lo = Math.min(...ratios).toFixed(2);
  const hi = Math.max(...ratios).toFixed(2);
  return lo === hi ? `${lo} ×` : `${lo}–${hi} ×`;
}

interface Figure<S> {
  header: string;
  figure: (s: S) => number | undefined;
  decimals?: number;
  /** False for a figure whose ratio means nothing (the baseline's is 0). */
  ratio?: boolean;
}

/** A row per variant, each figure with its ratio to the first variant's (the baseline). */
function comparisonTable<S extends { variant: string; round: number }>(
  samples: readonly S[],
  byRound: Figure<S>,
  figures: Figure<S>[],
): string {
  const variants = variantsOf(samples);
  const baseline = variants[0];
  return markdownTable(
    [
      'variant',
      `${byRound.header} by round`,
      `median ${byRound.header} (× ${baseline})`,
      `paired ratio to ${baseline}, by round`,
      ...figures.map((f) =>
        f.ratio === false ? f.header : `${f.header} (× ${baseline})`,
      ),
    ],
    variants.map((variant) => [
      variant,
      samples
        .filter((s) => s.variant === variant)
        .map((s) => fmt(byRound.figure(s)))
        .join(', '),
      withRatio(
        medians(samples, variant, byRound.figure),
        medians(samples, baseline, byRound.figure),
      ),
      variant === baseline
        ? '-'
        : pairedRatios(samples, variant, baseline, byRound.figure),
      ...figures.map((f) =>
        withRatio(
          medians(samples, variant, f.figure),
          f.ratio === false ? undefined : medians(samples, baseline, f.figure),
          f.decimals,
        ),
      ),
    ]),
  );
}

export function creationTable(samples: readonly CreationSample[]): string {
  return comparisonTable(
    samples,
    { header: 'creations/s', figure: (s) => s.perSecond },
    [
      {
        header: 'API CPU ms/creation',
        figure: (s) => s.apiCpuMsPerCreation,
        decimals: 3,
      },
      {
        header: 'PostgreSQL CPU ms/creation',
        figure: (s) => s.pgCpuMsPerCreation,
        decimals: 3,
      },
      {
        header: 'statements/creation',
        figure: (s) => s.statementsPerCreation,
        decimals: 2,
      },
      {
        header: 'statement ms/creation',
        figure: (s) => s.statementMsPerCreation,
        decimals: 3,
      },
    ],
  );
}

const signaturesPerDelivery: Figure<Signatures> = {
  header: 'signatures/delivery',
  figure: (s) => (s.requests ? s.signatures / s.requests : undefined),
  decimals: 2,
  ratio: false,
};

export function signingTable(samples: readonly SigningSample[]): string {
  return comparisonTable(
    samples,
    { header: 'fires/s', figure: (s) => s.run.firesPerSecond },
    [
      signaturesPerDelivery,
      { header: 'p50 ms', figure: (s) => s.run.evaluation.latenessMs.p50 },
      { header: 'p99 ms', figure: (s) => s.run.evaluation.latenessMs.p99 },
    ],
  );
}

export function firePathTable(samples: readonly FirePathSample[]): string {
  return comparisonTable(
    samples,
    { header: 'req/s', figure: (s) => s.perSecond },
    [signaturesPerDelivery],
  );
}

/** What makes the figures untrustworthy: failed creations, wrong owners, wrong signatures. */
export function securityCostProblems(
  report: SecurityCostReport,
  ownerVariant: string,
  owner: string,
): string[] {
  const problems: string[] = [];
  for (const s of report.creation) {
    if (s.failures)
      problems.push(
        `creation ${s.variant}, round ${s.round}: ${s.failures} failed: ${s.firstFailure}`,
      );
    if (s.variant === ownerVariant && s.owners.join() !== owner)
      problems.push(
        `creation ${s.variant}, round ${s.round}: owners ${JSON.stringify(s.owners)}, not only '${owner}'`,
      );
  }
  for (const s of report.firePath) {
    if (s.failed)
      problems.push(
        `fire path ${s.variant}, round ${s.round}: ${s.failed} failed: ${s.firstError}`,
      );
  }
  for (const [kind, samples] of [
    ['fire path', report.firePath],
    ['signing', report.signing],
  ] as const) {
    for (const s of samples) {
      const want = s.expectedSignatures;
      if (
        s.signed !== (want ? s.requests : 0) ||
        s.signatures !== want * s.signed
      )
        problems.push(
          `${kind} ${s.variant}, round ${s.round}: ${s.signed} of ${s.requests} deliveries signed with ${s.signatures} signatures, expected ${want} each`,
        );
    }
  }
  return problems;
}

export function renderSecurityCostReport(
  report: SecurityCostReport,
  problems: readonly string[],
): string {
  const machine = Object.entries(report.machine)
    .map(([k, v]) => `- ${k}: ${v}`)
    .join('\n');
  const creations = report.creation[0]?.count ?? 0;
  const burst = report.signing[0]?.run.evaluation.expected ?? 0;
  return [
    `# scheduleman: cost of authentication and signing, ${report.startedAt}`,
    `\`${report.command}\`, ${report.wallSeconds.toFixed(0)} s wall\n\n${machine}`,
    `## Creations through POST /schedules\n\n${creations} creations per variant and round, 50 in flight over keep-alive, ` +
      `variants alternated; ratios are to "auth off" measured in the same run (medians over the rounds; ` +
      `the paired ratio compares the batches of one round, run back to back).\n\n${creationTable(report.creation)}`,
    `## The scheduler's fire path alone\n\nFireExecutor + WebhookTriggerProvider + its undici client against the receiver, ` +
      `100 in flight, no database; ratios are to "unsigned" measured in the same run.\n\n${firePathTable(report.firePath)}`,
    `## A burst of ${burst} webhook one-shots, one scheduler\n\nA fresh cluster per run, variants alternated; ` +
      `ratios are to "unsigned" measured in the same run.\n\n${signingTable(report.signing)}`,
    `## Problems seen\n\n${problems.map((p) => `- ${p}`).join('\n') || 'none'}`,
  ].join('\n\n');
}
