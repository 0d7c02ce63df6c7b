/**
 * IP addresses as values, parsed the way the programs that will use them parse them:
 * a URL host as the WHATWG URL Standard does (so `127.1`, `0x7f000001`, `0177.0.0.1` and
 * `2130706433` are all 127.0.0.1, exactly as `new URL()` and inet_aton(3) read them), a
 * socket host as Node's `net` does (an IPv6 zone id such as `fe80::1%eth0` is accepted
 * and ignored). Pure: no resolver, no socket.
 */

export interface IpAddress {
  readonly family: 4 | 6;
  /** The address as an unsigned integer of 32 or 128 bits. */
  readonly value: bigint;
}

/** A network in CIDR notation: every address whose first `prefixLength` bits equal `base`'s. */
export interface IpNetwork {
  readonly base: IpAddress;
  readonly prefixLength: number;
}

const BITS = { 4: 32, 6: 128 } as const;

export function ipv4(value: number | bigint): IpAddress {
  return { family: 4, value: BigInt(value) };
}

/**
 * Reads a host as an IP address literal: `127.0.0.1` and every other IPv4 spelling the
 * URL Standard accepts, `[::1]` or `::1`, with or without a zone id (`%eth0`, or `%25eth0`
 * as a URL writes it). Returns `undefined` for a host name (a name must be resolved) and
 * `'invalid'` for a host that looks like an address but is none (`1.2.3.256`, `08.0.0.1`,
 * `[::1::]`), which a URL parser refuses too.
 */
export function parseIpHost(host: string): IpAddress | 'invalid' | undefined {
  // The URL Standard maps a host through UTS #46 first: full-width digits and the
  // ideographic full stops become ASCII, so `１２７。０。０。１` is 127.0.0.1 too.
  const text = host
    .normalize('NFKC')
    .replace(/[\u3002\uff0e\uff61]/g, '.')
    .toLowerCase();
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) return 'invalid';
    return parseIpv6(withoutZone(text.slice(1, -1))) ?? 'invalid';
  }
  if (text.includes(':')) return parseIpv6(withoutZone(text)) ?? 'invalid';
  return parseUrlIpv4(text);
}

/** A plain address as written in configuration: dotted-quad IPv4 (no short forms) or IPv6. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (text.includes(':')) return parseIpv6(text.toLowerCase());
  const parts = text.split('.');
  // No leading zeros: `010` would be 8 to inet_aton(3) and 10 to a reader.
  if (
    parts.length !== 4 ||
    !parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part))
  )
    return undefined;
  return fromIpv4Parts(parts.map(Number));
}

/**
 * Parses `address/prefixLength` (`10.0.0.0/8`, `fd00::/8`, `::1/128`). Throws an Error
 * saying what is wrong, so a configuration reader can name its variable around it. Host
 * bits must be zero: `10.0.0.1/8` is a typo more often than a network.
 */
export function parseIpNetwork(text: string): IpNetwork {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) {
    throw new Error(
      `"${text}" is not a network in CIDR notation, e.g. 10.0.0.0/8 or fd00::/8`,
    );
  }
  const base = parseIpAddress(match[1]);
  if (!base) throw new Error(`"${match[1]}" is not an IPv4 or IPv6 address`);
  const prefixLength = Number(match[2]);
  if (prefixLength > BITS[base.family]) {
    throw new Error(
      `prefix length /${prefixLength} is longer than an IPv${base.family} address`,
    );
  }
  const network = { base, prefixLength };
  const networkBits = base.value & maskOf(network);
  if (networkBits !== base.value) {
    const canonical = formatIpNetwork({
      base: { family: base.family, value: networkBits },
      prefixLength,
    });
    throw new Error(`"${text}" has host bits set; did you mean ${canonical}?`);
  }
  return network;
}

/** Comma-separated networks; blank entries are ignored. Throws naming the first bad entry. */
export function parseIpNetworkList(text: string): IpNetwork[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(parseIpNetwork);
}

export function networkContains(
  network: IpNetwork,
  address: IpAddress,
): boolean {
  if (network.base.family !== address.family) return false;
  return (address.value & maskOf(network)) === network.base.value;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`). */
export function formatIpAddress(address: IpAddress): string {
  if (address.family === 4) return ipv4Parts(address.value).join('.');
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    groups.push(Number((address.value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end === start ? start + 1 : end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatIpNetwork(network: IpNetwork): string {
  return `${formatIpAddress(network.base)}/${network.prefixLength.toString()}`;
}

/** The IPv4 address in bits `from`..`from + 32` of an IPv6 address (0 = the most significant). */
export function embeddedIpv4(address: IpAddress, from: number): IpAddress {
  return ipv4((address.value >> BigInt(96 - from)) & 0xffffffffn);
}

function maskOf(network: IpNetwork): bigint {
  const bits = BigInt(BITS[network.base.family]);
  const hostBits = bits - BigInt(network.prefixLength);
  return ((1n << bits) - 1n) ^ ((1n << hostBits) - 1n);
}

function ipv4Parts(value: bigint): number[] {
  return [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn));
}

function fromIpv4Parts(parts: number[]): IpAddress | undefined {
  if (parts.some((part) => part > 255)) return undefined;
  return ipv4(parts.reduce((value, part) => value * 256 + part, 0));
}

/** Node's net and getaddrinfo(3) take `addr%zone`; the URL form escapes `%` as `%25`. */
function withoutZone(text: string): string {
  const percent = text.indexOf('%');
  return percent < 0 ? text : text.slice(0, percent);
}

/**
 * The URL Standard's IPv4 parser (https://url.spec.whatwg.org/#concept-ipv4-parser):
 * a host whose last label is a number is an IPv4 address or invalid, never a name. Up to
 * four parts, each decimal, octal (leading 0) or hex (0x); the last part fills the
 * remaining bytes, so `127.1` is 127.0.0.1 and `2130706433` is too.
 */
function parseUrlIpv4(host: string): IpAddress | 'invalid' | undefined {
  const parts = host.split('.');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const last = parts[parts.length - 1];
  if (!/^\d+$/.test(last) && parseIpv4Number(last) === undefined)
    return undefined;
  if (parts.length > 4) return 'invalid';
  const numbers = parts.map(parseIpv4Number);
  const values: number[] = [];
  for (const number of numbers) {
    if (number === undefined) return 'invalid';
    values.push(number);
  }
  const head = values.slice(0, -1);
  const tail = values[values.length - 1];
  if (head.some((value) => value > 255)) return 'invalid';
  if (tail >= 256 ** (5 - values.length)) return 'invalid';
  let value = BigInt(tail);
  head.forEach((part, index) => {
    value += BigInt(part) << BigInt(8 * (3 - index));
  });
  return ipv4(value);
}

function parseIpv4Number(part: string): number | undefined {
  if (part === '') return undefined;
  let digits = part;
  let radix = 10;
  if (/^0x/.test(part)) {
    digits = part.slice(2);
    radix = 16;
  } else if (part.length > 1 && part.startsWith('0')) {
    digits = part.slice(1);
    radix = 8;
  }
  if (digits === '') return 0;
  const pattern = { 8: /^[0-7]+$/, 10: /^\d+$/, 16: /^[\da-f]+$/ }[radix];
  if (!pattern?.test(digits)) return undefined;
  // Beyond 2^53 precision does not matter: anything that large is out of range anyway.
  return parseInt(digits, radix);
}

/**
 * RFC 4291 text: eight groups of up to four hex digits, one `::` for a run of zero groups,
 * and optionally a dotted-quad IPv4 address (strict decimal) as the last 32 bits.
 */
function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail =
    halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':')) : [];
  const groups: number[] = [];
  const readGroups = (pieces: string[], isLast: boolean): boolean => {
    for (const [index, piece] of pieces.entries()) {
      if (isLast && index === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpAddress(piece);
        if (!v4) return false;
        groups.push(Number(v4.value >> 16n), Number(v4.value & 0xffffn));
      } else if (/^[\da-f]{1,4}$/.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return false;
      }
    }
    return true;
  };
  if (!readGroups(head, halves.length === 1)) return undefined;
  const headCount = groups.length;
  if (halves.length === 2 && !readGroups(tail, true)) return undefined;
  const tailCount = groups.length - headCount;
  const missing = 8 - headCount - tailCount;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [
    ...groups.slice(0, headCount),
    ...new Array<number>(halves.length === 2 ? missing : 0).fill(0),
    ...groups.slice(headCount),
  ];
  const value = all.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
  return { family: 6, value };
}
