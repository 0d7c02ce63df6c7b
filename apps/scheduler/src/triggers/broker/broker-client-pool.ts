import type { LoggerService } from '@nestjs/common';
import { errorMessage, type NetworkPolicy } from '@scheduleman/domain';
import { DestinationNotAllowedError } from '../outbound/destination-guard';
import { checkBrokerAddresses } from './broker-address-guard';
import { ABORTED, raceSignal } from './race-signal';
import type { ResolvedConnection } from './connection-source';

/** How a provider opens and closes its broker's client (one per connection). */
export interface BrokerClientFactory<C> {
  /** Opens a client; rejects when it cannot (its message is shown in executions). */
  open(connection: ResolvedConnection): Promise<C>;
  /** Closes a client, letting in-flight publishes finish where the client allows. */
  close(client: C): Promise<void>;
  /**
   * For a client that reconnects by itself (nats.js, node-redis, mqtt.js): whether it is
   * up now or reconnecting, for /health. Without it, an open client shows as `up`.
   */
  state?(client: C): 'up' | 'reconnecting';
}

/** What /health shows of one connection (never its URL). */
export interface ConnectionHealth {
  connectionId: string;
  name: string;
  type: string;
  /** `reconnecting`: the client lost its broker and is reconnecting by itself. */
  state: 'connecting' | 'up' | 'reconnecting' | 'down';
  /** Since when it is in this state (ISO). */
  since: string;
  lastError?: string;
}

export type AcquireResult<C> =
  | { client: C }
  | { error: string; permanent: boolean };

interface Entry<C> {
  connection: ResolvedConnection;
  opening?: Promise<C>;
  client?: C;
  state: ConnectionHealth['state'];
  sinceMs: number;
  lastError?: string;
  /** Consecutive failed opens: the backoff grows with them. */
  failures: number;
  /** No open is tried before this (ms, nowMs clock). */
  retryAtMs: number;
  permanent: boolean;
}

export interface BrokerClientPoolOptions {
  policy: NetworkPolicy;
  logger?: LoggerService;
  /** A monotonic clock in ms. Default performance.now. */
  nowMs?: () => number;
  /** Wall clock for `since` in health. Default Date. */
  wallMs?: () => number;
  /** First backoff after a failed open; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * One client per connection per scheduler process, opened lazily by the first fire that
 * needs it and shared by every schedule on the connection (docs/triggers.md, "Broker
 * connections"). A failed open is not retried by every fire: for a backoff that doubles
 * from 0.5 s to 30 s, attempts fail fast as retryable with the last error, so a broker
 * that is down costs one connect per backoff, not one per occurrence. A provider that
 * sees its client break calls `discard`, and the next fire opens a new one. Clients are
 * closed on `close(id)` (the connection was deleted) and on shutdown.
 */
export class BrokerClientPool<C> {
  private readonly entries = new Map<string, Entry<C>>();
  private readonly nowMs: () => number;
  private readonly wallMs: () => number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly factory: BrokerClientFactory<C>,
    private readonly options: BrokerClientPoolOptions,
  ) {
    this.nowMs = options.nowMs ?? (() => performance.now());
    // eslint-disable-next-line no-restricted-syntax -- health's `since` is wall-clock by nature
    this.wallMs = options.wallMs ?? (() => Date.now());
    this.minBackoffMs = options.minBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  /**
   * The connection's client, opening it if needed. Never throws. Returns as soon as
   * `signal` aborts (the open goes on, for the next fire).
   */
  async acquire(
    connection: ResolvedConnection,
    signal: AbortSignal,
  ): Promise<AcquireResult<C>> {
    const entry = this.entryFor(connection);
    if (entry.client !== undefined) return { client: entry.client };
    if (entry.opening === undefined) {
      if (this.nowMs() < entry.retryAtMs)
        return {
          error: `connection "${connection.name}" is down (${entry.lastError ?? 'unknown error'}); the next try is in ${String(Math.ceil(entry.retryAtMs - this.nowMs()))} ms`,
          permanent: entry.permanent,
        };
      entry.opening = this.open(entry);
      // Every waiter may have given up (aborted): the failure is in the entry, not lost.
      entry.opening.catch(() => undefined);
    }
    const opening = entry.opening;
    try {
      const client = await raceSignal(opening, signal);
      if (client === ABORTED)
        return {
          error: `connection "${connection.name}" did not open in time`,
          permanent: false,
        };
      return { client };
    } catch (error) {
      return {
        error: `connection "${connection.name}" cannot be opened: ${errorMessage(error)}`,
        permanent: error instanceof DestinationNotAllowedError,
      };
    }
  }

  /** The client broke (the provider saw it): close it; the next acquire opens another. */
  discard(connectionId: string, client: C, reason: string): void {
    const entry = this.entries.get(connectionId);
    if (entry?.client !== client) return;
    entry.client = undefined;
    this.setState(entry, 'down', reason);
    entry.failures = 0;
    entry.retryAtMs = 0;
    void this.closeQuietly(entry.connection, client);
  }

  /** Closes and forgets the connection's client (it was deleted). */
  async close(connectionId: string): Promise<void> {
    const entry = this.entries.get(connectionId);
    if (entry === undefined) return;
    this.entries.delete(connectionId);
    const client =
      entry.client ?? (await entry.opening?.catch(() => undefined));
    if (client !== undefined) await this.closeQuietly(entry.connection, client);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.close(id)));
  }

  health(): ConnectionHealth[] {
    return [...this.entries.values()].map((entry) => ({
      connectionId: entry.connection.id,
      name: entry.connection.name,
      type: entry.connection.type,
      state:
        entry.client !== undefined && this.factory.state !== undefined
          ? this.factory.state(entry.client)
          : entry.state,
      since: new Date(entry.sinceMs).toISOString(),
      ...(entry.lastError === undefined ? {} : { lastError: entry.lastError }),
    }));
  }

  private entryFor(connection: ResolvedConnection): Entry<C> {
    let entry = this.entries.get(connection.id);
    if (entry === undefined) {
      entry = {
        connection,
        state: 'connecting',
        sinceMs: this.wallMs(),
        failures: 0,
        retryAtMs: 0,
        permanent: false,
      };
      this.entries.set(connection.id, entry);
    }
    return entry;
  }

  private async open(entry: Entry<C>): Promise<C> {
    this.setState(entry, 'connecting', entry.lastError);
    try {
      await checkBrokerAddresses(
        entry.connection.url.brokers,
        this.options.policy,
      );
      const client = await this.factory.open(entry.connection);
      if (this.entries.get(entry.connection.id) !== entry) {
        // Closed while it opened (the connection was deleted, or shutdown).
        await this.closeQuietly(entry.connection, client);
        throw new Error('the connection was closed');
      }
      entry.client = client;
      entry.failures = 0;
      entry.permanent = false;
      this.setState(entry, 'up', undefined);
      return client;
    } catch (error) {
      entry.failures += 1;
      entry.permanent = error instanceof DestinationNotAllowedError;
      entry.retryAtMs =
        this.nowMs() +
        Math.min(
          this.maxBackoffMs,
          this.minBackoffMs * 2 ** (entry.failures - 1),
        );
      this.setState(entry, 'down', errorMessage(error));
      this.options.logger?.warn({
        msg: 'a broker connection could not be opened',
        connectionId: entry.connection.id,
        type: entry.connection.type,
        reason: errorMessage(error),
      });
      throw error;
    } finally {
      entry.opening = undefined;
    }
  }

  private setState(
    entry: Entry<C>,
    state: ConnectionHealth['state'],
    lastError: string | undefined,
  ): void {
    if (entry.state !== state) entry.sinceMs = this.wallMs();
    entry.state = state;
    entry.lastError = lastError;
  }

  private async closeQuietly(
    connection: ResolvedConnection,
    client: C,
  ): Promise<void> {
    try {
      await this.factory.close(client);
    } catch (error) {
      this.options.logger?.warn({
        msg: 'a broker client did not close cleanly',
        connectionId: connection.id,
        reason: errorMessage(error),
      });
    }
  }
}
