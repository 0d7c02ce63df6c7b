/**
 * Command-line options of `npm run bench` / `npm run chaos` (after the command name):
 *   --smoke                seconds instead of minutes: the correctness checks run by `npm test`
 *   --only=burst,cron      run only these workloads (bench) or ceilings (`--only=ceilings`, or
 *                          `ceilings-claim` / `ceilings-http` for one of the two)
 *   --schedulers=1,3       scheduler counts to run each workload with (bench; default 1,3)
 *   --log-level=info       LOG_LEVEL of the apps (default info, as deployed)
 *   --cpu-prof             run the API and schedulers under `node --cpu-prof` (profiles next to the run's logs)
 *   --own-db               start an embedded PostgreSQL even when TEST_DATABASE_URL is set
 *   --scheduler-main=PATH  run this scheduler bundle instead of dist/apps/scheduler/main.js (A/B experiments)
 *   --burst-warm-up=N      fires before the 10,000-schedule burst, so it meets warm schedulers (default 2000; 0 = cold)
 *   --security-cost        (bench) instead of the workloads: creations/s with authentication off against
 *                          on, and a burst's fires/s unsigned against signed, alternated in one run
 *   --brokers              (bench) instead of the workloads: each broker trigger's fires/s and initiation
 *                          latency against the broker's bare client, in one run (src/brokers/)
 *   --failover             (chaos) instead of the scheduler kills: the apps on a three-node Patroni
 *                          cluster, whose primary's node is crashed under load (src/chaos/failover-command.ts)
 *   --base-port=N          (chaos --failover) the cluster's ports: etcd N and N+1, PostgreSQL N+10..N+12,
 *                          Patroni's REST API N+20..N+22 (default: free ports)
 *   --creation             (bench) instead of the workloads: bulk creation (POST /schedules/batch) and single
 *                          creation (50 in flight) against their targets, and the HTTP platform's ceiling,
 *                          Express against Fastify, in one run (src/creation/)
 *   --batches-in-flight=N  (--creation) bulk batches sent at once (default 1: a client importing a list; 1..8)
 *   --api-main=PATH        (--creation) run this API bundle instead of dist/apps/schedule-api/main.js (A/B)
 *   --table-scale          (bench) instead of the workloads: the hot statements under EXPLAIN ANALYZE on an
 *                          executions table of each size in --rows (src/table-scale/)
 *   --rows=1000000,10000000  (--table-scale) the sizes, executions per fresh database (default 1M,10M)
 *   --keep-db              (--table-scale) keep each filled database instead of dropping it
 *   --herd                 (bench) instead of the workloads: 100,000 one-shots + 10,000 second-crons due in
 *                          the same second, bulk-inserted, drained with each --schedulers count (src/pressure/)
 *   --overload             (chaos) instead of the kills: 3 schedulers and a CPU hog, a probe burst that
 *                          measures their fire rate, then 5 s of that rate; checks misses, keys and lateness
 *                          (src/pressure/)
 *   --peers                (bench) instead of the workloads: burst and spread on scheduleman, graphile-worker,
 *                          pg-boss and BullMQ side by side, on a durable PostgreSQL of its own (src/peers/);
 *                          takes --only=burst|spread and --schedulers (worker processes of every system)
 *   --systems=scheduleman,pg-boss  (--peers) run only these systems (default all four), e.g. to iterate on one
 * Environment: TEST_DATABASE_URL (use that server, one fresh database per run);
 * BENCH_SCHEDULER_<VAR>=value passes <VAR>=value to every scheduler (e.g. to try
 * BENCH_SCHEDULER_WEBHOOK_MAX_SOCKETS=64). This is the only module that reads
 * process.env.
 */
export interface HarnessOptions {
  smoke: boolean;
  only: string[] | undefined;
  schedulerCounts: number[];
  logLevel: string;
  cpuProfile: boolean;
  /** A scheduler bundle to run instead of the built one, for A/B experiments. */
  schedulerMain: string | undefined;
  /** Warm-up fires before the burst workload (see burstWorkload). */
  burstWarmUp: number;
  /** Measure what authentication and signing cost instead of the workloads (security-cost.ts). */
  securityCost: boolean;
  /** Measure the broker triggers against their bare clients instead (brokers/brokers-command.ts). */
  brokers: boolean;
  /** chaos: the Patroni failover run instead of the scheduler kills. */
  failover: boolean;
  /** chaos --failover: the first of the cluster's ports, else free ports. */
  basePort: number | undefined;
  /** Measure creation throughput against its targets instead (creation/creation-command.ts). */
  creation: boolean;
  /** --creation: bulk requests in flight at once (default 1). */
  batchesInFlight: number;
  /** --creation: an API bundle to run instead of the built one, for A/B experiments. */
  apiMain: string | undefined;
  /** --peers: the systems to run (scheduleman and peer names); all when undefined. */
  systems: string[] | undefined;
  /** Measure the hot statements on big executions tables instead (table-scale/). */
  tableScale: boolean;
  /** --table-scale: executions per size, one fresh database each. */
  tableScaleRows: number[];
  /** --table-scale: keep the filled databases. */
  keepDatabase: boolean;
  /** Drain a herd instead of the workloads (pressure/pressure-command.ts). */
  herd: boolean;
  /** The overload run instead of the chaos events (pressure/overload-command.ts). */
  overload: boolean;
  /** Run scheduleman beside graphile-worker, pg-boss and BullMQ instead (peers/peers-command.ts). */
  peers: boolean;
  /** The server to use instead of an embedded one, if any. */
  externalDatabaseUrl: string | undefined;
  /** Extra environment for every scheduler. */
  schedulerEnv: Record<string, string>;
}

const SCHEDULER_ENV_PREFIX = 'BENCH_SCHEDULER_';

export function parseOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): HarnessOptions {
  const flags = new Map<string, string>();
  for (const arg of args) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match)
      throw new Error(`unknown argument '${arg}' (see bench/src/options.ts)`);
    flags.set(match[1], match.at(2) ?? 'true');
  }
  const known = [
    'smoke',
    'only',
    'schedulers',
    'log-level',
    'cpu-prof',
    'own-db',
    'burst-warm-up',
    'scheduler-main',
    'security-cost',
    'brokers',
    'failover',
    'base-port',
    'creation',
    'batches-in-flight',
    'api-main',
    'table-scale',
    'rows',
    'keep-db',
    'herd',
    'overload',
    'peers',
    'systems',
  ];
  for (const name of flags.keys()) {
    if (!known.includes(name))
      throw new Error(
        `unknown option --${name}; known: ${known.map((k) => `--${k}`).join(' ')}`,
      );
  }
  if (flags.has('overload') && flags.has('schedulers'))
    throw new Error('--overload always runs three schedulers: no --schedulers');
  const modes = [
    'security-cost',
    'brokers',
    'creation',
    'table-scale',
    'herd',
    'peers',
  ];
  for (const mode of modes) {
    // --herd takes --schedulers, --peers both (its workloads and worker processes).
    const own =
      mode === 'peers'
        ? []
        : mode === 'herd'
          ? ['only']
          : ['only', 'schedulers'];
    if (flags.has(mode) && own.some((flag) => flags.has(flag)))
      throw new Error(
        `--${mode} runs its own measurements: it takes no ${own.map((f) => `--${f}`).join(' or ')}`,
      );
  }
  const chosen = modes.filter((mode) => flags.has(mode));
  if (chosen.length > 1)
    throw new Error(
      `${chosen.map((mode) => `--${mode}`).join(' and ')} are separate runs: pick one`,
    );
  if (
    flags.has('peers') &&
    flags
      .get('only')
      ?.split(',')
      .some((w) => w !== 'burst' && w !== 'spread')
  )
    throw new Error(
      '--peers runs the burst and spread workloads: --only=burst|spread',
    );
  if (flags.has('systems') && !flags.has('peers'))
    throw new Error('--systems goes with --peers');
  if ((flags.has('rows') || flags.has('keep-db')) && !flags.has('table-scale'))
    throw new Error('--rows and --keep-db go with --table-scale');
  const tableScaleRows = (flags.get('rows') ?? '1000000,10000000')
    .split(',')
    .map(Number);
  if (tableScaleRows.some((n) => !Number.isInteger(n) || n < 1000 || n > 1e9)) {
    throw new Error(
      `--rows must list sizes between 1000 and 1000000000, got '${flags.get('rows')}'`,
    );
  }
  const schedulerCounts = (flags.get('schedulers') ?? '1,3')
    .split(',')
    .map(Number);
  if (schedulerCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) {
    throw new Error(
      `--schedulers must list counts between 1 and 16, got '${flags.get('schedulers')}'`,
    );
  }
  const basePort = flags.has('base-port')
    ? Number(flags.get('base-port'))
    : undefined;
  if (
    basePort !== undefined &&
    (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65_500)
  )
    throw new Error(
      `--base-port must be an integer from 1024 to 65500, got '${flags.get('base-port')}'`,
    );
  if (basePort !== undefined && !flags.has('failover'))
    throw new Error('--base-port goes with --failover');
  if (
    (flags.has('batches-in-flight') || flags.has('api-main')) &&
    !flags.has('creation')
  )
    throw new Error('--batches-in-flight and --api-main go with --creation');
  const batchesInFlight = Number(flags.get('batches-in-flight') ?? 1);
  if (
    !Number.isInteger(batchesInFlight) ||
    batchesInFlight < 1 ||
    batchesInFlight > 8
  )
    throw new Error(
      `--batches-in-flight must be an integer from 1 to 8, got '${flags.get('batches-in-flight')}'`,
    );
  const schedulerEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(SCHEDULER_ENV_PREFIX) && value !== undefined)
      schedulerEnv[name.slice(SCHEDULER_ENV_PREFIX.length)] = value;
  }
  return {
    smoke: flags.has('smoke'),
    only: flags.get('only')?.split(','),
    systems: flags.get('systems')?.split(','),
    schedulerCounts,
    logLevel: flags.get('log-level') ?? 'info',
    cpuProfile: flags.has('cpu-prof'),
    schedulerMain: flags.get('scheduler-main'),
    burstWarmUp: Number(flags.get('burst-warm-up') ?? 2_000),
    securityCost: flags.has('security-cost'),
    brokers: flags.has('brokers'),
    failover: flags.has('failover'),
    basePort,
    creation: flags.has('creation'),
    batchesInFlight,
    apiMain: flags.get('api-main'),
    tableScale: flags.has('table-scale'),
    tableScaleRows,
    keepDatabase: flags.has('keep-db'),
    herd: flags.has('herd'),
    overload: flags.has('overload'),
    peers: flags.has('peers'),
    externalDatabaseUrl: flags.has('own-db')
      ? undefined
      : env['TEST_DATABASE_URL'] || undefined,
    schedulerEnv,
  };
}
