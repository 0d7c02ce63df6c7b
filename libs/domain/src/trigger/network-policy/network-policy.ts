import {
  embeddedIpv4,
  formatIpAddress,
  type IpAddress,
  type IpNetwork,
  networkContains,
  parseIpHost,
  parseIpNetwork,
  parseIpNetworkList,
} from './ip-address';

/**
 * Where a trigger may send. scheduleman runs next to things a schedule's author must not
 * reach through it: the cloud metadata service (169.254.169.254), its own database, the
 * API itself, anything on a private network. So a trigger may reach public unicast
 * addresses only, unless the operator exempts a network (WEBHOOK_ALLOWED_NETWORKS).
 * This module only classifies; the API refuses literal addresses with it at create and
 * PATCH, and the scheduler checks every resolved address with it at connect time.
 */

export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

/** How an address embeds an IPv4 address that decides what it reaches. */
type Embedding = 'ipv4-mapped' | 'nat64' | '6to4';

interface SpecialRange {
  network: IpNetwork;
  kind: Exclude<AddressKind, 'public'>;
  /** What the range is, for messages: "loopback", "cloud metadata and link-local". */
  label: string;
}

interface EmbeddingRange {
  network: IpNetwork;
  embedding: Embedding;
  /** Bit offset of the embedded IPv4 address. */
  from: number;
}

/**
 * The IANA special-purpose registries (RFC 6890 and successors) that a webhook must not
 * reach. Ranges the registries mark globally reachable (AS112 192.31.196.0/24 and
 * 192.175.48.0/24, AMT 192.52.193.0/24) stay public. Longest prefix wins.
 */
const SPECIAL_RANGES: readonly SpecialRange[] = (
  [
    ['0.0.0.0/32', 'unspecified', 'unspecified (connects to this host)'],
    ['0.0.0.0/8', 'reserved', '"this network"'],
    ['10.0.0.0/8', 'private', 'private (RFC 1918)'],
    ['100.64.0.0/10', 'shared', 'shared address space (CGNAT)'],
    ['127.0.0.0/8', 'loopback', 'loopback'],
    ['169.254.0.0/16', 'link-local', 'link-local (cloud metadata)'],
    ['172.16.0.0/12', 'private', 'private (RFC 1918)'],
    ['192.0.0.0/24', 'reserved', 'IETF protocol assignments'],
    ['192.0.2.0/24', 'documentation', 'documentation (TEST-NET-1)'],
    ['192.88.99.0/24', 'reserved', '6to4 relay anycast (deprecated)'],
    ['192.168.0.0/16', 'private', 'private (RFC 1918)'],
    ['198.18.0.0/15', 'benchmarking', 'benchmarking'],
    ['198.51.100.0/24', 'documentation', 'documentation (TEST-NET-2)'],
    ['203.0.113.0/24', 'documentation', 'documentation (TEST-NET-3)'],
    ['224.0.0.0/4', 'multicast', 'multicast'],
    ['240.0.0.0/4', 'reserved', 'reserved (240/4)'],
    ['255.255.255.255/32', 'broadcast', 'broadcast'],
    ['::/128', 'unspecified', 'unspecified (connects to this host)'],
    ['::1/128', 'loopback', 'loopback'],
    ['::/96', 'reserved', 'IPv4-compatible IPv6 (deprecated)'],
    ['fc00::/7', 'unique-local', 'unique-local'],
    ['fe80::/10', 'link-local', 'link-local'],
    ['fec0::/10', 'reserved', 'site-local (deprecated)'],
    ['ff00::/8', 'multicast', 'multicast'],
    ['2001::/23', 'reserved', 'IETF protocol assignments (Teredo among them)'],
    ['2001:db8::/32', 'documentation', 'documentation'],
    ['3fff::/20', 'documentation', 'documentation'],
  ] as const
).map(([cidr, kind, label]) => ({
  network: parseIpNetwork(cidr),
  kind,
  label,
}));

/** IPv6 addresses that carry an IPv4 address: they reach what that address reaches. */
const EMBEDDING_RANGES: readonly EmbeddingRange[] = (
  [
    ['::ffff:0:0/96', 'ipv4-mapped', 96],
    ['64:ff9b::/96', 'nat64', 96],
    ['2002::/16', '6to4', 16],
  ] as const
).map(([cidr, embedding, from]) => ({
  network: parseIpNetwork(cidr),
  embedding,
  from,
}));

/** IPv6 global unicast (RFC 4291); everything else in IPv6 is special or unassigned. */
const IPV6_GLOBAL_UNICAST = parseIpNetwork('2000::/3');

export interface AddressClassification {
  address: IpAddress;
  kind: AddressKind;
  /** The special-purpose range that decided `kind` ("loopback"); absent when public. */
  label?: string;
  /** For IPv4-mapped, NAT64 and 6to4 addresses: the IPv4 address inside, which decided `kind`. */
  embedded?: { embedding: Embedding; address: IpAddress };
}

/** What an address is: public unicast, or which special-purpose range it falls in. */
export function classifyAddress(address: IpAddress): AddressClassification {
  const embedding = EMBEDDING_RANGES.find((range) =>
    networkContains(range.network, address),
  );
  if (embedding) {
    const inner = classifyAddress(embeddedIpv4(address, embedding.from));
    return {
      ...inner,
      address,
      embedded: { embedding: embedding.embedding, address: inner.address },
    };
  }
  let best: SpecialRange | undefined;
  for (const range of SPECIAL_RANGES) {
    if (
      networkContains(range.network, address) &&
      (!best || range.network.prefixLength > best.network.prefixLength)
    ) {
      best = range;
    }
  }
  if (best) return { address, kind: best.kind, label: best.label };
  if (address.family === 6 && !networkContains(IPV6_GLOBAL_UNICAST, address))
    return { address, kind: 'reserved', label: 'outside global unicast' };
  return { address, kind: 'public' };
}

/** The networks an operator exempts from the rule (WEBHOOK_ALLOWED_NETWORKS). */
export interface NetworkPolicy {
  readonly allowedNetworks: readonly IpNetwork[];
}

/** Public addresses only: the policy when WEBHOOK_ALLOWED_NETWORKS is unset. */
export const PUBLIC_ONLY_NETWORK_POLICY: NetworkPolicy = {
  allowedNetworks: [],
};

/** `127.0.0.0/8,::1/128`: what `npm start` and the tests allow, to reach local receivers. */
export const LOOPBACK_NETWORKS = '127.0.0.0/8,::1/128';

export function networkPolicyOf(allowedNetworks: string): NetworkPolicy {
  return { allowedNetworks: parseIpNetworkList(allowedNetworks) };
}

export type DestinationVerdict =
  | { allowed: true }
  | { allowed: false; classification: AddressClassification };

/**
 * Whether a trigger may connect to `address`. An IPv4-mapped IPv6 address is the IPv4
 * address to the kernel, so it matches IPv4 networks in the allow-list too; NAT64 and
 * 6to4 addresses reach another host's view of the IPv4 address and match only as IPv6.
 */
export function checkDestination(
  address: IpAddress,
  policy: NetworkPolicy,
): DestinationVerdict {
  const classification = classifyAddress(address);
  if (classification.kind === 'public') return { allowed: true };
  const mapped =
    classification.embedded?.embedding === 'ipv4-mapped'
      ? classification.embedded.address
      : undefined;
  const exempt = policy.allowedNetworks.some(
    (network) =>
      networkContains(network, address) ||
      (mapped !== undefined && networkContains(network, mapped)),
  );
  return exempt ? { allowed: true } : { allowed: false, classification };
}

/**
 * The problem with a URL host that is a literal address the policy refuses (for a 400),
 * or `undefined` when the host is allowed or is a name (names are checked when they are
 * resolved, at connect time). `host` is as `new URL()` returns it.
 */
export function literalHostProblem(
  host: string,
  policy: NetworkPolicy,
): string | undefined {
  const address = parseIpHost(host);
  if (address === undefined) return undefined;
  if (address === 'invalid') return `host "${host}" is not a valid address`;
  const verdict = checkDestination(address, policy);
  if (verdict.allowed) return undefined;
  return `${DESTINATION_NOT_ALLOWED}: ${describeRefusal(verdict.classification)}; only public addresses are allowed unless the operator lists the network in WEBHOOK_ALLOWED_NETWORKS`;
}

/** The words every refusal starts with, at create and at connect time. */
export const DESTINATION_NOT_ALLOWED = 'destination not allowed';

function describeRefusal(classification: AddressClassification): string {
  const text = formatIpAddress(classification.address);
  const label = classification.label ?? classification.kind;
  const embedded = classification.embedded;
  if (embedded) {
    return `${text} (${embedded.embedding}) carries ${formatIpAddress(embedded.address)}, which is not a public address (${label})`;
  }
  return `${text} is not a public address (${label})`;
}
