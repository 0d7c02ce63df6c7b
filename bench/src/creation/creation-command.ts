import { join } from 'node:path';
import { type CreateScheduleRequest } from '@scheduleman/domain';
import {
  ApiClient,
  AppProcess,
  freePort,
  TEST_ADMIN_API_KEY,
} from '@scheduleman/testkit';
import { Pool } from 'undici';
import {
  benchCommandLine,
  measureThenClose,
  runEnvironment,
} from '../bench-command';
import { closedLoop } from '../ceilings/closed-loop';
import { BenchCluster } from '../infra/bench-cluster';
import { UsageMeter } from '../infra/usage-meter';
import { monotonicMs } from '../infra/wait';
import { benchMain, resultsDir } from '../infra/workspace';
import type { HarnessOptions } from '../options';
import { writeReport } from '../report/bench-report';
import { meterApiCpu, ownerKeyClient, startApiOnly } from '../runner/api-only';
import { Harness } from '../runner/harness';
import { createMigratedDatabase, RunEnvironment } from '../runner/run-workload';
import { rotated } from '../security-cost/security-cost-report';
import { dueTomorrow } from '../workloads/workload';
import {
  type CreationReport,
  type CreationRound,
  creationProblems,
  creationTable,
  creationVerdict,
  type FrameworkRound,
  frameworkTable,
  renderCreationReport,
  SINGLE_IN_FLIGHT,
  summarizeCreation,
} from './creation-report';
import { FRAMEWORK_PLATFORMS } from './framework-server';

/**
 * `npm run bench -- --creation [--smoke]`: how fast schedules are created, against the
 * targets of issue 14 (bulk ≥ 20,000 schedules/s, single ≥ 3,000/s with 50 in flight),
 * and what the HTTP platform alone allows (a bare Nest app on Express and on Fastify,
 * the same client, the same machine, in the same run). The API runs as deployed
 * (authentication on, an owner-bound key, so every request looks its key up and every
 * creation counts against the owner's quotas); no scheduler runs and the schedules are
 * due tomorrow. Bulk and single alternate round by round.
 */
interface Sizes {
  rounds: number;
  batchSize: number;
  batchesPerRound: number;
  singlesPerRound: number;
  /**
   * Unmeasured first: a fresh API's JIT takes a few thousand requests to settle (the
   * 4 December 02:35 run, after 1,000 of each: API CPU per single creation 0.37, 0.25,
   * 0.23, 0.19 ms in rounds 1–4).
   */
  warmUpSingles: number;
  warmUpBatches: number;
  frameworkRounds: number;
  frameworkMs: number;
}

function sizes(smoke: boolean): Sizes {
  return smoke
    ? {
        rounds: 1,
        batchSize: 200,
        batchesPerRound: 2,
        singlesPerRound: 200,
        warmUpSingles: 100,
        warmUpBatches: 1,
        frameworkRounds: 1,
        frameworkMs: 300,
      }
    : {
        rounds: 4,
        batchSize: 1_000,
        batchesPerRound: 8,
        singlesPerRound: 3_000,
        warmUpSingles: 4_000,
        warmUpBatches: 4,
        frameworkRounds: 4,
        frameworkMs: 3_000,
      };
}

/**
 * The creation phase of `--peers` (creationPhase): two rounds of each kind, half the
 * size of `--creation`'s, about 20 s on a quiet machine; no framework ceiling.
 */
function peersSizes(smoke: boolean): Sizes {
  return smoke
    ? { ...sizes(true), frameworkRounds: 0 }
    : {
        rounds: 2,
        batchSize: 1_000,
        batchesPerRound: 5,
        singlesPerRound: 2_000,
        warmUpSingles: 4_000,
        warmUpBatches: 4,
        frameworkRounds: 0,
        frameworkMs: 0,
      };
}

const OWNER = 'bench-creation';

function bodies(
  env: RunEnvironment,
  label: string,
  count: number,
): CreateScheduleRequest[] {
  return dueTomorrow(env.clock, env.receiverClient.hookUrl, label, count);
}

/** CPU of the API and of PostgreSQL around `work`, per schedule it created. */
async function metered(
  env: RunEnvironment,
  cluster: BenchCluster,
  work: () => Promise<{ created: number; failures: string[]; ms: number }>,
): Promise<Omit<CreationRound, 'kind' | 'round'>> {
  const { result, cpu } = await meterApiCpu(
    env,
    cluster,
    work,
    (r) => r.created,
  );
  const { created, failures, ms } = result;
  return {
    created,
    failures: failures.length,
    firstFailure: failures[0],
    perSecond: created / (ms / 1000),
    apiCpuMsPerSchedule: cpu.apiCpuMs,
    pgCpuMsPerSchedule: cpu.pgCpuMs,
  };
}

/**
 * `count` batches, `inFlight` requests at a time (1: a client importing a list; more:
 * what the API and PostgreSQL do once neither waits for the other).
 */
async function createBatches(
  env: RunEnvironment,
  client: ApiClient,
  label: string,
  count: number,
  size: number,
  inFlight: number,
): Promise<{ created: number; failures: string[]; ms: number }> {
  const all = Array.from({ length: count }, (_, b) =>
    bodies(env, `${label}-${b}`, size),
  );
  const failures: string[] = [];
  let created = 0;
  const started = monotonicMs();
  const send = async () => {
    for (let schedules = all.shift(); schedules; schedules = all.shift()) {
      try {
        // Awaited first: `created += await …` would read `created` before the wait
        // and lose the other senders' counts.
        const { items } = await client.createScheduleBatch(schedules);
        created += items.length;
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, send));
  return { created, failures, ms: monotonicMs() - started };
}

async function createSingles(
  env: RunEnvironment,
  client: ApiClient,
  label: string,
  count: number,
): Promise<{ created: number; failures: string[]; ms: number }> {
  const all = bodies(env, label, count);
  const result = await client.createMany(all, (body) => body, SINGLE_IN_FLIGHT);
  return {
    created: result.created.length,
    failures: result.failures,
    ms: result.elapsedMs,
  };
}

async function measureCreation(
  env: RunEnvironment,
  size: Sizes,
  options: Pick<HarnessOptions, 'apiMain' | 'batchesInFlight'>,
  rounds: CreationRound[],
): Promise<void> {
  const databaseUrl = await createMigratedDatabase(env.server, 'bench_create');
  const cluster = await startApiOnly(
    env,
    databaseUrl,
    'creation',
    {},
    options.apiMain,
  );
  const admin = new ApiClient(cluster.apiUrl, { apiKey: TEST_ADMIN_API_KEY });
  let client: ApiClient | undefined;
  try {
    client = await ownerKeyClient(
      admin,
      cluster.apiUrl,
      OWNER,
      'bench creation',
    );
    const owned = client;
    await createSingles(env, owned, 'warm', size.warmUpSingles);
    await createBatches(
      env,
      owned,
      'warm',
      size.warmUpBatches,
      size.batchSize,
      options.batchesInFlight,
    );
    const kinds = [
      {
        kind: 'bulk' as const,
        run: (round: number) =>
          createBatches(
            env,
            owned,
            `bulk-${round}`,
            size.batchesPerRound,
            size.batchSize,
            options.batchesInFlight,
          ),
      },
      {
        kind: 'single' as const,
        run: (round: number) =>
          createSingles(env, owned, `single-${round}`, size.singlesPerRound),
      },
    ];
    for (let round = 1; round <= size.rounds; round++) {
      for (const { kind, run } of rotated(kinds, round - 1)) {
        const sample = await metered(env, cluster, () => run(round));
        env.log(
          `${kind}, round ${round}: ${sample.perSecond.toFixed(0)} schedules/s, API ${sample.apiCpuMsPerSchedule.toFixed(3)} ms CPU each`,
        );
        rounds.push({ kind, round, ...sample });
      }
    }
  } finally {
    await client?.close();
    await admin.close();
    await cluster.stop();
    await env.server.dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/**
 * The creation figures of `--peers` (issue 14's Done-when prints them in that run): the
 * same measurement as `--creation`, bulk (one batch of 1,000 in flight) and single (50 in
 * flight) alternated, on the run's own PostgreSQL (durable there), smaller (peersSizes).
 */
export async function creationPhase(
  env: RunEnvironment,
  smoke: boolean,
): Promise<{ rounds: CreationRound[]; batchSize: number }> {
  const rounds: CreationRound[] = [];
  const size = peersSizes(smoke);
  await measureCreation(
    env,
    size,
    { apiMain: undefined, batchesInFlight: 1 },
    rounds,
  );
  return { rounds, batchSize: size.batchSize };
}

/** The bare Nest app on each platform, in its own process, alternated round by round. */
async function measureFrameworks(
  env: RunEnvironment,
  size: Sizes,
  rounds: FrameworkRound[],
): Promise<void> {
  const servers = [];
  try {
    for (const platform of FRAMEWORK_PLATFORMS) {
      const port = await freePort();
      const server = new AppProcess({
        name: `framework-${platform}`,
        main: benchMain(),
        args: ['framework', `--platform=${platform}`, `--port=${port}`],
        port,
        readyPath: '/health',
        logFile: join(env.logRoot, `framework-${platform}.log`),
      });
      servers.push({ platform, server, meter: new UsageMeter(server) });
      await server.start().waitReady();
    }
    const body = JSON.stringify(bodies(env, 'ceiling', 1)[0]);
    for (let round = 1; round <= size.frameworkRounds; round++) {
      for (const { platform, server, meter } of rotated(servers, round - 1)) {
        const pool = new Pool(server.url(), {
          connections: SINGLE_IN_FLIGHT,
          pipelining: 1,
        });
        try {
          const send = async () => {
            const res = await pool.request({
              method: 'POST',
              path: '/schedules',
              headers: { 'content-type': 'application/json' },
              body,
            });
            await res.body.text();
            if (res.statusCode !== 201)
              throw new Error(`answered ${res.statusCode}`);
          };
          // Unmeasured first (JIT, connections), then CPU counted over the measured loop.
          if (size.frameworkMs >= 1_000)
            await closedLoop(send, SINGLE_IN_FLIGHT, 1_000);
          meter.mark();
          const loop = await closedLoop(
            send,
            SINGLE_IN_FLIGHT,
            size.frameworkMs,
          );
          const cpuMsPerRequest =
            (meter.usage().cpuSeconds * 1000) / Math.max(1, loop.completed);
          env.log(
            `framework ${platform}, round ${round}: ${loop.perSecond.toFixed(0)} req/s, ${cpuMsPerRequest.toFixed(3)} ms CPU each`,
          );
          rounds.push({
            platform,
            round,
            perSecond: loop.perSecond,
            cpuMsPerRequest,
            failed: loop.failed,
            firstError: loop.firstError,
          });
        } finally {
          await pool.close();
        }
      }
    }
  } finally {
    for (const { server } of servers) await server.kill();
  }
}

export async function runCreationCommand(
  options: HarnessOptions,
): Promise<number> {
  const harness = await Harness.start('bench', options.externalDatabaseUrl);
  const env = runEnvironment(harness, options);
  const size = sizes(options.smoke);
  const report: CreationReport = {
    startedAt: harness.startedAt,
    machine: await harness.machine(),
    command: benchCommandLine(),
    wallSeconds: 0,
    batchSize: size.batchSize,
    batchesInFlight: options.batchesInFlight,
    creation: [],
    framework: [],
  };
  harness.log(`creation; logs in ${harness.logRoot}`);
  const stopped = await measureThenClose(harness, async () => {
    await measureCreation(env, size, options, report.creation);
    await measureFrameworks(env, size, report.framework);
  });
  report.wallSeconds = harness.elapsedSeconds();
  const problems = [...stopped, ...creationProblems(report)];
  const name = `creation${options.smoke ? '-smoke' : ''}-${harness.stamp}`;
  const files = writeReport(
    resultsDir(),
    name,
    { ...report, problems },
    renderCreationReport(report, problems),
  );
  console.log(
    `\n${creationTable(report.creation)}\n\n${frameworkTable(report.framework)}\n`,
  );
  for (const line of creationVerdict(summarizeCreation(report)))
    console.log(line);
  for (const problem of problems) console.log(`BROKEN: ${problem}`);
  console.log(`written: ${files.join(', ')}`);
  return problems.length ? 1 : 0;
}
