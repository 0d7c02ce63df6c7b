import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOOPBACK_NETWORKS } from '@scheduleman/domain';
import {
  type AppProcess,
  Cluster,
  type SkewedClock,
  TEST_AUTH_ENV,
} from '@scheduleman/testkit';
import { type ProcessUsage, UsageMeter } from './usage-meter';

export interface BenchClusterOptions {
  databaseUrl: string;
  schedulerCount: number;
  /** Folder for the processes' log files (and CPU profiles). */
  logDir: string;
  logLevel: string;
  schedulerEnv: Record<string, string>;
  /** Extra environment for the API, e.g. AUTH_DISABLED=true. */
  apiEnv?: Record<string, string>;
  /** Run the API and the schedulers under `node --cpu-prof`, writing .cpuprofile files into logDir. */
  cpuProfile?: boolean;
  /** The API bundle; defaults to dist/apps/schedule-api/main.js. */
  apiMain?: string;
  /** The scheduler bundle; defaults to dist/apps/scheduler/main.js. */
  schedulerMain?: string;
  /** Extra node arguments and environment for the i-th scheduler (1-based), e.g. a skewed clock. */
  perScheduler?: (index: number) => SkewedClock | undefined;
}

/**
 * schedule-api plus N schedulers, each a separate `node dist/apps/<app>/main.js` on its
 * own port, as deployed. The API starts first: it applies the migrations, and the
 * schedulers then find nothing left to do (they would wait on the advisory lock anyway).
 */
export class BenchCluster {
  private readonly meters: UsageMeter[];

  private constructor(
    private readonly group: Cluster,
    readonly api: AppProcess,
    readonly schedulers: AppProcess[],
  ) {
    this.meters = [api, ...schedulers].map((p) => new UsageMeter(p));
  }

  get apiUrl(): string {
    return this.api.url();
  }

  static async start(options: BenchClusterOptions): Promise<BenchCluster> {
    mkdirSync(options.logDir, { recursive: true });
    const group = new Cluster();
    const common = {
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: options.logLevel,
      // The bench's receiver listens on loopback, which webhooks may not reach unless allowed.
      WEBHOOK_ALLOWED_NETWORKS: LOOPBACK_NETWORKS,
      ...TEST_AUTH_ENV,
      // The bench measures throughput, which a per-key request limit would cap (owner keys).
      RATE_LIMIT_PER_SECOND: '0',
    };
    const profile = (name: string) =>
      options.cpuProfile
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${options.logDir}`,
            `--cpu-prof-name=${name}.cpuprofile`,
          ]
        : [];
    const logFile = (name: string) => join(options.logDir, `${name}.log`);
    try {
      const api = await group.start('schedule-api', {
        name: 'api',
        main: options.apiMain,
        nodeArgs: profile('api'),
        env: { ...common, ...options.apiEnv },
        logFile: logFile('api'),
      });
      await api.waitReady();
      const schedulers: AppProcess[] = [];
      for (let i = 1; i <= options.schedulerCount; i++) {
        const name = `scheduler-${i}`;
        const extra = options.perScheduler?.(i);
        schedulers.push(
          await group.start('scheduler', {
            name,
            main: options.schedulerMain,
            nodeArgs: [...profile(name), ...(extra?.nodeArgs ?? [])],
            env: {
              ...common,
              ...options.schedulerEnv,
              ...extra?.env,
              SCHEDULER_ID: `bench-${name}`,
            },
            logFile: logFile(name),
          }),
        );
      }
      await Promise.all(schedulers.map((s) => s.waitReady()));
      return new BenchCluster(group, api, schedulers);
    } catch (error) {
      await group.stopAll();
      throw error;
    }
  }

  markCpu(): void {
    for (const meter of this.meters) meter.mark();
  }

  usage(): ProcessUsage[] {
    return this.meters.map((meter) => meter.usage());
  }

  unexpectedExits(): string[] {
    return this.group.unexpectedExits();
  }

  /** Schedulers first (they release what they hold), then the API. */
  async stop(): Promise<void> {
    await Promise.all(this.schedulers.map((s) => s.stop()));
    await this.api.stop();
    for (const p of this.group.all()) p.log.close();
  }
}
