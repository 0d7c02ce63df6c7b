import { lookup as dnsLookup } from 'node:dns';
import {
  type BrokerAddress,
  checkDestination,
  type NetworkPolicy,
  parseIpHost,
} from '@scheduleman/domain';
import {
  DestinationNotAllowedError,
  isDestinationAllowed,
  type ResolveAll,
} from '../outbound/destination-guard';

/**
 * Outbound safety for broker connections (docs/security.md, "Outbound safety"): before a
 * client is opened, every broker host of the connection is checked against the network
 * policy: a literal address directly, a name on every address it resolves to. One
 * forbidden address refuses the connection (DestinationNotAllowedError).
 *
 * The broker clients resolve the name again when they connect; where a client takes a
 * `lookup` function (amqplib, node-redis) the provider passes guardedLookup too, which
 * closes that window. For the others (nats.js, mqtt.js, kafkajs) a DNS answer that
 * changes between the two resolutions could slip through: the limit is written in
 * docs/security.md.
 */
export async function checkBrokerAddresses(
  brokers: readonly BrokerAddress[],
  policy: NetworkPolicy,
  resolve: ResolveAll = dnsLookup,
): Promise<void> {
  for (const broker of brokers) {
    const literal = parseIpHost(broker.host);
    if (literal === 'invalid') throw new DestinationNotAllowedError();
    if (literal !== undefined) {
      if (!checkDestination(literal, policy).allowed)
        throw new DestinationNotAllowedError();
      continue;
    }
    const addresses = await new Promise<string[]>((resolved, rejected) => {
      resolve(broker.host, { all: true }, (error, found) => {
        if (error) rejected(error);
        else resolved(found.map((entry) => entry.address));
      });
    });
    if (
      addresses.length === 0 ||
      !addresses.every((address) => isDestinationAllowed(address, policy))
    )
      throw new DestinationNotAllowedError();
  }
}
