import { loadavg } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '@scheduleman/domain';
import { ApiClient, TEST_ADMIN_API_KEY } from '@scheduleman/testkit';
import { benchCommandLine } from '../bench-command';
import { BenchCluster } from '../infra/bench-cluster';
import { resultsDir } from '../infra/workspace';
import type { HarnessOptions } from '../options';
import { writeReport } from '../report/bench-report';
import { Harness } from '../runner/harness';
import { createMigratedDatabase } from '../runner/run-workload';
import { rotated } from '../security-cost/security-cost-report';
import { amqpTarget } from './amqp-target';
import { barePublish } from './bare-publish';
import type { BrokerTarget } from './broker-target';
import {
  type BrokerRow,
  brokerProblems,
  type BrokersReport,
  brokersTable,
  renderBrokersReport,
} from './brokers-report';
import { kafkaTarget } from './kafka-target';
import { mqttTarget } from './mqtt-target';
import { natsTarget } from './nats-target';
import { redisTarget } from './redis-target';
import { type BatchContext, dueAfter, fireBatch } from './scheduleman-run';

/**
 * `npm run bench -- --brokers [--smoke]` (issue 11): each broker trigger against the
 * broker's own client, in one run. Per broker, first the bare client publishes `count`
 * messages with IN_FLIGHT outstanding to a destination of its own, then scheduleman fires
 * `count` one-shots due at one instant through a connection to the same broker and the
 * same destination, with one scheduler whose MAX_IN_FLIGHT is the same IN_FLIGHT. Every
 * message is read back and counted by execution id.
 */
const IN_FLIGHT = 64;

interface Sizes {
  count: number;
  /** Each broker is measured once per round; the brokers' order rotates by round. */
  rounds: number;
  /** Unmeasured publishes (bare) and fires (scheduleman) first: JIT, connections, pools. */
  warmUp: number;
  /** Safety factor on the predicted creation time before the due instant. */
  creationSafety: number;
}

function sizes(smoke: boolean): Sizes {
  return smoke
    ? { count: 50, rounds: 1, warmUp: 10, creationSafety: 2 }
    : { count: 2_000, rounds: 5, warmUp: 200, creationSafety: 1.5 };
}

/** Brokers that may be absent without breaking the run (Kafka needs kcat's mock cluster). */
const OPTIONAL = ['kafka'];

function targets(): BrokerTarget[] {
  return [
    amqpTarget(),
    natsTarget(),
    redisTarget(),
    mqttTarget(),
    kafkaTarget(),
  ];
}

/** What every broker's scheduleman half shares: the cluster's API and database. */
interface Shared {
  api: ApiClient;
  databaseUrl: string;
  harness: Harness;
  size: Sizes;
  /** Creations per second last seen, to place the next batch's due time. */
  creationRate: number;
}

/** The `unknown trigger type` of a scheduler that has no provider for the type. */
const NO_PROVIDER = /unknown trigger type/;

async function measureBroker(
  shared: Shared,
  target: BrokerTarget,
  row: BrokerRow,
): Promise<void> {
  const { harness, size, api } = shared;
  const log = (line: string) => {
    harness.log(`${target.name}, round ${String(row.round)}: ${line}`);
  };
  const tag =
    `${harness.stamp.slice(11, 19)}-${target.name}-r${String(row.round)}`.toLowerCase();
  const destination = await target.open(tag);
  try {
    await barePublish(destination, tag, size.warmUp, IN_FLIGHT);
    row.bare = await barePublish(
      destination,
      tag,
      size.count,
      IN_FLIGHT,
      size.warmUp,
    );
    const expected = size.warmUp + size.count;
    row.bareArrived = {
      received: (await destination.drain(expected, 10_000)).length,
      expected,
    };
    log(
      `bare: ${row.bare.perSecond.toFixed(0)} msgs/s, p99 ${String(row.bare.publishMs.p99?.toFixed(1))} ms`,
    );
    const connection = await api.createConnection({
      name: `bench-${target.name}-r${String(row.round)}`,
      type: target.connectionType,
      url: target.url,
    });
    const ctx: BatchContext = {
      api,
      databaseUrl: shared.databaseUrl,
      clock: harness.clock,
      connectionId: connection.id,
      destination,
      log,
    };
    // One fire first: it opens the scheduler's client and tells whether it has a provider.
    const probe = await fireBatch(
      ctx,
      `${target.name}-probe`,
      1,
      dueAfter(harness.clock, 1, shared.creationRate, 1),
    );
    const probeError = probe.rows[0]?.error ?? undefined;
    if (probeError !== undefined && NO_PROVIDER.test(probeError)) {
      row.schedulemanNotRun = 'no provider';
      log('not run: the scheduler has no provider for it');
      return;
    }
    if (probe.result.succeeded !== 1) {
      row.errors.push(
        `the probe fire did not succeed: ${probe.rows[0]?.status ?? 'no execution'} ${probeError ?? ''}`,
      );
      return;
    }
    if (size.warmUp) {
      const warm = await fireBatch(
        ctx,
        `${target.name}-warm-up`,
        size.warmUp,
        dueAfter(
          harness.clock,
          size.warmUp,
          shared.creationRate,
          size.creationSafety,
        ),
      );
      shared.creationRate = warm.result.creationPerSecond;
    }
    const measured = await fireBatch(
      ctx,
      target.name,
      size.count,
      dueAfter(
        harness.clock,
        size.count,
        shared.creationRate,
        size.creationSafety,
      ),
    );
    if (measured.result.count >= 100)
      shared.creationRate = measured.result.creationPerSecond;
    row.scheduleman = measured.result;
    log(
      `scheduleman: ${String(measured.result.firesPerSecond?.toFixed(0))} fires/s, initiation p99 ${String(measured.result.initiationMs.p99?.toFixed(1))} ms`,
    );
  } finally {
    await destination.close();
  }
}

export async function runBrokersCommand(
  options: HarnessOptions,
): Promise<number> {
  const harness = await Harness.start('bench', options.externalDatabaseUrl);
  const size = sizes(options.smoke);
  const report: BrokersReport = {
    startedAt: harness.startedAt,
    machine: await harness.machine(),
    command: benchCommandLine(),
    wallSeconds: 0,
    count: size.count,
    inFlight: IN_FLIGHT,
    rounds: size.rounds,
    rows: [],
  };
  harness.log(`brokers; logs in ${harness.logRoot}`);
  try {
    const databaseUrl = await createMigratedDatabase(
      harness.server,
      'bench_brokers',
    );
    const cluster = await BenchCluster.start({
      databaseUrl,
      schedulerCount: 1,
      logDir: join(harness.logRoot, 'brokers'),
      logLevel: options.logLevel,
      schedulerEnv: {
        MAX_IN_FLIGHT: String(IN_FLIGHT),
        ...options.schedulerEnv,
      },
      cpuProfile: options.cpuProfile,
      schedulerMain: options.schedulerMain,
    });
    const api = new ApiClient(cluster.apiUrl, { apiKey: TEST_ADMIN_API_KEY });
    const shared: Shared = {
      api,
      databaseUrl,
      harness,
      size,
      creationRate: 200,
    };
    try {
      const available: BrokerTarget[] = [];
      for (const target of targets()) {
        const notRun = await target.unavailable();
        if (notRun === undefined) available.push(target);
        else {
          harness.log(`${target.name}: not run (${notRun})`);
          report.rows.push({
            broker: target.name,
            round: 1,
            notRun,
            errors: [],
          });
        }
      }
      for (let round = 1; round <= size.rounds; round++) {
        for (const target of rotated(available, round - 1)) {
          const row: BrokerRow = { broker: target.name, round, errors: [] };
          report.rows.push(row);
          try {
            await measureBroker(shared, target, row);
          } catch (error) {
            row.errors.push(`stopped: ${errorMessage(error)}`);
          }
        }
      }
      for (const exit of cluster.unexpectedExits())
        report.rows[0]?.errors.push(`a process exited: ${exit}`);
    } finally {
      await api.close();
      await cluster.stop();
      await harness.server.dropDatabase(databaseUrl).catch(() => undefined);
    }
  } finally {
    await harness.close();
  }
  report.wallSeconds = harness.elapsedSeconds();
  // Others' tests load a shared machine unevenly: the load at the end says whether it changed.
  report.machine['load average at end (1/5/15 min)'] = loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
  const problems = report.rows.flatMap((row) => brokerProblems(row, OPTIONAL));
  const name = `brokers${options.smoke ? '-smoke' : ''}-${harness.stamp}`;
  const files = writeReport(
    resultsDir(),
    name,
    { ...report, problems },
    renderBrokersReport(report, problems),
  );
  console.log(`\n${brokersTable(report.rows)}\n`);
  for (const problem of problems) console.log(`BROKEN: ${problem}`);
  console.log(`written: ${files.join(', ')}`);
  console.log(
    problems.length
      ? `bench: ${String(problems.length)} problem(s), the figures are not to be trusted`
      : 'bench: broker triggers measured',
  );
  return problems.length ? 1 : 0;
}
