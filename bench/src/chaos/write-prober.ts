import type { Clock } from '@scheduleman/domain';
import { createDatabaseClient } from '@scheduleman/domain/persistence';
import { sleep } from '@scheduleman/testkit';
import type { Client } from 'pg';

const PROBE_INTERVAL_MS = 200;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Commits a small write through the cluster's URL every 200 ms, with the apps' own
 * failover client, and keeps the time of every commit: the failover time is the crash to
 * the first commit after it. A commit is acknowledged only once the synchronous standby
 * has it (synchronous_mode_strict), so this is the moment the cluster is durable again.
 */
export class WriteProber {
  /** Each commit: when its attempt started, and when it was acknowledged (epoch ms). */
  private readonly commits: { startedAt: number; committedAt: number }[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private client: Client | undefined;

  constructor(
    private readonly url: string,
    private readonly clock: Clock,
  ) {}

  get successes(): number {
    return this.commits.length;
  }

  async start(): Promise<void> {
    const client = await this.connect();
    await client.query(
      'create table if not exists failover_probe (at timestamptz not null)',
    );
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  /**
   * When the first write attempted at or after `ms` (epoch ms) was acknowledged, if any.
   * By the attempt's start, not its acknowledgement: on a busy machine the answer to a
   * commit made just before a crash can be read after it.
   */
  firstSuccessAfter(ms: number): number | undefined {
    return this.commits.find((c) => c.startedAt >= ms)?.committedAt;
  }

  /** The longest time between two commits. */
  longestGapMs(): number {
    let longest = 0;
    for (let i = 1; i < this.commits.length; i++)
      longest = Math.max(
        longest,
        this.commits[i].committedAt - this.commits[i - 1].committedAt,
      );
    return longest;
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const client = createDatabaseClient(this.url, {
      application_name: 'bench:failover-probe',
      connectionTimeoutMillis: PROBE_TIMEOUT_MS,
      query_timeout: PROBE_TIMEOUT_MS,
    });
    client.on('error', () => undefined);
    await client.connect();
    this.client = client;
    return client;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const startedAt = this.clock.now().getTime();
      try {
        const client = await this.connect();
        await client.query('insert into failover_probe (at) values (now())');
        this.commits.push({
          startedAt,
          committedAt: this.clock.now().getTime(),
        });
      } catch {
        const broken = this.client;
        this.client = undefined;
        await broken?.end().catch(() => undefined);
      }
      await sleep(PROBE_INTERVAL_MS);
    }
  }
}
