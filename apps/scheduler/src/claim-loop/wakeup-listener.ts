import type { LoggerService } from '@nestjs/common';
import {
  CONNECT_TIMEOUT_MS,
  createDatabaseClient,
  KEEPALIVE_INITIAL_DELAY_MS,
  watchReplies,
} from '@scheduleman/domain/persistence';
import type { Client } from 'pg';
import { AbortableSleep } from './abortable-sleep';
import { FailureLog } from '../support/failure-log';

/**
 * How often the idle LISTEN connection is checked, and how long a check may wait for its
 * answer (ms): a silently dead connection is replaced within 10 s of going silent.
 */
export const LISTEN_PING_INTERVAL_MS = 5_000;
export const LISTEN_READ_TIMEOUT_MS = 5_000;

export interface WakeupListenerOptions {
  connectionString: string;
  channel: string;
  /** Called on every notification, and after each (re)connect in case one was missed. */
  onWake: () => void;
  applicationName?: string;
  logger?: LoggerService;
  random?: () => number;
}

/**
 * LISTENs on the wake-up channel on a dedicated connection (a pooled one could be handed
 * to someone else and lose the subscription), so work the API makes due within seconds
 * is claimed at once instead of at the next poll. Only an accelerator: the poll still
 * finds everything, so a lost connection costs latency, never work. Reconnects with
 * backoff when the connection breaks, and pings it so a half-open TCP connection (a
 * network partition, a proxy that stopped forwarding) is noticed within seconds: an idle
 * LISTEN connection sends nothing, so without the ping nothing would ever wait for a
 * reply that does not come. Its URL is DATABASE_LISTEN_URL: behind a transaction pooler
 * a LISTEN would stay on whichever server connection ran it, so it must go to PostgreSQL
 * itself.
 */
export class WakeupListener {
  private readonly sleep = new AbortableSleep();
  private readonly failures: FailureLog;
  private stopped = true;
  private loop: Promise<void> | undefined;
  private client: Client | undefined;
  private dropConnection: (() => void) | undefined;

  constructor(private readonly options: WakeupListenerOptions) {
    this.failures = new FailureLog({
      operation: 'wake-up listener',
      context: 'WakeupListener',
      logger: options.logger,
      // Only an accelerator: any lost connection is an outage, covered by polling.
      isOutage: () => true,
      random: options.random,
    });
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleep.abort();
    this.dropConnection?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.listenUntilDisconnected();
      } catch (error) {
        this.failures.failed(error, { meanwhile: 'polling only' });
      }
      // After stop() the sleep is aborted and returns at once.
      await this.sleep.sleep(this.failures.retryDelayMs());
    }
  }

  private async listenUntilDisconnected(): Promise<void> {
    // DATABASE_URL in any form the pool takes: a cluster's URL fails over here too.
    const client = createDatabaseClient(this.options.connectionString, {
      application_name: this.options.applicationName,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    // Destroys the socket when the listen or a ping hears nothing: `broken` rejects.
    watchReplies(client.connection, LISTEN_READ_TIMEOUT_MS);
    let fail: (error: Error) => void = () => undefined;
    const broken = new Promise<void>((resolve, reject) => {
      fail = reject;
      client.on('error', reject);
      client.on('end', () => reject(new Error('connection ended')));
      this.dropConnection = resolve;
    });
    // Attached now so a rejection before the race below is not "unhandled".
    broken.catch(() => undefined);
    let ping: NodeJS.Timeout | undefined;
    try {
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel === this.options.channel) this.options.onWake();
      });
      await client.query(
        `listen ${client.escapeIdentifier(this.options.channel)}`,
      );
      if (this.stopped) return;
      this.client = client;
      this.failures.succeeded();
      ping = setInterval(() => {
        client
          .query('select 1')
          .catch((error: unknown) =>
            fail(error instanceof Error ? error : new Error(String(error))),
          );
      }, LISTEN_PING_INTERVAL_MS);
      this.options.onWake();
      await broken;
    } finally {
      clearInterval(ping);
      this.client = undefined;
      this.dropConnection = undefined;
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }
}
