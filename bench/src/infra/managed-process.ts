import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, WriteStream } from 'node:fs';
import { request } from 'undici';
import { cpuSeconds, peakRssMb } from './proc-stats';
import { waitFor } from './wait';

export interface ProcessSpec {
  /** Short label, e.g. `scheduler-2`; also names the log file. */
  name: string;
  /** Arguments to `node`, e.g. [`-r`, preload, main]. */
  nodeArgs: string[];
  env: Record<string, string>;
  /** Port of the HTTP server whose readiness `waitReady` polls, if any. */
  port?: number;
  /** Path polled by `waitReady`; defaults to the contract's `/health/ready`. */
  readyPath?: string;
  logFile: string;
}

/** What a process used, for the result tables. CPU is the delta since `markCpu()`. */
export interface ProcessUsage {
  name: string;
  cpuSeconds: number;
  peakRssMb: number;
}

/** Every child alive right now, so that an interrupted harness leaves no orphans. */
const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is all there is time for.
  process.on('exit', () => {
    for (const p of live) p.signal('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`[bench] ${signal}: stopping child processes`);
      process.exit(130);
    });
  }
}

/**
 * One child process of the harness (the API, a scheduler, the receiver). Output goes to
 * a log file, never to the console, so a run's table stays readable. A restarted
 * process keeps its spec (same port, same id); CPU used by earlier incarnations is kept.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private exitPromise: Promise<void> = Promise.resolve();
  private cpuBaseline = 0;
  private cpuOfEarlierRuns = 0;
  private peakRssOfEarlierRunsMb = 0;
  /** Set once this incarnation's usage was folded into the totals (it is exiting). */
  private folded = false;

  /** Crashes: exits that no stop() or kill() asked for. */
  readonly unexpectedExits: string[] = [];

  constructor(readonly spec: ProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null
      ? this.child.pid
      : undefined;
  }

  start(): this {
    if (this.pid) throw new Error(`${this.name} is already running`);
    this.log ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    const child = spawn(process.execPath, this.spec.nodeArgs, {
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = this.log;
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.exitPromise = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        // Exits the harness did not ask for are crashes: the tables report them.
        if (!this.folded)
          this.unexpectedExits.push(
            `${this.name} exited (code ${code}, signal ${signal}); see ${this.spec.logFile}`,
          );
        resolve();
      }),
    );
    this.child = child;
    this.folded = false;
    installExitHook();
    live.add(this);
    child.once('exit', () => live.delete(this));
    return this;
  }

  /** Resolves when the process answers 200 on its readiness path; fails early if it exits. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const port = this.spec.port;
    if (port === undefined) return;
    const path = this.spec.readyPath ?? '/health/ready';
    await waitFor(
      `${this.name} to be ready on :${port}${path}`,
      async () => {
        if (!this.pid)
          throw new Error(`${this.name} exited (see ${this.spec.logFile})`);
        const response = await request(`http://127.0.0.1:${port}${path}`, {
          headersTimeout: 2_000,
          bodyTimeout: 2_000,
        });
        await response.body.dump();
        return response.statusCode === 200;
      },
      timeoutMs,
      100,
    );
  }

  signal(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid) process.kill(pid, signal);
  }

  /** SIGKILL: the sudden death of the chaos run. Resolves once the process is gone. */
  async kill(): Promise<void> {
    this.recordUsageBeforeExit();
    this.signal('SIGKILL');
    await this.exitPromise;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.pid) return;
    this.recordUsageBeforeExit();
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Starts counting CPU from now (e.g. once the workload is created). */
  markCpu(): void {
    this.cpuOfEarlierRuns = 0;
    this.cpuBaseline = this.pid ? (cpuSeconds(this.pid) ?? 0) : 0;
  }

  /** Read while the process is alive: /proc forgets a process once it has exited. */
  usage(): ProcessUsage {
    const pid = this.folded ? undefined : this.pid;
    const cpuNow = pid
      ? (cpuSeconds(pid) ?? this.cpuBaseline) - this.cpuBaseline
      : 0;
    const rssNow = pid ? (peakRssMb(pid) ?? 0) : 0;
    return {
      name: this.name,
      cpuSeconds: this.cpuOfEarlierRuns + Math.max(0, cpuNow),
      peakRssMb: Math.max(this.peakRssOfEarlierRunsMb, rssNow),
    };
  }

  closeLog(): void {
    this.log?.end();
    this.log = undefined;
  }

  /**
   * /proc/<pid> disappears at exit: fold this incarnation's CPU and peak RSS into the
   * totals first, and start the next incarnation from zero.
   */
  private recordUsageBeforeExit(): void {
    if (this.folded) return;
    const current = this.usage();
    this.cpuOfEarlierRuns = current.cpuSeconds;
    this.peakRssOfEarlierRunsMb = current.peakRssMb;
    this.cpuBaseline = 0;
    this.folded = true;
  }
}
