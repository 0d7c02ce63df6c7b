import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/**
 * Runs the BUILT apps (`node dist/apps/<app>/main.js`) as real processes for the
 * multi-process end-to-end tests: spawn with env, wait for /health/ready, keep each
 * process's output in memory (printed when a test fails), signal and reap. Every process
 * a Cluster started is killed in `stopAll()` (call it in afterAll) and, as a last resort,
 * when the Jest worker exits, so a failing test never leaves orphans behind.
 *
 * Time here is measured with performance.now(): deadlines are durations, not dates.
 */

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
export type AppName = 'scheduler' | 'schedule-api' | 'task-pretender';

export function distMain(app: AppName): string {
  const main = join(WORKSPACE_ROOT, 'dist', 'apps', app, 'main.js');
  if (!existsSync(main))
    throw new Error(
      `${main} is missing: build the apps first (npm test does; or npx nx build ${app})`,
    );
  return main;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Polls `probe` until it returns something other than undefined/false, or fails naming what it waited for. */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) {
      const cause =
        lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description}${cause}`,
      );
    }
    await sleep(intervalMs);
  }
}

/** A TCP port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/** fetch + JSON, with a timeout so a wedged process fails the test instead of hanging it. */
export async function requestJson<T = unknown>(
  method: string,
  url: string,
  body?: unknown,
): Promise<JsonResponse<T>> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  if (text !== '' && (res.headers.get('content-type') ?? '').includes('json'))
    parsed = JSON.parse(text);
  return { status: res.status, body: parsed as T };
}

const MAX_LOG_LINES = 3_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One spawned app. */
export class AppProcess {
  private readonly lines: string[] = [];
  private exitInfo: Exit | undefined;
  private readonly exited: Promise<Exit>;

  constructor(
    readonly name: string,
    readonly app: AppName,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const collect = (stream: NodeJS.ReadableStream | null, prefix: string) => {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) this.push(prefix + line);
      });
      stream?.on('end', () => partial && this.push(prefix + partial));
    };
    collect(child.stdout, '');
    collect(child.stderr, '[stderr] ');
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        done(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  url(path = ''): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  output(lastLines = MAX_LOG_LINES): string {
    return this.lines.slice(-lastLines).join('\n');
  }

  /** Waits until GET /health/ready answers 200; fails at once if the process exits. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${this.name} to be ready on ${this.url('/health/ready')}`,
      async () => {
        if (this.exitInfo)
          throw new Error(
            `${this.name} exited (${JSON.stringify(this.exitInfo)}) before it was ready:\n${this.output(40)}`,
          );
        try {
          const res = await fetch(this.url('/health/ready'), {
            signal: AbortSignal.timeout(2_000),
          });
          await res.arrayBuffer();
          return res.status === 200;
        } catch {
          return false;
        }
      },
      { timeoutMs, intervalMs: 200 },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\n--- ${this.name} output ---\n${this.output(60)}`,
      );
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Resolves with the exit; rejects after `timeoutMs` (the process keeps running). */
  async waitExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`${this.name} did not exit within ${timeoutMs} ms`)),
        timeoutMs,
      );
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
    graceMs = 10_000,
  ): Promise<Exit> {
    if (!this.running) return this.exitInfo as Exit;
    this.child.kill(signal);
    try {
      return await this.waitExit(graceMs);
    } catch {
      this.child.kill('SIGKILL');
      return this.exited;
    }
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > MAX_LOG_LINES)
      this.lines.splice(0, this.lines.length - MAX_LOG_LINES);
  }
}

const everyChild = new Set<ChildProcess>();
// Last resort when the Jest worker goes away without afterAll: no orphaned apps.
process.once('exit', () => {
  for (const child of everyChild)
    if (child.exitCode === null && child.signalCode === null)
      child.kill('SIGKILL');
});

/** Registers a child for the last-resort kill at exit (Cluster does this for its apps). */
export function trackChild(child: ChildProcess): void {
  everyChild.add(child);
  child.once('exit', () => everyChild.delete(child));
}

export interface StartOptions {
  /** Label in logs and failures, e.g. 'scheduler-2'. Defaults to the app name. */
  name?: string;
  env?: Record<string, string>;
  /** Extra node flags before the script, e.g. ['-r', preload]. */
  nodeArgs?: string[];
  port?: number;
}

/** The processes of one test file. */
export class Cluster {
  private readonly processes: AppProcess[] = [];

  /** Spawns an app on a free port (PORT is set); does not wait for readiness. */
  async start(app: AppName, options: StartOptions = {}): Promise<AppProcess> {
    const port = options.port ?? (await freePort());
    const name = options.name ?? app;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: 'info',
      ...options.env,
      PORT: String(port),
    };
    const child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), distMain(app)],
      { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackChild(child);
    const proc = new AppProcess(name, app, port, child);
    this.processes.push(proc);
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

  /** Writes every process's recent output to stderr (Jest shows it with the failure). */
  printLogs(reason: string, lastLines = 150): void {
    const parts = this.processes.map(
      (p) =>
        `===== ${p.name} (pid ${p.pid}, port ${p.port}${p.running ? '' : ', exited'}) =====\n${p.output(lastLines)}`,
    );
    process.stderr.write(
      `\n##### e2e failure: ${reason}\n${parts.join('\n')}\n`,
    );
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
        this.printLogs(
          error instanceof Error ? error.message.split('\n')[0] : String(error),
        );
        throw error;
      }
    };
  }

  /** Kills whatever still runs (SIGKILL: cleanup must not depend on a graceful path). */
  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop('SIGKILL', 5_000)));
  }
}
