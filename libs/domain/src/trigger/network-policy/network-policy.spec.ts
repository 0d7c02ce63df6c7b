import {
  formatIpAddress,
  type IpAddress,
  parseIpHost,
  parseIpNetwork,
} from './ip-address';
import {
  type AddressKind,
  checkDestination,
  classifyAddress,
  LOOPBACK_NETWORKS,
  literalHostProblem,
  networkPolicyOf,
  PUBLIC_ONLY_NETWORK_POLICY,
} from './network-policy';

// Rule 8: these addresses are strings only. Nothing here resolves a name or opens a
// socket; the tests that connect (scheduler, API) target loopback only.

function hostAddress(host: string): IpAddress {
  const address = parseIpHost(host);
  if (address === undefined || address === 'invalid')
    throw new Error(`${host} did not parse as an address (${String(address)})`);
  return address;
}

/** What `new URL()` (the WHATWG parser in Node) makes of the host, or 'invalid'. */
function urlHostname(host: string): string {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return 'invalid';
  }
}

/** [spelling as in a URL, canonical address, kind] */
const SPELLINGS: [string, string, AddressKind][] = [
  // IPv4 loopback in every spelling the URL Standard and inet_aton(3) accept
  ['127.0.0.1', '127.0.0.1', 'loopback'],
  ['127.1', '127.0.0.1', 'loopback'],
  ['127.0.1', '127.0.0.1', 'loopback'],
  ['2130706433', '127.0.0.1', 'loopback'],
  ['0x7f000001', '127.0.0.1', 'loopback'],
  ['0X7F000001', '127.0.0.1', 'loopback'],
  ['017700000001', '127.0.0.1', 'loopback'],
  ['0177.0.0.1', '127.0.0.1', 'loopback'],
  ['0177.1', '127.0.0.1', 'loopback'],
  ['0x7f.0.0.1', '127.0.0.1', 'loopback'],
  ['0x7f.1', '127.0.0.1', 'loopback'],
  ['0x7f.0x0.0x0.0x1', '127.0.0.1', 'loopback'],
  ['127.000.000.001', '127.0.0.1', 'loopback'],
  ['127.0.0.1.', '127.0.0.1', 'loopback'],
  ['127.255.255.254', '127.255.255.254', 'loopback'],
  ['１２７．０．０．１', '127.0.0.1', 'loopback'],
  ['１２７。０。０。１', '127.0.0.1', 'loopback'],
  // IPv6 loopback, compressed or not, and IPv4 loopback inside IPv6
  ['[::1]', '::1', 'loopback'],
  ['[0:0:0:0:0:0:0:1]', '::1', 'loopback'],
  ['[0000:0000:0000:0000:0000:0000:0000:0001]', '::1', 'loopback'],
  ['[::ffff:127.0.0.1]', '::ffff:7f00:1', 'loopback'],
  ['[::ffff:7f00:1]', '::ffff:7f00:1', 'loopback'],
  ['[::FFFF:7F00:0001]', '::ffff:7f00:1', 'loopback'],
  ['[0:0:0:0:0:ffff:127.1.2.3]', '::ffff:7f01:203', 'loopback'],
  ['[64:ff9b::7f00:1]', '64:ff9b::7f00:1', 'loopback'],
  ['[64:ff9b::127.0.0.1]', '64:ff9b::7f00:1', 'loopback'],
  ['[2002:7f00:1::]', '2002:7f00:1::', 'loopback'],
  ['[::127.0.0.1]', '::7f00:1', 'reserved'],
  // unspecified: connecting to it reaches this host
  ['0.0.0.0', '0.0.0.0', 'unspecified'],
  ['0', '0.0.0.0', 'unspecified'],
  ['0x', '0.0.0.0', 'unspecified'],
  ['[::]', '::', 'unspecified'],
  ['[::ffff:0.0.0.0]', '::ffff:0:0', 'unspecified'],
  ['0.1.2.3', '0.1.2.3', 'reserved'],
  // the cloud metadata address and the rest of link-local
  ['169.254.169.254', '169.254.169.254', 'link-local'],
  ['2852039166', '169.254.169.254', 'link-local'],
  ['0xa9fea9fe', '169.254.169.254', 'link-local'],
  ['0251.0376.0251.0376', '169.254.169.254', 'link-local'],
  ['169.254.43518', '169.254.169.254', 'link-local'],
  ['[::ffff:169.254.169.254]', '::ffff:a9fe:a9fe', 'link-local'],
  ['[::ffff:a9fe:a9fe]', '::ffff:a9fe:a9fe', 'link-local'],
  ['[fe80::1]', 'fe80::1', 'link-local'],
  ['[FE80::a:b:c:d]', 'fe80::a:b:c:d', 'link-local'],
  ['[febf:ffff::1]', 'febf:ffff::1', 'link-local'],
  // private, shared (CGNAT), unique-local
  ['10.0.0.1', '10.0.0.1', 'private'],
  ['10.1', '10.0.0.1', 'private'],
  ['012.0.0.1', '10.0.0.1', 'private'],
  ['167772161', '10.0.0.1', 'private'],
  ['172.16.0.1', '172.16.0.1', 'private'],
  ['172.31.255.255', '172.31.255.255', 'private'],
  ['192.168.1.1', '192.168.1.1', 'private'],
  ['0xc0a80101', '192.168.1.1', 'private'],
  ['192.168.257', '192.168.1.1', 'private'],
  ['[::ffff:192.168.0.1]', '::ffff:c0a8:1', 'private'],
  ['[64:ff9b::10.0.0.1]', '64:ff9b::a00:1', 'private'],
  ['[2002:c0a8:101::1]', '2002:c0a8:101::1', 'private'],
  ['100.64.0.1', '100.64.0.1', 'shared'],
  ['100.127.255.255', '100.127.255.255', 'shared'],
  ['[fc00::1]', 'fc00::1', 'unique-local'],
  ['[fd00:ec2::254]', 'fd00:ec2::254', 'unique-local'],
  [
    '[fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]',
    'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    'unique-local',
  ],
  // multicast, broadcast and the other special-purpose ranges
  ['224.0.0.1', '224.0.0.1', 'multicast'],
  ['239.255.255.250', '239.255.255.250', 'multicast'],
  ['[ff02::1]', 'ff02::1', 'multicast'],
  ['[ff05::1:3]', 'ff05::1:3', 'multicast'],
  ['255.255.255.255', '255.255.255.255', 'broadcast'],
  ['4294967295', '255.255.255.255', 'broadcast'],
  ['240.0.0.1', '240.0.0.1', 'reserved'],
  ['192.0.0.8', '192.0.0.8', 'reserved'],
  ['192.88.99.1', '192.88.99.1', 'reserved'],
  ['192.0.2.1', '192.0.2.1', 'documentation'],
  ['198.51.100.7', '198.51.100.7', 'documentation'],
  ['203.0.113.9', '203.0.113.9', 'documentation'],
  ['198.18.0.1', '198.18.0.1', 'benchmarking'],
  ['198.19.255.255', '198.19.255.255', 'benchmarking'],
  ['[fec0::1]', 'fec0::1', 'reserved'],
  ['[2001::1]', '2001::1', 'reserved'],
  ['[2001:db8::1]', '2001:db8::1', 'documentation'],
  ['[3fff::1]', '3fff::1', 'documentation'],
  ['[100::1]', '100::1', 'reserved'],
  ['[64:ff9b:1::1]', '64:ff9b:1::1', 'reserved'],
  ['[4000::1]', '4000::1', 'reserved'],
  // public: reachable, whatever the spelling
  ['8.8.8.8', '8.8.8.8', 'public'],
  ['134744072', '8.8.8.8', 'public'],
  ['0x08080808', '8.8.8.8', 'public'],
  ['1.1.1.1', '1.1.1.1', 'public'],
  ['172.32.0.1', '172.32.0.1', 'public'],
  ['100.128.0.1', '100.128.0.1', 'public'],
  ['169.253.255.255', '169.253.255.255', 'public'],
  ['192.31.196.1', '192.31.196.1', 'public'],
  ['[2606:4700:4700::1111]', '2606:4700:4700::1111', 'public'],
  ['[::ffff:8.8.8.8]', '::ffff:808:808', 'public'],
  ['[64:ff9b::8.8.8.8]', '64:ff9b::808:808', 'public'],
  ['[2002:808:808::1]', '2002:808:808::1', 'public'],
  ['[2001:200::1]', '2001:200::1', 'public'],
];

describe('address classification', () => {
  it('covers at least 40 spellings', () => {
    expect(SPELLINGS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(SPELLINGS)('reads %s as %s (%s)', (spelling, canonical, kind) => {
    const address = hostAddress(spelling);
    expect(formatIpAddress(address)).toBe(canonical);
    expect(classifyAddress(address).kind).toBe(kind);
  });

  it.each(SPELLINGS)(
    'agrees with the WHATWG URL parser on %s',
    (spelling, canonical) => {
      const hostname = urlHostname(spelling);
      expect(hostname.replace(/^\[(.*)\]$/, '$1')).toBe(canonical);
      expect(formatIpAddress(hostAddress(hostname))).toBe(canonical);
    },
  );

  it.each([
    ['[fe80::1%25eth0]', 'fe80::1', 'link-local'],
    ['fe80::1%eth0', 'fe80::1', 'link-local'],
    ['[fe80::1%251]', 'fe80::1', 'link-local'],
    ['::1', '::1', 'loopback'],
    ['::1%lo', '::1', 'loopback'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1', 'loopback'],
  ])(
    'reads the socket host %s as %s (%s), ignoring a zone id',
    (host, canonical, kind) => {
      const address = hostAddress(host);
      expect(formatIpAddress(address)).toBe(canonical);
      expect(classifyAddress(address).kind).toBe(kind);
    },
  );

  it('names the IPv4 address an IPv6 address carries', () => {
    expect(classifyAddress(hostAddress('[::ffff:127.0.0.1]')).embedded).toEqual(
      {
        embedding: 'ipv4-mapped',
        address: hostAddress('127.0.0.1'),
      },
    );
    expect(
      classifyAddress(hostAddress('[64:ff9b::169.254.169.254]')).embedded
        ?.embedding,
    ).toBe('nat64');
    expect(
      classifyAddress(hostAddress('[2002:a9fe:a9fe::]')).embedded?.embedding,
    ).toBe('6to4');
  });

  it.each([
    '1.2.3.256',
    '08.0.0.1',
    '0x7g.0.0.1',
    '1.2.3.4.5',
    '4294967296',
    '256.1',
    '1..1',
    '[::1::]',
    '[1:2:3:4:5:6:7:8:9]',
    '[1:2:3:4:5:6:7]',
    '[::ffff:127.0.0.01]',
    '[::ffff:127.1]',
    '[12345::]',
    '[::1',
  ])('refuses %s as invalid, as the URL parser does', (host) => {
    expect(parseIpHost(host)).toBe('invalid');
    expect(urlHostname(host)).toBe('invalid');
  });

  it.each([
    'localhost',
    'example.com',
    '127.0.0.1.nip.io',
    '1.2.3.4x',
    '0x7f000001.example',
    'xn--nxasmq6b',
  ])('leaves the name %s to be resolved at connect time', (host) => {
    expect(parseIpHost(host)).toBeUndefined();
  });
});

describe('checkDestination', () => {
  const loopback = networkPolicyOf(LOOPBACK_NETWORKS);

  it('allows public addresses with no allow-list', () => {
    expect(
      checkDestination(hostAddress('8.8.8.8'), PUBLIC_ONLY_NETWORK_POLICY),
    ).toEqual({ allowed: true });
  });

  it('refuses loopback with no allow-list and allows it when listed', () => {
    for (const host of ['127.0.0.1', '127.9.9.9', '[::1]']) {
      expect(
        checkDestination(hostAddress(host), PUBLIC_ONLY_NETWORK_POLICY).allowed,
      ).toBe(false);
      expect(checkDestination(hostAddress(host), loopback).allowed).toBe(true);
    }
  });

  it('matches an IPv4-mapped address against the IPv4 networks listed', () => {
    expect(
      checkDestination(hostAddress('[::ffff:127.0.0.1]'), loopback).allowed,
    ).toBe(true);
    expect(
      checkDestination(
        hostAddress('[::ffff:127.0.0.1]'),
        networkPolicyOf('::ffff:0:0/96'),
      ).allowed,
    ).toBe(true);
  });

  it('does not let a loopback allow-list open NAT64, 6to4 or other ranges', () => {
    for (const host of [
      '[64:ff9b::127.0.0.1]',
      '[2002:7f00:1::]',
      '169.254.169.254',
      '10.0.0.1',
      '[fe80::1]',
      '0.0.0.0',
      '[::]',
    ]) {
      expect(checkDestination(hostAddress(host), loopback).allowed).toBe(false);
    }
  });

  it('exempts exactly the networks listed', () => {
    const policy = networkPolicyOf('10.1.0.0/16, fd00:1::/32');
    expect(checkDestination(hostAddress('10.1.2.3'), policy).allowed).toBe(
      true,
    );
    expect(checkDestination(hostAddress('10.2.0.1'), policy).allowed).toBe(
      false,
    );
    expect(
      checkDestination(hostAddress('[fd00:1:ffff::1]'), policy).allowed,
    ).toBe(true);
    expect(checkDestination(hostAddress('[fd00:2::1]'), policy).allowed).toBe(
      false,
    );
  });
});

describe('literalHostProblem', () => {
  it('explains a refused literal without resolving anything', () => {
    expect(literalHostProblem('127.0.0.1', PUBLIC_ONLY_NETWORK_POLICY)).toMatch(
      /^destination not allowed: 127\.0\.0\.1 is not a public address \(loopback\); .*WEBHOOK_ALLOWED_NETWORKS/,
    );
    expect(
      literalHostProblem('[::ffff:a9fe:a9fe]', PUBLIC_ONLY_NETWORK_POLICY),
    ).toContain(
      '::ffff:a9fe:a9fe (ipv4-mapped) carries 169.254.169.254, which is not a public address (link-local (cloud metadata))',
    );
  });

  it('has nothing to say about names, public or allowed addresses', () => {
    const policy = networkPolicyOf(LOOPBACK_NETWORKS);
    expect(literalHostProblem('localhost', policy)).toBeUndefined();
    expect(literalHostProblem('example.com', policy)).toBeUndefined();
    expect(literalHostProblem('8.8.8.8', policy)).toBeUndefined();
    expect(literalHostProblem('127.0.0.1', policy)).toBeUndefined();
    expect(literalHostProblem('[::1]', policy)).toBeUndefined();
  });
});

describe('parseIpNetwork', () => {
  it.each([
    ['127.0.0.0/8', '127.0.0.0/8'],
    ['::1/128', '::1/128'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['FD00::/8', 'fd00::/8'],
    ['192.168.1.7/32', '192.168.1.7/32'],
  ])('reads %s', (text, canonical) => {
    const network = parseIpNetwork(text);
    expect(
      `${formatIpAddress(network.base)}/${network.prefixLength.toString()}`,
    ).toBe(canonical);
  });

  it.each([
    ['10.0.0.0', 'not a network in CIDR notation'],
    ['10.0.0.0/33', 'longer than an IPv4 address'],
    ['::/129', 'longer than an IPv6 address'],
    ['10.0.0.1/8', 'has host bits set; did you mean 10.0.0.0/8?'],
    ['127.1/8', 'is not an IPv4 or IPv6 address'],
    ['010.0.0.0/8', 'is not an IPv4 or IPv6 address'],
    ['localhost/8', 'is not an IPv4 or IPv6 address'],
    ['10.0.0.0/8/8', 'not a network in CIDR notation'],
  ])('refuses %s: %s', (text, message) => {
    expect(() => parseIpNetwork(text)).toThrow(message);
  });

  it('reads a comma-separated list and names the bad entry', () => {
    expect(networkPolicyOf(' 127.0.0.0/8 , ::1/128 ,').allowedNetworks).toEqual(
      [parseIpNetwork('127.0.0.0/8'), parseIpNetwork('::1/128')],
    );
    expect(() => networkPolicyOf('127.0.0.0/8,nope')).toThrow('"nope"');
  });
});
