import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { trackChild } from '../child-tracker';
import { freePort } from '../free-port';
import { waitFor } from '../wait-for';

/** Where Debian's pgbouncer package installs the binary. */
const PGBOUNCER_PATHS = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'];

export interface PgBouncerOptions {
  /** The PostgreSQL server behind it (loopback). */
  serverUrl: string;
  /** Server connections per database and user; small, so clients really share them. Default 3. */
  poolSize?: number;
}

/** The binary, installing Debian's `pgbouncer` package when missing and allowed (root). */
function pgbouncerBinary(): string {
  const found = PGBOUNCER_PATHS.find((path) => existsSync(path));
  if (found) return found;
  if (process.getuid?.() === 0) {
    execFileSync('apt-get', ['install', '-y', 'pgbouncer'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const installed = PGBOUNCER_PATHS.find((path) => existsSync(path));
    if (installed) return installed;
  }
  throw new Error(
    'pgbouncer not found: install the Debian package `pgbouncer` (apt-get install pgbouncer)',
  );
}

/**
 * Debian's PgBouncer in transaction pooling mode on a free loopback port, in front of a
 * test PostgreSQL: every database of that server through one `*` entry, trust
 * authentication, and the two timeout start-up parameters our pools send ignored (as
 * docs/operations.md tells a deployment to do). Run as root, it drops to the user
 * `postgres`, since PgBouncer refuses to run as root.
 */
export class PgBouncer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    private readonly server: URL,
    private readonly output: string[],
  ) {}

  static async start(options: PgBouncerOptions): Promise<PgBouncer> {
    const binary = pgbouncerBinary();
    const server = new URL(options.serverUrl);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'scheduleman-pgbouncer-'));
    const user = decodeURIComponent(server.username);
    const password = decodeURIComponent(server.password);
    writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`);
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `* = host=${server.hostname} port=${server.port} user=${user} password=${password}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${String(port)}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${join(dir, 'users.txt')}`,
        `admin_users = ${user}`,
        'pool_mode = transaction',
        `default_pool_size = ${String(options.poolSize ?? 3)}`,
        'max_client_conn = 500',
        'ignore_startup_parameters = statement_timeout,idle_in_transaction_session_timeout',
        '',
      ].join('\n'),
    );
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      for (const file of ['', 'users.txt', 'pgbouncer.ini'])
        chownSync(join(dir, file), uid, gid);
    }
    const child = spawn(
      binary,
      [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackChild(child);
    const output: string[] = [];
    for (const stream of [child.stdout, child.stderr])
      stream.on('data', (chunk: Buffer) => {
        output.push(...chunk.toString().trimEnd().split('\n'));
        output.splice(0, Math.max(0, output.length - 200));
      });
    const bouncer = new PgBouncer(child, dir, port, server, output);
    try {
      await waitFor(
        'pgbouncer to accept connections',
        async () => {
          if (child.exitCode !== null)
            throw new Error(
              `pgbouncer exited with ${String(child.exitCode)}:\n${output.join('\n')}`,
            );
          try {
            await bouncer.admin('show version');
            return true;
          } catch {
            return false;
          }
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
    } catch (error) {
      await bouncer.stop();
      throw error;
    }
    return bouncer;
  }

  /** `url` (a database of the server behind it) as reached through PgBouncer. */
  urlFor(url: string): string {
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(this.port);
    return through.toString();
  }

  /** Runs a statement of the admin console (SHOW POOLS, SHOW STATS, …). */
  async admin<T extends Record<string, unknown>>(
    statement: string,
  ): Promise<T[]> {
    const admin = new URL(this.server);
    admin.hostname = '127.0.0.1';
    admin.port = String(this.port);
    admin.pathname = '/pgbouncer';
    const client = new Client({ connectionString: admin.toString() });
    client.on('error', () => undefined);
    await client.connect();
    try {
      // The console speaks the simple protocol only: no parameters.
      return (await client.query<T>(statement)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Its last log lines, for a failing test's message. */
  log(): string {
    return this.output.join('\n');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<boolean>((resolve) =>
        this.child.once('exit', () => resolve(true)),
      );
      this.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([
        exited,
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), 5_000);
        }),
      ]);
      clearTimeout(timer);
      if (!ended) this.child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
