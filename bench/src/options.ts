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
 *   --herd                 (bench) instead of the workloads: 100,000 one-shots + 10,000 second-crons due in
 *                          the same second, bulk-inserted, drained with each --schedulers count (src/pressure/)
 *   --overload             (chaos) instead of the kills: 3 schedulers, a burst larger than one fires within
 *                          its lease, and a CPU hog; checks misses, keys and lateness (src/pressure/)
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
  /** Drain a herd instead of the workloads (pressure/pressure-command.ts). */
  herd: boolean;
  /** The overload run instead of the chaos events (pressure/pressure-command.ts). */
  overload: boolean;
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
    'herd',
    'overload',
  ];
  for (const name of flags.keys()) {
    if (!known.includes(name))
      throw new Error(
        `unknown option --${name}; known: ${known.map((k) => `--${k}`).join(' ')}`,
      );
  }
  if (flags.has('overload') && flags.has('schedulers'))
    throw new Error('--overload always runs three schedulers: no --schedulers');
  for (const mode of ['security-cost', 'brokers', 'herd']) {
    if (flags.has(mode) && (flags.has('only') || flags.has('schedulers')))
      throw new Error(
        `--${mode} runs its own measurements: it takes no --only or --schedulers`,
      );
  }
  if (flags.has('security-cost') && flags.has('brokers'))
    throw new Error(
      '--security-cost and --brokers are separate runs: pick one',
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
    herd: flags.has('herd'),
    overload: flags.has('overload'),
    externalDatabaseUrl: flags.has('own-db')
      ? undefined
      : env['TEST_DATABASE_URL'] || undefined,
    schedulerEnv,
  };
}
