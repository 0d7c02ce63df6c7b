import type { LoggerService } from '@nestjs/common';
import { jetstream, type PubAck } from '@nats-io/jetstream';
import {
  connect,
  type ConnectionOptions,
  headers as natsHeaders,
  type NatsConnection,
} from '@nats-io/transport-node';
import { type ConnectionUrl, errorMessage } from '@scheduleman/domain';
import type { BrokerClientFactory } from '../broker/broker-client-pool';
import type { ResolvedConnection } from '../broker/connection-source';

/** What the provider publishes through: one NATS connection, shared by every fire. */
export interface NatsClient {
  /**
   * `up`, or `reconnecting` between a disconnect and a reconnect (nats.js's status
   * events): a fire then fails at once as retryable instead of waiting in the
   * reconnect buffer for its whole budget.
   */
  readonly state: 'up' | 'reconnecting';
  /** Whether the server announced JetStream (INFO `jetstream`), for error messages. */
  readonly jetstream: boolean;
  /**
   * One JetStream publish; resolves with the stream's PubAck. `headers` go as NATS
   * headers under their own names, plus `Content-Type` and `Nats-Msg-Id` = `msgId`.
   */
  publish(
    subject: string,
    body: string,
    contentType: string,
    headers: Readonly<Record<string, string>>,
    msgId: string,
    timeoutMs: number,
  ): Promise<PubAck>;
}

export interface NatsClientFactoryOptions {
  logger?: LoggerService;
  /** The NATS handshake limit (nats.js `timeout`). Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Sent as the connection's name (shown by `nats server report connections`). */
  name?: string;
  /** Injected by tests; default nats.js's connect. */
  connect?: (options: ConnectionOptions) => Promise<NatsConnection>;
}

/** nats.js reconnects by itself this many times (1 s apart) before it closes for good. */
const RECONNECT_ATTEMPTS = 10;
const RECONNECT_WAIT_MS = 1_000;

/** The nats.js options of a connection, from its parsed URL (never from the URL text). */
export function natsConnectionOptions(
  url: ConnectionUrl,
  name: string,
  connectTimeoutMs: number,
): ConnectionOptions {
  const broker = url.brokers[0];
  const host = broker.host.includes(':') ? `[${broker.host}]` : broker.host;
  const options: ConnectionOptions = {
    servers: `${host}:${String(broker.port)}`,
    name,
    timeout: connectTimeoutMs,
    // The first connect fails at once (the pool backs off); later drops are retried by
    // nats.js, then the connection closes and the pool opens a new one.
    waitOnFirstConnect: false,
    reconnect: true,
    maxReconnectAttempts: RECONNECT_ATTEMPTS,
    reconnectTimeWait: RECONNECT_WAIT_MS,
    // The servers a cluster gossips were never checked against WEBHOOK_ALLOWED_NETWORKS
    // (broker-address-guard.ts): only the connection's own host is dialled.
    ignoreClusterUpdates: true,
    noRandomize: true,
  };
  if (url.token !== undefined) options.token = url.token;
  if (url.username !== undefined) options.user = url.username;
  if (url.password !== undefined) options.pass = url.password;
  // `tls://`: TLS required, verified against the system's CAs.
  if (url.tls) options.tls = {};
  return options;
}

/**
 * Opens one nats.js connection per connection row and wraps it for the provider. nats.js
 * reconnects by itself: its status events drive `state` and are logged; when it gives up
 * (or the server closes it) `onClosed` tells the pool, which discards the client and
 * opens a new one on the next fire.
 */
export class NatsClientFactory implements BrokerClientFactory<NatsClient> {
  /** Set by whoever owns the pool: the client closed by itself (not by `close`). */
  onClosed: (connectionId: string, client: NatsClient, reason: string) => void =
    () => undefined;
  private readonly connections = new WeakMap<NatsClient, NatsConnection>();
  /** Closed by `close` (the pool's doing): not reported back to it. */
  private readonly closing = new WeakSet<NatsClient>();

  constructor(private readonly options: NatsClientFactoryOptions = {}) {}

  async open(connection: ResolvedConnection): Promise<NatsClient> {
    const nc = await (this.options.connect ?? connect)(
      natsConnectionOptions(
        connection.url,
        this.options.name ?? 'scheduleman-scheduler',
        this.options.connectTimeoutMs ?? 5_000,
      ),
    );
    const client = new NatsConnectionClient(nc);
    this.connections.set(client, nc);
    void this.watch(connection, client, nc);
    return client;
  }

  state(client: NatsClient): 'up' | 'reconnecting' {
    return client.state;
  }

  async close(client: NatsClient): Promise<void> {
    const nc = this.connections.get(client);
    if (nc === undefined || nc.isClosed()) return;
    this.closing.add(client);
    try {
      // Flushes what was published, then closes; there are no subscriptions to drain.
      await nc.drain();
    } catch {
      await nc.close();
    }
  }

  private async watch(
    connection: ResolvedConnection,
    client: NatsConnectionClient,
    nc: NatsConnection,
  ): Promise<void> {
    const log = (msg: string, extra: Record<string, unknown> = {}): void => {
      this.options.logger?.warn({
        msg,
        connectionId: connection.id,
        type: 'nats',
        ...extra,
      });
    };
    void nc.closed().then((error) => {
      client.state = 'reconnecting';
      if (this.closing.has(client)) return;
      const reason =
        error instanceof Error
          ? `the NATS connection closed: ${errorMessage(error)}`
          : 'the NATS connection closed';
      log(reason);
      this.onClosed(connection.id, client, reason);
    });
    try {
      for await (const status of nc.status()) {
        switch (status.type) {
          case 'disconnect':
            client.state = 'reconnecting';
            log('the NATS connection was lost; nats.js reconnects');
            break;
          case 'reconnect':
            client.state = 'up';
            log('the NATS connection is back');
            break;
          case 'error':
            log('the NATS server reported an error', {
              reason: errorMessage(status.error),
            });
            break;
          default:
            break;
        }
      }
    } catch (error) {
      log('the NATS status stream failed', { reason: errorMessage(error) });
    }
  }
}

class NatsConnectionClient implements NatsClient {
  state: 'up' | 'reconnecting' = 'up';
  readonly jetstream: boolean;
  private readonly js;

  constructor(nc: NatsConnection) {
    this.js = jetstream(nc);
    this.jetstream = nc.info?.jetstream === true;
  }

  publish(
    subject: string,
    body: string,
    contentType: string,
    headers: Readonly<Record<string, string>>,
    msgId: string,
    timeoutMs: number,
  ): Promise<PubAck> {
    const h = natsHeaders();
    h.set('Content-Type', contentType);
    for (const name in headers) h.set(name, headers[name]);
    return this.js.publish(subject, body, {
      msgID: msgId,
      headers: h,
      timeout: timeoutMs,
    });
  }
}
