import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, ProcessUsage } from './managed-process';
import { freePort } from './ports';
import { appMain } from './workspace';

export interface ClusterOptions {
  databaseUrl: string;
  schedulerCount: number;
  /** Folder for the processes' log files (and CPU profiles). */
  logDir: string;
  logLevel: string;
  schedulerEnv: Record<string, string>;
  /** Run the API and the schedulers under `node --cpu-prof`, writing .cpuprofile files into logDir. */
  cpuProfile?: boolean;
  /** The scheduler bundle; defaults to dist/apps/scheduler/main.js. */
  schedulerMain?: string;
  /** Extra node arguments and environment for the i-th scheduler (1-based), e.g. a clock-skew preload. */
  perScheduler?: (
    index: number,
  ) => { nodeArgs: string[]; env: Record<string, string> } | undefined;
}

/**
 * schedule-api plus N schedulers, each a separate `node dist/apps/<app>/main.js` on its
 * own port, as deployed. The API starts first: it applies the migrations, and the
 * schedulers then find nothing left to do (they would wait on the advisory lock anyway).
 */
export class Cluster {
  private constructor(
    readonly api: ManagedProcess,
    readonly schedulers: ManagedProcess[],
  ) {}

  get apiUrl(): string {
    return `http://127.0.0.1:${this.api.spec.port}`;
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    mkdirSync(options.logDir, { recursive: true });
    const common = {
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: options.logLevel,
    };
    const apiPort = await freePort();
    const apiProfile = options.cpuProfile
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${options.logDir}`,
          '--cpu-prof-name=api.cpuprofile',
        ]
      : [];
    const api = new ManagedProcess({
      name: 'api',
      nodeArgs: [...apiProfile, appMain('schedule-api')],
      env: { ...common, PORT: String(apiPort) },
      port: apiPort,
      logFile: join(options.logDir, 'api.log'),
    });
    const schedulers: ManagedProcess[] = [];
    for (let i = 1; i <= options.schedulerCount; i++) {
      const port = await freePort();
      const extra = options.perScheduler?.(i);
      const profile = options.cpuProfile
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${options.logDir}`,
            `--cpu-prof-name=scheduler-${i}.cpuprofile`,
          ]
        : [];
      schedulers.push(
        new ManagedProcess({
          name: `scheduler-${i}`,
          nodeArgs: [
            ...profile,
            ...(extra?.nodeArgs ?? []),
            options.schedulerMain ?? appMain('scheduler'),
          ],
          env: {
            ...common,
            ...options.schedulerEnv,
            ...extra?.env,
            PORT: String(port),
            SCHEDULER_ID: `bench-scheduler-${i}`,
          },
          port,
          logFile: join(options.logDir, `scheduler-${i}.log`),
        }),
      );
    }
    const cluster = new Cluster(api, schedulers);
    try {
      await api.start().waitReady();
      await Promise.all(schedulers.map((s) => s.start().waitReady()));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  all(): ManagedProcess[] {
    return [this.api, ...this.schedulers];
  }

  markCpu(): void {
    for (const p of this.all()) p.markCpu();
  }

  usage(): ProcessUsage[] {
    return this.all().map((p) => p.usage());
  }

  unexpectedExits(): string[] {
    return this.all().flatMap((p) => p.unexpectedExits);
  }

  /** Schedulers first (they release what they hold), then the API. */
  async stop(): Promise<void> {
    await Promise.all(this.schedulers.map((s) => s.stop()));
    await this.api.stop();
    for (const p of this.all()) p.closeLog();
  }
}
