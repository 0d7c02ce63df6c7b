import type { LookupFunction } from 'node:net';
import {
  type BrokerMessage,
  type ConnectionUrl,
  WEBHOOK_TIMESTAMP_HEADER,
} from '@scheduleman/domain';
import type { Options, SocketOptions } from 'amqplib';

/** How long the TCP (and TLS) connect plus the AMQP handshake may take before the open fails. */
export const AMQP_CONNECT_TIMEOUT_MS = 10_000;

/**
 * amqplib's connect options, from the parsed connection URL (never the URL text: amqplib
 * splits URLs its own way). The object form is used, so the credentials go in as they
 * are (ConnectionUrl has decoded them); no credentials means amqplib's guest/guest, as
 * with an `amqp://host` URL.
 *
 * The virtual host is percent-encoded again: amqplib unescapes `vhost` even in the
 * object form, so a decoded name holding `%41` would otherwise reach the broker as `A`.
 */
export function amqpConnectOptions(url: ConnectionUrl): Options.Connect {
  const [broker] = url.brokers;
  const options: Options.Connect = {
    protocol: url.tls ? 'amqps' : 'amqp',
    hostname: broker.host,
    port: broker.port,
    vhost: encodeURIComponent(url.vhost ?? '/'),
  };
  if (url.username !== undefined || url.password !== undefined) {
    options.username = url.username ?? '';
    options.password = url.password ?? '';
  }
  for (const name of ['heartbeat', 'frameMax', 'channelMax'] as const) {
    // Only those the URL sets: amqplib's defaults (the server's heartbeat) otherwise.
    if (Object.hasOwn(url.params, name)) options[name] = url.params[name];
  }
  return options;
}

/**
 * Socket options: amqplib hands them to net.connect / tls.connect as they are, so the
 * guarded `lookup` vets every address a host name resolves to in the very resolution
 * the socket connects with (docs/security.md). A literal address is not looked up; the
 * pool checked it before the open. No Nagle delay: a fire is one small publish whose
 * confirm is waited for.
 */
export function amqpSocketOptions(
  lookup: LookupFunction,
  connectionName: string,
): SocketOptions {
  return {
    lookup,
    noDelay: true,
    timeout: AMQP_CONNECT_TIMEOUT_MS,
    // Shown by the management UI and `rabbitmqctl list_connections client_properties`.
    clientProperties: {
      connection_name: `scheduleman scheduler: ${connectionName}`,
    },
  };
}

/**
 * The properties of one published message (docs/triggers.md, "The AMQP provider"): the contract's
 * metadata in `headers`, the execution id as `messageId` (what a consumer dedupes on),
 * persistent, and `mandatory` so that an unroutable message comes back (basic.return)
 * instead of being confirmed and dropped.
 */
export function amqpPublishOptions(
  executionId: string,
  message: BrokerMessage,
): Options.Publish & { messageId: string } {
  return {
    mandatory: true,
    persistent: true,
    messageId: executionId,
    contentType: message.contentType,
    headers: message.headers,
    // The attempt's time (webhook-timestamp, Unix seconds), as AMQP timestamps are.
    timestamp: Number(message.headers[WEBHOOK_TIMESTAMP_HEADER]),
  };
}

/** AMQP reply codes the provider tells apart (AMQP 0-9-1 constants). */
export const AMQP_REPLY = {
  noRoute: 312,
  accessRefused: 403,
  notFound: 404,
} as const;

/**
 * The exchange a channel error names: RabbitMQ says "no exchange 'x' in vhost '/'"
 * (404), "access to exchange 'x' in vhost '/' refused for user 'u'" and "cannot publish
 * to internal exchange 'x' in vhost '/'" (403). Exchange names of stored triggers hold
 * no quote (broker.trigger-definitions.ts), so the quotes delimit them.
 */
export function exchangeNamedIn(message: string): string | undefined {
  return /exchange '([^']*)' in vhost/.exec(message)?.[1];
}

/** The broker's own words out of amqplib's "… with message "NOT_FOUND - …"" wrapping. */
export function brokerReplyText(message: string): string {
  return /with message "([^"]*)"/.exec(message)?.[1] ?? message;
}
