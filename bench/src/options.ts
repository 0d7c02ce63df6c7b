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
 *   --peers                (bench) instead of the workloads: burst and spread on scheduleman, graphile-worker,
 *                          pg-boss and BullMQ side by side, on a durable PostgreSQL of its own (src/peers/);
 *                          takes --only=burst|spread and --schedulers (worker processes of every system)
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
    'peers',
  ];
  for (const name of flags.keys()) {
    if (!known.includes(name))
      throw new Error(
        `unknown option --${name}; known: ${known.map((k) => `--${k}`).join(' ')}`,
      );
  }
  for (const mode of ['security-cost', 'brokers']) {
    if (flags.has(mode) && (flags.has('only') || flags.has('schedulers')))
      throw new Error(
        `--${mode} runs its own measurements: it takes no --only or --schedulers`,
      );
  }
  const modes = ['security-cost', 'brokers', 'peers'].filter((m) =>
    flags.has(m),
  );
  if (modes.length > 1)
    throw new Error(
      `${modes.map((m) => `--${m}`).join(' and ')} are separate runs: pick one`,
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
  const schedulerCounts = (flags.get('schedulers') ?? '1,3')
    .split(',')
    .map(Number);
  if (schedulerCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) {
    throw new Error(
      `--schedulers must list counts between 1 and 16, got '${flags.get('schedulers')}'`,
    );
  }
  const schedulerEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(SCHEDULER_ENV_PREFIX) && value !== undefined)
      schedulerEnv[name.slice(SCHEDULER_ENV_PREFIX.length)] = value;
  }
  return {
    smoke: flags.has('smoke'),
    only: flags.get('only')?.split(','),
    schedulerCounts,
    logLevel: flags.get('log-level') ?? 'info',
    cpuProfile: flags.has('cpu-prof'),
    schedulerMain: flags.get('scheduler-main'),
    burstWarmUp: Number(flags.get('burst-warm-up') ?? 2_000),
    securityCost: flags.has('security-cost'),
    brokers: flags.has('brokers'),
    peers: flags.has('peers'),
    externalDatabaseUrl: flags.has('own-db')
      ? undefined
      : env['TEST_DATABASE_URL'] || undefined,
    schedulerEnv,
  };
}
