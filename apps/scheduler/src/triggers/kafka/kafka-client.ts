import type { LoggerService } from '@nestjs/common';
import {
  checkDestination,
  type ConnectionUrl,
  type NetworkPolicy,
  parseIpHost,
} from '@scheduleman/domain';
import {
  type ISocketFactory,
  Kafka,
  type KafkaConfig,
  type logCreator,
  logLevel,
  type Message,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { connect as netConnect, isIP, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { BrokerClientFactory } from '../broker/broker-client-pool';
import type { ResolvedConnection } from '../broker/connection-source';
import { rootKafkaError } from './kafka-outcome';
import {
  DESTINATION_NOT_ALLOWED_CODE,
  DestinationNotAllowedError,
  guardedLookup,
} from '../outbound/destination-guard';

/**
 * What the Kafka provider produces through: one kafkajs producer per connection per
 * scheduler process. A seam so the outcome mapping is unit-tested with a fake.
 */
export interface KafkaPublisher {
  /** Resolves with the produce response (acks = -1), rejects with kafkajs's error. */
  send(topic: string, message: Message): Promise<void>;
}

export interface KafkaClientFactoryOptions {
  /** This scheduler's id: the kafkajs clientId (seen in broker logs and quotas). */
  schedulerId: string;
  policy: NetworkPolicy;
  logger?: LoggerService;
  /** TCP (and TLS) connect timeout per broker. Default 2000. */
  connectionTimeoutMs?: number;
  /** A request without an answer fails after this long. Default 3000 (the fire budget). */
  requestTimeoutMs?: number;
}

/** Broker-side wait for the in-sync replicas (acks = -1): within the 3 s fire budget. */
export const KAFKA_ACK_TIMEOUT_MS = 2_500;

/**
 * Opens kafkajs producers from a connection (ConnectionUrl: the bootstrap list, `tls`,
 * `sasl` with username and password).
 *
 * - `acks: -1` on every send: the produce answer comes once every in-sync replica has
 *   the record (what that is worth depends on the topic's min.insync.replicas).
 * - `idempotent: false`. The idempotent producer dedupes only its own retries within
 *   one producer session (PID + sequence); it does nothing across scheduler processes
 *   or across our attempts, which is where duplicates come from. And its init fails
 *   against the librdkafka mock, the only Kafka the tests have here.
 * - Few internal retries (2, 100 ms → 500 ms), so a leader change is absorbed but the
 *   3 s budget is not spent inside kafkajs; the retry policy does the rest.
 * - Sockets come from a socket factory: host names through guardedLookup, and literal
 *   addresses checked too, since brokers *advertised* in metadata (not only the
 *   bootstrap list the pool checked) get connections as well.
 * - Topics are never created by the scheduler (allowAutoTopicCreation: false): a typo
 *   in a trigger should fail, not create a topic on a broker that allows it.
 */
export class KafkaClientFactory implements BrokerClientFactory<KafkaPublisher> {
  constructor(private readonly options: KafkaClientFactoryOptions) {}

  async open(connection: ResolvedConnection): Promise<KafkaPublisher> {
    const kafka = new Kafka(this.config(connection.url));
    const producer = kafka.producer({
      idempotent: false,
      allowAutoTopicCreation: false,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
    });
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      if (rootKafkaError(error).code === DESTINATION_NOT_ALLOWED_CODE)
        throw new DestinationNotAllowedError();
      throw error;
    }
    return new KafkaJsPublisher(producer);
  }

  async close(publisher: KafkaPublisher): Promise<void> {
    if (publisher instanceof KafkaJsPublisher) await publisher.disconnect();
  }

  /** The kafkajs configuration of a connection (exported for its unit test). */
  config(url: ConnectionUrl): KafkaConfig {
    return {
      clientId: `scheduleman-${this.options.schedulerId}`,
      brokers: url.brokers.map(({ host, port }) =>
        isIP(host) === 6
          ? `[${host}]:${String(port)}`
          : `${host}:${String(port)}`,
      ),
      ssl: url.tls,
      ...(url.sasl === undefined ? {} : { sasl: saslOf(url) }),
      connectionTimeout: this.options.connectionTimeoutMs ?? 2_000,
      requestTimeout: this.options.requestTimeoutMs ?? 3_000,
      // Connecting: a failed open is retried by the pool, with its backoff.
      retry: { retries: 0 },
      socketFactory: guardedSocketFactory(this.options.policy),
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(this.options.logger),
    };
  }
}

function saslOf(url: ConnectionUrl): SASLOptions {
  const username = url.username ?? '';
  const password = url.password ?? '';
  switch (url.sasl) {
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      return { mechanism: 'plain', username, password };
  }
}

/**
 * kafkajs's own socket factory (src/network/socketFactory.js) with the network policy:
 * a name goes through guardedLookup (checked and connected in one resolution), a
 * literal address is checked here (net.connect does not call `lookup` for one).
 */
export function guardedSocketFactory(policy: NetworkPolicy): ISocketFactory {
  const lookup = guardedLookup(policy);
  return ({ host, port, ssl, onConnect }) => {
    const literal = parseIpHost(host);
    if (
      literal === 'invalid' ||
      (literal !== undefined && !checkDestination(literal, policy).allowed)
    ) {
      const refused = new Socket();
      process.nextTick(() => refused.destroy(new DestinationNotAllowedError()));
      return refused;
    }
    // kafkajs passes the config's `ssl` as is: true, an options object, or nothing.
    const tlsOptions: unknown = ssl;
    const socket = tlsOptions
      ? tlsConnect(
          {
            host,
            port,
            lookup,
            ...(isIP(host) === 0 ? { servername: host } : {}),
            ...(typeof tlsOptions === 'object' ? tlsOptions : {}),
          },
          onConnect,
        )
      : netConnect({ host, port, lookup }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}

/** kafkajs logs (WARN and ERROR) to the scheduler's logger, never to the console. */
function kafkaLogCreator(logger: LoggerService | undefined): logCreator {
  return () =>
    ({ level, log }) => {
      if (logger === undefined) return;
      const entry = {
        msg: `kafkajs: ${log.message}`,
        ...(typeof log['broker'] === 'string' ? { broker: log['broker'] } : {}),
      };
      if (level === logLevel.ERROR) logger.error(entry);
      else logger.warn(entry);
    };
}

class KafkaJsPublisher implements KafkaPublisher {
  constructor(private readonly producer: Producer) {}

  async send(topic: string, message: Message): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      timeout: KAFKA_ACK_TIMEOUT_MS,
      messages: [message],
    });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
