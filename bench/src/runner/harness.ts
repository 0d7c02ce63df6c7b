import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Clock, SystemClock } from '@scheduleman/domain';
import { AppProcess, freePort } from '@scheduleman/testkit';
import { createDatabaseClient } from '@scheduleman/domain/persistence';
import { DatabaseServer, startDatabaseServer } from '../infra/database-server';
import { UsageMeter } from '../infra/usage-meter';
import { monotonicMs } from '../infra/wait';
import { benchMain, resultsDir } from '../infra/workspace';
import { ReceiverClient } from '../receiver/receiver-client';

/**
 * Interrupted (Ctrl-C, a CI timeout): exit, so that the test kit's exit hook kills every
 * child; 'exit' handlers are synchronous, SIGKILL is all there is time for.
 */
function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`[bench] ${signal}: stopping child processes`);
      process.exit(130);
    });
  }
}

/**
 * What both commands share: a clock, a log with elapsed seconds, the database server and
 * the receiver process. `close()` stops what was started, in reverse order.
 */
export class Harness {
  readonly clock: Clock = new SystemClock();
  readonly startedAt = this.clock.now().toISOString();
  readonly stamp = this.startedAt.replace(/[:.]/g, '-');

  private constructor(
    private readonly started: number,
    readonly name: string,
    readonly server: DatabaseServer,
    readonly receiver: AppProcess,
    readonly receiverUsage: UsageMeter,
    readonly receiverClient: ReceiverClient,
    readonly logRoot: string,
  ) {}

  /**
   * `server`: a database server the caller started (the Patroni cluster), stopped by
   * close(). `durable`: an embedded server keeps fsync and synchronous_commit on (see
   * startDatabaseServer).
   */
  static async start(
    name: string,
    externalDatabaseUrl: string | undefined,
    {
      server,
      durable = false,
    }: { server?: DatabaseServer; durable?: boolean } = {},
  ): Promise<Harness> {
    const started = monotonicMs();
    exitOnSignals();
    const logRoot = resultsDir(
      'logs',
      `${name}-${new SystemClock().now().toISOString().replace(/[:.]/g, '-')}`,
    );
    server ??= await startDatabaseServer(externalDatabaseUrl, durable);
    const port = await freePort();
    const receiver = new AppProcess({
      name: 'receiver',
      main: benchMain(),
      args: ['receiver', `--port=${port}`],
      port,
      readyPath: '/health',
      logFile: join(logRoot, 'receiver.log'),
    });
    try {
      await receiver.start().waitReady();
    } catch (error) {
      await receiver.kill();
      await server.stop();
      throw error;
    }
    return new Harness(
      started,
      name,
      server,
      receiver,
      new UsageMeter(receiver),
      new ReceiverClient(receiver.url()),
      logRoot,
    );
  }

  elapsedSeconds(): number {
    return (monotonicMs() - this.started) / 1000;
  }

  log = (line: string): void => {
    console.log(
      `[${this.name} +${this.elapsedSeconds().toFixed(0).padStart(3)}s] ${line}`,
    );
  };

  async machine(): Promise<Record<string, string>> {
    const client = createDatabaseClient(this.server.url);
    await client.connect();
    let pg = 'unknown';
    let durability = '';
    try {
      pg = (
        await client.query<{ v: string }>('select version() as v')
      ).rows[0].v.split(' on ')[0];
      // Read from the server rather than assumed: the figures depend on them.
      const { rows } = await client.query<{ name: string; setting: string }>(
        `select name, setting from pg_settings
where name in ('fsync', 'synchronous_commit', 'full_page_writes') order by name`,
      );
      durability = rows.map((r) => `${r.name} ${r.setting}`).join(', ');
    } finally {
      await client.end();
    }
    return {
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
      node: process.version,
      // Others' work on a shared machine skews every figure: the load at the start says how much.
      'load average at start (1/5/15 min)': loadavg()
        .map((l) => l.toFixed(2))
        .join(' / '),
      postgres: `${pg} (${this.server.description ?? (this.server.embedded ? 'embedded' : 'TEST_DATABASE_URL')}; ${durability})`,
    };
  }

  async close(): Promise<void> {
    await this.receiver.stop();
    this.receiver.log.close();
    await this.server.stop();
  }
}
