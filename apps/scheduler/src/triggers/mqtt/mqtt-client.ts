import type { LoggerService } from '@nestjs/common';
import { errorMessage, type NetworkPolicy } from '@scheduleman/domain';
import { randomBytes } from 'node:crypto';
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  type IClientOptions,
  type IClientPublishOptions,
  MqttClient,
  type Packet,
} from 'mqtt';
import type { BrokerClientFactory } from '../broker/broker-client-pool';
import type { ResolvedConnection } from '../broker/connection-source';
import { guardedLookup } from '../outbound/destination-guard';

/**
 * What the MQTT provider publishes through: one mqtt.js client (one MQTT 5 session) per
 * connection per scheduler process. A seam so the outcome mapping is unit-tested with
 * a fake (mqtt.trigger-provider.spec.ts).
 */
export interface MqttPublisher {
  /** Whether the session is up now; mqtt.js reconnects by itself while it is not. */
  isConnected(): boolean;
  /** The last error the client reported (a refused reconnect, a keepalive timeout). */
  lastError(): string | undefined;
  /**
   * Publishes; resolves on PUBACK (QoS 1) or PUBCOMP (QoS 2) with a reason code below
   * 0x80, rejects otherwise (mqtt.js's ErrorWithReasonCode carries the code).
   */
  publish(
    topic: string,
    payload: string,
    options: IClientPublishOptions,
  ): Promise<void>;
}

export interface MqttClientFactoryOptions {
  /** This scheduler's id (SCHEDULER_ID): part of every MQTT client id it uses. */
  schedulerId: string;
  policy: NetworkPolicy;
  logger?: LoggerService;
  /** Wait for the CONNACK of a new session at most this long. Default 5000. */
  connectTimeoutMs?: number;
  /** mqtt.js's pause between reconnects of a session that dropped. Default 1000. */
  reconnectPeriodMs?: number;
}

/** Client ids longer than this are refused by some brokers (MQTT 3.1.1 promised only 23). */
const MAX_SCHEDULER_ID_IN_CLIENT_ID = 40;

/** How long a closing client waits for the PUBACKs of publishes in flight. */
const CLOSE_GRACE_MS = 2_000;

/**
 * A client id unique to this scheduler process *and* to this client: two schedulers
 * (or two connections of one scheduler to one broker) with one id would take each
 * other's session over and over (research/triggers.md, "Gotchas"). `SCHEDULER_ID` is
 * set by operators and may repeat across processes, hence the random part.
 */
export function mqttClientId(
  schedulerId: string,
  random: string = randomBytes(6).toString('hex'),
): string {
  const safe = schedulerId
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, MAX_SCHEDULER_ID_IN_CLIENT_ID);
  return `scheduleman-${safe}-${random}`;
}

/**
 * Opens mqtt.js clients from a connection (ConnectionUrl: one broker, `mqtts` = TLS,
 * user and password), MQTT 5 with a clean start and no session kept after a disconnect
 * (the scheduler only publishes: it has nothing to resume).
 *
 * The socket is opened here (a stream builder) with guardedLookup, so the addresses a
 * host name resolves to are checked on the first connect and on every reconnect (the
 * pool checks a literal address before it opens). mqtt.js reconnects a dropped session
 * itself every `reconnectPeriodMs`; the client is discarded only when it is closed.
 */
export class MqttClientFactory implements BrokerClientFactory<MqttPublisher> {
  constructor(private readonly options: MqttClientFactoryOptions) {}

  open(connection: ResolvedConnection): Promise<MqttPublisher> {
    const { url } = connection;
    const broker = url.brokers.at(0);
    if (broker === undefined)
      return Promise.reject(new Error('the connection names no broker'));
    const lookup = guardedLookup(this.options.policy);
    const { host, port } = broker;
    const streamBuilder = () =>
      url.tls
        ? tlsConnect({
            host,
            port,
            lookup,
            servername: isIP(host) === 0 ? host : undefined,
          })
        : netConnect({ host, port, lookup });
    const clientOptions: IClientOptions = {
      protocolVersion: 5,
      clientId: mqttClientId(this.options.schedulerId),
      clean: true,
      keepalive: 30,
      connectTimeout: this.options.connectTimeoutMs ?? 5_000,
      reconnectPeriod: this.options.reconnectPeriodMs ?? 1_000,
      // Nothing is subscribed, and QoS 0 is never published.
      resubscribe: false,
      queueQoSZero: false,
      ...(url.username === undefined ? {} : { username: url.username }),
      ...(url.password === undefined ? {} : { password: url.password }),
    };
    return new Promise<MqttPublisher>((resolve, reject) => {
      const client = new MqttClient(streamBuilder, clientOptions);
      const publisher = new MqttJsPublisher(client, connection, this.options);
      const settle = (error?: Error) => {
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
        if (error === undefined) {
          resolve(publisher);
          return;
        }
        // Stops the reconnect loop: the pool retries the open with its own backoff.
        client.end(true);
        reject(error);
      };
      const onConnect = () => {
        settle();
      };
      const onError = (error: Error) => {
        settle(error);
      };
      const onClose = () => {
        settle(new Error('the broker closed the connection before CONNACK'));
      };
      client.once('connect', onConnect);
      client.once('error', onError);
      client.once('close', onClose);
    });
  }

  state(publisher: MqttPublisher): 'up' | 'reconnecting' {
    return publisher.isConnected() ? 'up' : 'reconnecting';
  }

  async close(publisher: MqttPublisher): Promise<void> {
    if (publisher instanceof MqttJsPublisher) await publisher.end();
  }
}

/** mqtt.js behind MqttPublisher: keeps the last error, never lets an 'error' event crash. */
class MqttJsPublisher implements MqttPublisher {
  private last: string | undefined;

  constructor(
    private readonly client: MqttClient,
    connection: ResolvedConnection,
    options: MqttClientFactoryOptions,
  ) {
    // An EventEmitter 'error' without a listener throws: one is attached for the
    // client's whole life, before the first connect can fail.
    client.on('error', (error) => {
      this.last = errorMessage(error);
      options.logger?.warn({
        msg: 'mqtt client error',
        connectionId: connection.id,
        reason: this.last,
      });
    });
    client.on('connect', () => {
      this.last = undefined;
    });
    client.on('offline', () => {
      this.last ??= 'the connection to the broker was lost';
    });
  }

  isConnected(): boolean {
    return this.client.connected;
  }

  lastError(): string | undefined {
    return this.last;
  }

  publish(
    topic: string,
    payload: string,
    options: IClientPublishOptions,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.client.publish(
        topic,
        payload,
        options,
        (error?: Error, _packet?: Packet) => {
          if (error) reject(error);
          else resolve();
        },
      );
    });
  }

  /**
   * Not forced at first: in-flight publishes get their PUBACK (mqtt.js waits for them),
   * for at most CLOSE_GRACE_MS; then, or at once when the session is down, forced.
   */
  end(): Promise<void> {
    const client = this.client;
    if (!client.connected)
      return new Promise((resolve) => client.end(true, {}, () => resolve()));
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.end(true, {}, () => resolve());
      }, CLOSE_GRACE_MS);
      client.end(false, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
