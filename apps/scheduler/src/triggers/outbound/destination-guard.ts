import {
  lookup as dnsLookup,
  type LookupAddress,
  type LookupAllOptions,
} from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  checkDestination,
  DESTINATION_NOT_ALLOWED,
  type NetworkPolicy,
  parseIpHost,
} from '@scheduleman/domain';
import { buildConnector } from 'undici';

/** The `code` of a refused connection, which the webhook outcome maps to a permanent failure. */
export const DESTINATION_NOT_ALLOWED_CODE = 'ERR_DESTINATION_NOT_ALLOWED';

/**
 * A connection refused by the network policy. Its message is the same whatever the
 * reason: the addresses a name resolves to are the operator's business, not the schedule
 * author's, so they are never echoed into the execution's error.
 */
export class DestinationNotAllowedError extends Error {
  readonly code = DESTINATION_NOT_ALLOWED_CODE;

  constructor() {
    super(DESTINATION_NOT_ALLOWED);
    this.name = 'DestinationNotAllowedError';
  }
}

/** dns.lookup with `all: true`: every address of a name (a test passes a fake one). */
export type ResolveAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (
    error: NodeJS.ErrnoException | null,
    addresses: LookupAddress[],
  ) => void,
) => void;

/** Whether a socket may be opened to `address` (an IP address as text, zone id allowed). */
export function isDestinationAllowed(
  address: string,
  policy: NetworkPolicy,
): boolean {
  const parsed = parseIpHost(address);
  // Anything that is not an address (a name, garbage) cannot be vetted, so is refused.
  if (parsed === undefined || parsed === 'invalid') return false;
  return checkDestination(parsed, policy).allowed;
}

/**
 * A `lookup` for net.connect / tls.connect that resolves every address of the name and
 * refuses the connection when any of them is not allowed. The socket then connects to
 * exactly the addresses vetted here, in the same call: a name that resolves to a public
 * address when checked and to 127.0.0.1 when connected (DNS rebinding) cannot slip
 * between a check and a connect, because there is no second resolution. One forbidden
 * address among several refuses them all: a name that mixes public and internal
 * addresses is not one a webhook should use.
 */
export function guardedLookup(
  policy: NetworkPolicy,
  resolve: ResolveAll = dnsLookup,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '');
        return;
      }
      const first = addresses.at(0);
      if (
        first === undefined ||
        !addresses.every((entry) => isDestinationAllowed(entry.address, policy))
      ) {
        callback(new DestinationNotAllowedError(), '');
        return;
      }
      if (options.all === true) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * An undici connector that checks the address of every new connection against `policy`:
 * a literal address here (net.connect does not call `lookup` for one), a name through
 * guardedLookup. Pooled connections were checked when they were opened.
 */
export function guardedConnector(
  policy: NetworkPolicy,
  resolve?: ResolveAll,
): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(policy, resolve) });
  return (target, callback) => {
    const literal = parseIpHost(target.hostname);
    if (
      literal === 'invalid' ||
      (literal !== undefined && !checkDestination(literal, policy).allowed)
    ) {
      // Asynchronously, as a socket error would be: undici resumes its queue after it.
      process.nextTick(() => {
        callback(new DestinationNotAllowedError(), null);
      });
      return;
    }
    connect(target, callback);
  };
}
