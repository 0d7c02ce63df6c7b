import { generateSigningSecret, parseSigningSecret } from '@scheduleman/domain';
import { ApiClient, TEST_ADMIN_API_KEY } from '@scheduleman/testkit';
import {
  benchCommandLine,
  failed,
  measureThenClose,
  runEnvironment,
} from '../bench-command';
import { measureFirePath } from '../ceilings/http-ceiling';
import { BenchCluster } from '../infra/bench-cluster';
import { StatementStats } from '../infra/statement-stats';
import { resultsDir } from '../infra/workspace';
import type { HarnessOptions } from '../options';
import { writeReport } from '../report/bench-report';
import { meterApiCpu, ownerKeyClient, startApiOnly } from '../runner/api-only';
import { Harness } from '../runner/harness';
import {
  createMigratedDatabase,
  RunEnvironment,
  runWorkload,
} from '../runner/run-workload';
import { burstWorkload } from '../workloads/one-shots';
import { dueTomorrow } from '../workloads/workload';
import {
  CreationSample,
  creationTable,
  FirePathSample,
  firePathTable,
  renderSecurityCostReport,
  rotated,
  SecurityCostReport,
  securityCostProblems,
  SigningSample,
  signingTable,
} from './security-cost-report';

/**
 * `npm run bench -- --security-cost [--smoke]`: what authentication and signed
 * deliveries cost, each against the same thing switched off, on the same machine,
 * PostgreSQL and receiver, in one run, the variants alternated round by round (the first
 * variant of each round rotates) so that the machine's noise hits all of them.
 *
 * - Creations: two APIs on one database, one with AUTH_DISABLED=true, one with
 *   authentication on; the latter is called with the admin key (a hash compare) and with
 *   an owner-bound key made by POST /api-keys (a lookup by hash on every request: the
 *   realistic cost). Schedules are due tomorrow, so no scheduler runs.
 * - The scheduler's fire path alone (FireExecutor, WebhookTriggerProvider, undici; no
 *   database), a closed loop against the receiver, unsigned and signed: signing's CPU
 *   cost without the database's and the API's noise.
 * - Deliveries: a burst of one-shots fired by one scheduler, a fresh cluster per run,
 *   without WEBHOOK_SIGNING_SECRETS and with two installation secrets (two signatures per
 *   delivery). The receiver counts the signatures; it does not verify them (that would be
 *   the receiver's cost, not the scheduler's; delivery.e2e-spec.ts verifies them).
 */
interface Sizes {
  creationRounds: number;
  creationsPerRound: number;
  /** Unmeasured creations per variant first: a fresh API is slow for its first thousand. */
  creationWarmUp: number;
  firePathRounds: number;
  /** Measured time of one fire-path round (after 1 s unmeasured when it is at least 1 s). */
  firePathMs: number;
  burstRounds: number;
  burst: number;
  burstWarmUp: number;
}

function sizes(options: HarnessOptions): Sizes {
  return options.smoke
    ? {
        creationRounds: 2,
        creationsPerRound: 200,
        creationWarmUp: 200,
        firePathRounds: 1,
        firePathMs: 300,
        burstRounds: 1,
        burst: 200,
        burstWarmUp: 0,
      }
    : {
        // Six rounds: each of the three variants goes first, second and third twice.
        creationRounds: 6,
        creationsPerRound: 1_500,
        creationWarmUp: 1_000,
        firePathRounds: 5,
        firePathMs: 2_000,
        burstRounds: 3,
        // Smaller than the main bench's 10,000: six bursts are created through the API, and
        // on a machine shared with others' tests 10,000 (and once 5,000) took minutes to
        // create and a starved scheduler outlasted the straggler wait.
        burst: 3_000,
        burstWarmUp: options.burstWarmUp,
      };
}

const OWNER = 'bench-owner';
const OWNER_KEY_VARIANT = 'owner key';

interface CreationVariant {
  name: string;
  client: ApiClient;
  cluster: BenchCluster;
}

/**
 * `count` schedules due tomorrow through one variant; CPU of its API and of PostgreSQL,
 * and the statements on the database (only this variant's API is busy), over the batch.
 */
async function createBatch(
  env: RunEnvironment,
  statements: StatementStats | undefined,
  variant: CreationVariant,
  round: number,
  count: number,
): Promise<CreationSample> {
  await statements?.reset();
  const { result, cpu } = await meterApiCpu(
    env,
    variant.cluster,
    () =>
      variant.client.createMany(
        dueTomorrow(
          env.clock,
          env.receiverClient.hookUrl,
          `${variant.name}-${round}`,
          count,
        ),
        (body) => body,
      ),
    (r) => r.created.length,
  );
  const summary = await statements?.summary();
  const created = Math.max(1, result.created.length);
  return {
    variant: variant.name,
    round,
    count,
    perSecond: result.perSecond,
    failures: result.failures.length,
    firstFailure: result.failures[0],
    apiCpuMsPerCreation: cpu.apiCpuMs,
    pgCpuMsPerCreation: cpu.pgCpuMs,
    statementsPerCreation: summary && summary.calls / created,
    statementMsPerCreation: summary && summary.totalMs / created,
    owners: [...new Set(result.created.map((c) => c.schedule.owner))],
  };
}

/** Pushes each sample into `samples` as it is measured, so a failure keeps the earlier ones. */
async function measureCreations(
  env: RunEnvironment,
  size: Sizes,
  samples: CreationSample[],
): Promise<void> {
  const databaseUrl = await createMigratedDatabase(env.server, 'bench_auth');
  const start = (name: string, apiEnv: Record<string, string>) =>
    startApiOnly(env, databaseUrl, name, apiEnv);
  const statements = await StatementStats.open(databaseUrl);
  const clusters: BenchCluster[] = [];
  const clients: ApiClient[] = [];
  try {
    clusters.push(await start('creation-auth-off', { AUTH_DISABLED: 'true' }));
    clusters.push(await start('creation-auth-on', {}));
    const [off, on] = clusters;
    clients.push(
      new ApiClient(off.apiUrl),
      new ApiClient(on.apiUrl, { apiKey: TEST_ADMIN_API_KEY }),
    );
    clients.push(
      await ownerKeyClient(clients[1], on.apiUrl, OWNER, 'bench security cost'),
    );
    const variants: CreationVariant[] = [
      { name: 'auth off', client: clients[0], cluster: off },
      { name: 'admin key', client: clients[1], cluster: on },
      { name: OWNER_KEY_VARIANT, client: clients[2], cluster: on },
    ];
    for (const variant of variants)
      await createBatch(env, statements, variant, 0, size.creationWarmUp);
    for (let round = 1; round <= size.creationRounds; round++) {
      for (const variant of rotated(variants, round - 1)) {
        const sample = await createBatch(
          env,
          statements,
          variant,
          round,
          size.creationsPerRound,
        );
        env.log(
          `creations, round ${round}, ${variant.name}: ${sample.perSecond.toFixed(0)}/s, API ${sample.apiCpuMsPerCreation.toFixed(3)} ms CPU each`,
        );
        samples.push(sample);
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    for (const cluster of clusters) await cluster.stop();
    await env.server.dropDatabase(databaseUrl).catch(() => undefined);
  }
}

interface SigningVariant {
  name: string;
  key: string;
  /** The installation secrets, as WEBHOOK_SIGNING_SECRETS holds them. */
  secrets: string[];
}

function signingVariants(): SigningVariant[] {
  return [
    { name: 'unsigned', key: 'unsigned', secrets: [] },
    {
      name: 'signed, 2 secrets',
      key: 'signed',
      secrets: [generateSigningSecret(), generateSigningSecret()],
    },
  ];
}

/** The fire path alone, unsigned and signed alternated: the CPU cost without the database's noise. */
async function measureFirePaths(
  env: RunEnvironment,
  size: Sizes,
  samples: FirePathSample[],
): Promise<void> {
  const variants = signingVariants();
  for (let round = 1; round <= size.firePathRounds; round++) {
    for (const variant of rotated(variants, round - 1)) {
      await env.receiverClient.reset();
      const loop = await measureFirePath(
        env.receiverClient.hookUrl,
        size.firePathMs,
        variant.secrets.map(parseSigningSecret),
      );
      const count = await env.receiverClient.count();
      env.log(
        `fire path, round ${round}, ${variant.name}: ${loop.perSecond.toFixed(0)} req/s`,
      );
      samples.push({
        variant: variant.name,
        round,
        expectedSignatures: variant.secrets.length,
        perSecond: loop.perSecond,
        failed: loop.failed,
        firstError: loop.firstError,
        requests: count.requests,
        signed: count.signed,
        signatures: count.signatures,
      });
    }
  }
}

/** Like measureCreations, into `samples`. */
async function measureSigning(
  env: RunEnvironment,
  size: Sizes,
  samples: SigningSample[],
): Promise<void> {
  const variants = signingVariants();
  for (let round = 1; round <= size.burstRounds; round++) {
    for (const variant of rotated(variants, round - 1)) {
      const workload = {
        ...burstWorkload(size.burst, size.burstWarmUp),
        name: `burst-${variant.key}-r${round}`,
      };
      env.log(`${workload.name}: ${workload.description}, ${variant.name}`);
      const run = await runWorkload(
        {
          ...env,
          schedulerEnv: {
            ...env.schedulerEnv,
            ...(variant.secrets.length
              ? { WEBHOOK_SIGNING_SECRETS: variant.secrets.join(',') }
              : {}),
          },
        },
        workload,
        1,
      );
      const count = await env.receiverClient.count();
      samples.push({
        variant: variant.name,
        round,
        expectedSignatures: variant.secrets.length,
        run,
        requests: count.requests,
        signed: count.signed,
        signatures: count.signatures,
      });
    }
  }
}

export async function runSecurityCostCommand(
  options: HarnessOptions,
): Promise<number> {
  const harness = await Harness.start('bench', options.externalDatabaseUrl);
  const env = runEnvironment(harness, options);
  const size = sizes(options);
  const report: SecurityCostReport = {
    startedAt: harness.startedAt,
    machine: await harness.machine(),
    command: benchCommandLine(),
    wallSeconds: 0,
    creation: [],
    firePath: [],
    signing: [],
  };
  harness.log(`security cost; logs in ${harness.logRoot}`);
  const stopped = await measureThenClose(harness, async () => {
    await measureCreations(env, size, report.creation);
    await measureFirePaths(env, size, report.firePath);
    await measureSigning(env, size, report.signing);
  });
  report.wallSeconds = harness.elapsedSeconds();
  const problems = [
    ...stopped,
    ...securityCostProblems(report, OWNER_KEY_VARIANT, OWNER),
    ...report.signing
      .filter((s) => failed(s.run))
      .map(
        (s) =>
          `signing ${s.variant}, round ${s.round}: ${s.run.evaluation.missing} missing, ${s.run.evaluation.outsideBound} outside ±10 s, crashes: ${s.run.unexpectedExits.join('; ') || 'none'}`,
      ),
  ];
  const name = `security-cost${options.smoke ? '-smoke' : ''}-${harness.stamp}`;
  const files = writeReport(
    resultsDir(),
    name,
    { ...report, problems },
    renderSecurityCostReport(report, problems),
  );
  console.log(
    `\n${creationTable(report.creation)}\n\n${firePathTable(report.firePath)}\n\n${signingTable(report.signing)}\n`,
  );
  for (const problem of problems) console.log(`BROKEN: ${problem}`);
  console.log(`written: ${files.join(', ')}`);
  console.log(
    problems.length
      ? `bench: ${problems.length} problem(s), the figures are not to be trusted`
      : 'bench: security cost measured',
  );
  return problems.length ? 1 : 0;
}
