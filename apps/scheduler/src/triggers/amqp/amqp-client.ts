import type { LoggerService } from '@nestjs/common';
import { errorMessage, type NetworkPolicy } from '@scheduleman/domain';
import { connect as amqpConnect, type ChannelModel } from 'amqplib';
import type { LookupFunction } from 'node:net';
import type { BrokerClientFactory } from '../broker/broker-client-pool';
import type { ResolvedConnection } from '../broker/connection-source';
import { guardedLookup } from '../outbound/destination-guard';
import { amqpConnectOptions, amqpSocketOptions } from './amqp-options';
import { AmqpPublisher } from './amqp-publisher';

/**
 * Words that start the message of an open the broker refused (bad credentials, a virtual
 * host that does not exist or the user may not use): the provider fails such fires for
 * good (amqp-outcome.ts), where a broker that cannot be reached is worth retrying.
 */
export const AMQP_OPEN_REFUSED = 'refused by the broker';

/** What the pool calls to open and close the client of one AMQP connection row. */
export interface AmqpClientFactoryOptions {
  policy: NetworkPolicy;
  logger?: LoggerService;
  /** amqplib's connect; a test passes a fake. */
  connect?: (
    url: ReturnType<typeof amqpConnectOptions>,
    socket: ReturnType<typeof amqpSocketOptions>,
  ) => Promise<ChannelModel>;
}

/**
 * Opens one AMQP connection per connection row (BrokerClientPool calls it, once, and
 * again after a discard), with the options of its ConnectionUrl and the guarded DNS
 * lookup, and its publish channel open before the client is handed out. A connection
 * that breaks later (socket error, heartbeat timeout, closed by the broker) reports it
 * through `onBroken`, which the provider points at `pool.discard`: the next fire opens a
 * new one through the pool, with its backoff.
 */
export class AmqpClientFactory implements BrokerClientFactory<AmqpPublisher> {
  /** Set by the provider once the pool exists (the pool is built from this factory). */
  onBroken?: (
    connectionId: string,
    client: AmqpPublisher,
    reason: string,
  ) => void;
  private readonly lookup: LookupFunction;

  constructor(private readonly options: AmqpClientFactoryOptions) {
    this.lookup = guardedLookup(options.policy);
  }

  async open(connection: ResolvedConnection): Promise<AmqpPublisher> {
    const connect = this.options.connect ?? amqpConnect;
    let model: ChannelModel;
    try {
      model = await connect(
        amqpConnectOptions(connection.url),
        amqpSocketOptions(this.lookup, connection.name),
      );
    } catch (error) {
      throw openError(error, connection);
    }
    const client: AmqpPublisher = new AmqpPublisher(model, {
      logger: this.options.logger,
      onBroken: (reason) => {
        this.options.logger?.warn({
          msg: 'an AMQP connection broke; the next fire opens another',
          connectionId: connection.id,
          reason,
        });
        this.onBroken?.(connection.id, client, reason);
      },
    });
    try {
      await client.ready();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new Error(
        `the publish channel did not open: ${errorMessage(error)}`,
      );
    }
    return client;
  }

  close(client: AmqpPublisher): Promise<void> {
    return client.close();
  }
}

/**
 * amqplib's open errors, reworded where they say little: a refused login reads
 * "Handshake terminated by server: 403 (ACCESS-REFUSED) …", a virtual host the user may
 * not open "Expected ConnectionOpenOk; got <ConnectionClose channel:0>". Network errors
 * (and the address guard's refusal, which the pool recognises by its class) pass as
 * they are.
 */
function openError(error: unknown, connection: ResolvedConnection): unknown {
  const message = errorMessage(error);
  if (/ACCESS[-_]REFUSED/.test(message))
    return new Error(
      `${AMQP_OPEN_REFUSED}: access refused for user "${connection.url.username ?? 'guest'}" (wrong credentials, or no access to the virtual host)`,
    );
  if (/Expected ConnectionOpenOk/.test(message))
    return new Error(
      `${AMQP_OPEN_REFUSED}: virtual host "${connection.url.vhost ?? '/'}" does not exist or user "${connection.url.username ?? 'guest'}" may not open it`,
    );
  return error;
}
