import { freePort } from '../free-port';
import { type AppName, distMain } from './app-main';
import { AppProcess, type AppProcessOptions } from './app-process';

export interface StartOptions
  extends Omit<AppProcessOptions, 'name' | 'main' | 'port'> {
  /** Label in logs and failures, e.g. 'scheduler-2'. Defaults to the app name. */
  name?: string;
  /** Another bundle of the app (e.g. an older build to compare); defaults to dist/apps/<app>/main.js. */
  main?: string;
  /** Defaults to a free port. */
  port?: number;
}

/**
 * The app processes of one test file or one bench run. Each is started on a free port
 * (PORT is set). `stopAll()` kills whatever still runs (call it in afterAll), and a
 * failing test can print every process's recent output with `withLogs`.
 */
export class Cluster {
  private readonly processes: AppProcess[] = [];

  /** Spawns an app; does not wait for readiness. */
  async start(app: AppName, options: StartOptions = {}): Promise<AppProcess> {
    const proc = new AppProcess({
      ...options,
      name: options.name ?? app,
      main: options.main ?? distMain(app),
      port: options.port ?? (await freePort()),
      // The apps' default; a LOG_LEVEL inherited from the caller's shell would not be.
      env: { LOG_LEVEL: 'info', ...options.env },
    });
    this.processes.push(proc.start());
    return proc;
  }

  /** Starts several apps at once and waits until every one is ready. */
  async startReady(
    ...specs: [AppName, StartOptions?][]
  ): Promise<AppProcess[]> {
    const started = await Promise.all(
      specs.map(([app, options]) => this.start(app, options)),
    );
    await Promise.all(started.map((p) => p.waitReady()));
    return started;
  }

  all(): readonly AppProcess[] {
    return this.processes;
  }

  /** Exits nobody asked for, over every process and incarnation. */
  unexpectedExits(): string[] {
    return this.processes.flatMap((p) => p.unexpectedExits);
  }

  /** Writes every process's recent output to stderr (Jest shows it with the failure). */
  printLogs(reason: string, lastLines = 150): void {
    const parts = this.processes.map(
      (p) =>
        `===== ${p.name} (pid ${p.pid ?? '-'}, port ${p.port ?? '-'}${p.running ? '' : ', exited'}) =====\n${p.output(lastLines)}`,
    );
    process.stderr.write(`\n##### failure: ${reason}\n${parts.join('\n')}\n`);
  }

  /**
   * Wraps a test body so that a failure prints the processes' logs first:
   * `it('…', cluster.withLogs(async () => { … }), 60_000)`.
   */
  withLogs(body: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await body();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.printLogs(message.split('\n')[0]);
        throw error;
      }
    };
  }

  /** Kills whatever still runs (SIGKILL: cleanup must not depend on a graceful path). */
  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill()));
    for (const p of this.processes) p.log.close();
  }
}
