import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, trackChild } from '@scheduleman/testkit';

const READY_LINE = 'Ready to accept connections';
const READY_TIMEOUT_MS = 20_000;

/**
 * A redis-server of the run's own (BullMQ's store in `--peers`), so that its CPU can be
 * read from /proc and no other user of the machine's Redis shares it. Persistence as
 * BullMQ's production guide asks: AOF on (fsync every second, Redis's default with AOF)
 * and `maxmemory-policy noeviction`, in a temporary folder removed at stop.
 */
export class RedisServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly dir: string,
  ) {}

  get pid(): number | undefined {
    return this.child.exitCode === null ? this.child.pid : undefined;
  }

  static async start(): Promise<RedisServer> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'scheduleman-bench-redis-'));
    const child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1'],
        ...['--dir', dir, '--save', ''],
        ...['--appendonly', 'yes', '--appendfsync', 'everysec'],
        ...['--maxmemory-policy', 'noeviction'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackChild(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`redis-server not ready: ${output}`));
      }, READY_TIMEOUT_MS);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(READY_LINE)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot run redis-server: ${error.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${String(code)}): ${output}`));
      });
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    // Keep reading, or a full pipe would stall the server.
    child.stdout.resume();
    return new RedisServer(child, `redis://127.0.0.1:${String(port)}/0`, dir);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
