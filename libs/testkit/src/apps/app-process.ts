import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'undici';
import { trackChild } from '../child-tracker';
import { waitFor } from '../wait-for';
import { workspaceRoot } from '../workspace';
import { LogRing } from './log-ring';

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcessOptions {
  /** Label in logs and failures, e.g. `scheduler-2`. */
  name: string;
  /** The script node runs, e.g. `distMain('scheduler')`. */
  main: string;
  /** Arguments after the script. */
  args?: readonly string[];
  /** Node flags before the script, e.g. `['-r', preload]` or `['--cpu-prof']`. */
  nodeArgs?: readonly string[];
  /** Over this process's own environment; `PORT` is set from `port`. */
  env?: Readonly<Record<string, string>>;
  /** The HTTP port, where `waitReady` polls; none: `waitReady` returns at once. */
  port?: number;
  /** Polled by `waitReady`; defaults to the contract's `/health/ready`. */
  readyPath?: string;
  /** Also append all output to this file. */
  logFile?: string;
}

export const DEFAULT_READY_TIMEOUT_MS = 60_000;
export const DEFAULT_STOP_GRACE_MS = 10_000;

/** Signals after which an exit is one the caller asked for, not a crash. */
const ENDING_SIGNALS = new Set<NodeJS.Signals>([
  'SIGTERM',
  'SIGINT',
  'SIGKILL',
  'SIGHUP',
  'SIGQUIT',
]);

/**
 * One app run as a real process (`node <main>`): spawned with its env, watched until its
 * readiness path answers 200, signalled, stopped with a grace period, reaped. It can be
 * started again after it ended, with the same options (same port, same id), as the chaos
 * run restarts a killed scheduler. Every child is registered with `trackChild`, so an
 * interrupted test or bench leaves no orphans.
 *
 * Durations here are measured with performance.now() (in waitFor), never with dates.
 */
export class AppProcess {
  readonly log: LogRing;
  /** Exits nobody asked for (crashes), one line each. */
  readonly unexpectedExits: string[] = [];
  private child: ChildProcess | undefined;
  private exitInfo: Exit | undefined;
  private exited: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  private exitAsked = false;
  private readonly endingListeners: (() => void)[] = [];

  constructor(readonly options: AppProcessOptions) {
    this.log = new LogRing(options.logFile);
  }

  get name(): string {
    return this.options.name;
  }

  get port(): number | undefined {
    return this.options.port;
  }

  /** While the process runs (for CPU accounting through /proc). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  url(path = ''): string {
    if (this.port === undefined) throw new Error(`${this.name} has no port`);
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The latest lines of output (stderr lines marked). */
  output(lastLines?: number): string {
    return this.log.tail(lastLines);
  }

  /** Spawns the process; does not wait for readiness. */
  start(): this {
    if (this.running) throw new Error(`${this.name} is already running`);
    const { options } = this;
    const child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), options.main, ...(options.args ?? [])],
      {
        cwd: workspaceRoot(),
        env: {
          ...process.env,
          ...options.env,
          ...(options.port === undefined ? {} : { PORT: String(options.port) }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    trackChild(child);
    this.log.collect(child.stdout);
    this.log.collect(child.stderr, '[stderr] ');
    this.child = child;
    this.exitInfo = undefined;
    this.exitAsked = false;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = { code, signal };
        this.exitInfo = exit;
        if (!this.exitAsked)
          this.unexpectedExits.push(
            `${this.name} exited (code ${code}, signal ${signal})${options.logFile ? `; see ${options.logFile}` : ''}`,
          );
        // The last output may still be in the pipes: resolve once they are drained, but
        // not later than a second (a grandchild may hold them open).
        const drained = setTimeout(() => {
          resolve(exit);
        }, 1_000);
        child.once('close', () => {
          clearTimeout(drained);
          resolve(exit);
        });
      });
    });
    return this;
  }

  /** Resolves once the readiness path answers 200; fails at once if the process exits. */
  async waitReady(timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    if (this.port === undefined) return;
    const url = this.url(this.options.readyPath ?? '/health/ready');
    let outcome: 'ready' | 'exited';
    try {
      outcome = await waitFor(
        `${this.name} to be ready on ${url}`,
        async () => {
          if (!this.running) return 'exited';
          try {
            const response = await request(url, {
              headersTimeout: 2_000,
              bodyTimeout: 2_000,
            });
            await response.body.dump();
            return response.statusCode === 200 && 'ready';
          } catch {
            return false;
          }
        },
        { timeoutMs, intervalMs: 100 },
      );
    } catch (error) {
      throw this.failure(
        error instanceof Error ? error.message : String(error),
      );
    }
    if (outcome === 'exited')
      throw this.failure(
        `${this.name} exited (${JSON.stringify(this.exitInfo)}) before it was ready on ${url}`,
      );
  }

  /**
   * Called just before an ending signal is sent, while /proc still knows the process
   * (the bench folds the CPU used so far into its totals there).
   */
  onEnding(listener: () => void): void {
    this.endingListeners.push(listener);
  }

  /** Sends a signal; SIGSTOP/SIGCONT freeze and thaw, ending signals count as asked for. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    if (ENDING_SIGNALS.has(signal)) {
      this.exitAsked = true;
      for (const listener of this.endingListeners) listener();
    }
    this.child?.kill(signal);
  }

  /** Resolves with the exit; rejects after `timeoutMs` (the process keeps running). */
  async waitExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`${this.name} did not exit within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Signals, waits up to `graceMs`, then SIGKILLs; resolves with how it ended. */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    graceMs = DEFAULT_STOP_GRACE_MS,
  ): Promise<Exit> {
    if (!this.running) return this.exited;
    this.signal(signal);
    try {
      return await this.waitExit(graceMs);
    } catch {
      this.child?.kill('SIGKILL');
      return this.exited;
    }
  }

  /** SIGKILL, the sudden death; resolves once the process is gone. */
  kill(): Promise<Exit> {
    return this.stop('SIGKILL');
  }

  private failure(message: string): Error {
    return new Error(
      `${message}\n--- ${this.name} output ---\n${this.output(60)}`,
    );
  }
}
