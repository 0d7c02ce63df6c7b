import { Logger } from '@nestjs/common';
import { errorMessage } from '@scheduleman/domain';
import {
  API_KEY_REVOKED_CHANNEL,
  CONNECT_TIMEOUT_MS,
  createDatabaseClient,
  KEEPALIVE_INITIAL_DELAY_MS,
  watchReplies,
} from '@scheduleman/domain/persistence';
import type { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

/** The idle LISTEN connection is pinged this often, and a ping may take this long (ms). */
const PING_INTERVAL_MS = 5_000;
const READ_TIMEOUT_MS = 5_000;
/** Wait before reconnecting after the connection broke (ms); the key cache's TTL covers the gap. */
const RECONNECT_DELAY_MS = 1_000;

/**
 * LISTENs on API_KEY_REVOKED_CHANNEL on a dedicated connection and calls `onRevoked` for
 * every notification, and also once the LISTEN is in place after each (re)connect and
 * whenever the connection breaks, since a revocation may have gone unheard in between
 * (ApiKeyCache.clear). The key cache's TTL is the bound when a notification is missed
 * for longer (docs/security.md "API keys"). Like the schedulers' WakeupListener, it
 * pings the idle connection so a half-open one is replaced within seconds.
 */
export class KeyRevocationListener {
  private readonly logger = new Logger(KeyRevocationListener.name);
  private stopped = false;
  private loop: Promise<void> | undefined;
  private drop: (() => void) | undefined;
  private readonly wake = new AbortController();

  constructor(
    private readonly connectionString: string,
    private readonly onRevoked: () => void,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    this.drop?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.listenUntilBroken();
      } catch (error) {
        this.logger.warn({
          msg: 'API key revocation listener lost its connection; cached keys expire by their TTL meanwhile',
          error: errorMessage(error),
        });
      }
      this.onRevoked();
      await sleep(RECONNECT_DELAY_MS, undefined, {
        signal: this.wake.signal,
      }).catch(() => undefined);
    }
  }

  private async listenUntilBroken(): Promise<void> {
    const client: Client = createDatabaseClient(this.connectionString, {
      application_name: 'schedule-api:key-revocations',
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    watchReplies(client.connection, READ_TIMEOUT_MS);
    let fail: (error: Error) => void = () => undefined;
    const broken = new Promise<void>((resolve, reject) => {
      fail = reject;
      client.on('error', reject);
      client.on('end', () => {
        reject(new Error('connection ended'));
      });
      this.drop = resolve;
    });
    broken.catch(() => undefined);
    let ping: NodeJS.Timeout | undefined;
    try {
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel === API_KEY_REVOKED_CHANNEL) this.onRevoked();
      });
      await client.query(`listen ${API_KEY_REVOKED_CHANNEL}`);
      if (this.stopped) return;
      this.onRevoked();
      ping = setInterval(() => {
        client.query('select 1').catch((error: unknown) => {
          fail(error instanceof Error ? error : new Error(String(error)));
        });
      }, PING_INTERVAL_MS);
      await broken;
    } finally {
      clearInterval(ping);
      this.drop = undefined;
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }
}
