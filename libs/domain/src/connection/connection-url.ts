import { CONTROL_CHARACTER } from '../control-character';
import { ValidationError } from '../errors';
import { literalHostProblem, parseIpHost } from '../trigger/network-policy';
import type { NetworkPolicy } from '../trigger/network-policy';
import { CONNECTION_SCHEMES, type ConnectionType } from './connection-type';

/**
 * Connection URLs (docs/connections.md): parsed and checked once, at create, by the API;
 * the scheduler's providers read the same structure back from the stored URL.
 *
 * The parser is our own, not `new URL()`: these schemes are not "special" to the WHATWG
 * parser (it leaves their hosts opaque and normalises nothing), Kafka's broker list is
 * no URL host at all, and every broker client splits a URL its own way. So the accepted
 * grammar is narrow enough that they all read it alike:
 *
 *   scheme://[user[:password]@]host[:port][,host[:port]…]/[path][?name=value&…]
 *
 * One `@` at most, and none after the host: a password holding an unencoded `/`, `?`,
 * `#` or `@` would otherwise end up in the path or query, which masking keeps, and so be
 * shown in every answer. No fragment, no spaces, ASCII only (percent-encode the rest),
 * host names of letters, digits, `-`, `_` and `.`, IPv6 in brackets. A credential is
 * never a query parameter (a `password=` is refused, not masked): one masking rule holds
 * for every type. Error messages never quote the URL, which may carry a password.
 */

/** Longest connection URL, in characters after trimming (as for webhook URLs). */
export const MAX_CONNECTION_URL_LENGTH = 2048;
/** Most brokers in a `kafka://` bootstrap list. */
export const MAX_KAFKA_BROKERS = 32;
/** What replaces a password (and a NATS token) in a masked URL. */
export const CREDENTIAL_MASK = '***';

export const KAFKA_SASL_MECHANISMS = [
  'plain',
  'scram-sha-256',
  'scram-sha-512',
] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export interface BrokerAddress {
  /** A host name or an IP address; IPv6 without brackets, as a socket takes it. */
  host: string;
  port: number;
}

/** A valid connection URL, taken apart. Credentials are percent-decoded. */
export interface ConnectionUrl {
  type: ConnectionType;
  /** The URL to store and connect with: trimmed, its scheme in lower case, nothing else changed. */
  url: string;
  /** `url` with the password (for NATS, a lone token) replaced by `***`: what answers show. */
  masked: string;
  /** From the scheme (`amqps`, `tls`, `rediss`, `mqtts`), or Kafka's `tls=true`. */
  tls: boolean;
  /** Exactly one, except for Kafka's bootstrap list. Default ports filled in. */
  brokers: BrokerAddress[];
  username?: string;
  password?: string;
  /** NATS only: `nats://<token>@host`, a user-info without `:`, is token authentication. */
  token?: string;
  /** AMQP only: the virtual host (`/` when the path is empty or `/`). */
  vhost?: string;
  /** Redis only: the database number (0 when the path is empty or `/`). */
  database?: number;
  /** Kafka only: the SASL mechanism (`sasl=`), present exactly when there are credentials. */
  sasl?: KafkaSaslMechanism;
  /** AMQP only: tuning parameters as amqplib reads them (`heartbeat`, `frameMax`, `channelMax`). */
  params: Record<string, number>;
}

const EXAMPLES: Record<ConnectionType, string> = {
  amqp: 'amqp://user:password@rabbit.example.com:5672/vhost',
  nats: 'nats://user:password@nats.example.com:4222',
  redis: 'redis://user:password@redis.example.com:6379/0',
  mqtt: 'mqtt://user:password@mqtt.example.com:1883',
  kafka:
    'kafka://user:password@kafka1.example.com:9092,kafka2.example.com:9092?tls=true&sasl=scram-sha-256',
};

/** AMQP query parameters: amqplib's names, integers, with the bounds AMQP 0-9-1 gives them. */
const AMQP_PARAMS: Record<string, { min: number; max: number }> = {
  heartbeat: { min: 0, max: 65_535 },
  frameMax: { min: 0, max: 4_294_967_295 },
  channelMax: { min: 0, max: 65_535 },
};

/** Query names that would carry a credential: refused with a pointer to the user-info. */
const CREDENTIAL_PARAMS =
  /^(user(name)?|pass(word|wd)?|token|secret|auth|sasl[._-]?(user(name)?|pass(word)?))$/i;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;
const HOST_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/;
const MAX_HOST_NAME_LENGTH = 253;
/** RFC 3986 user-info characters (unreserved, sub-delims, `:`) and percent escapes. */
const USER_INFO = /^([A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*$/;
const PORT = /^\d{1,5}$/;
const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
const MALFORMED_ESCAPE_MESSAGE =
  'has a malformed percent-encoding (a "%" not followed by two hex digits)';

/**
 * Parses and checks a connection URL of `type`. A literal host that `policy` refuses
 * (loopback, private, metadata… unless in WEBHOOK_ALLOWED_NETWORKS) is a 400 like any
 * other problem; host names are accepted (they are checked when a scheduler resolves
 * them). Throws ValidationError naming `field`.
 */
export function parseConnectionUrl(
  type: ConnectionType,
  input: unknown,
  policy: NetworkPolicy,
  field = 'url',
): ConnectionUrl {
  const fail = (message: string) => new ValidationError(field, message);
  if (input === undefined || input === null) throw fail('is required');
  if (typeof input !== 'string') throw fail('must be a string');
  const text = input.trim();
  if (text === '') throw fail(`is required, e.g. ${EXAMPLES[type]}`);
  if (text.length > MAX_CONNECTION_URL_LENGTH)
    throw fail(`must be at most ${MAX_CONNECTION_URL_LENGTH} characters`);
  if (CONTROL_CHARACTER.test(text))
    throw fail(
      'contains a control character (such as CR, LF or tab); percent-encode it',
    );
  if (!PRINTABLE_ASCII.test(text))
    throw fail(
      'must be ASCII without spaces; percent-encode other characters (a host name in its punycode form)',
    );
  if (MALFORMED_ESCAPE.test(text)) throw fail(MALFORMED_ESCAPE_MESSAGE);

  const rule = CONNECTION_SCHEMES[type];
  const schemeMatch = SCHEME.exec(text);
  if (!schemeMatch) throw fail(`must be a URL of the form ${EXAMPLES[type]}`);
  const scheme = schemeMatch[1].toLowerCase();
  if (!rule.schemes.includes(scheme))
    throw fail(
      `scheme "${scheme}" does not match type "${type}"; use ${rule.schemes.map((s) => `${s}://`).join(' or ')}`,
    );
  const rest = text.slice(schemeMatch[0].length);
  if (rest.includes('#'))
    throw fail(
      'must not contain "#" (URLs of brokers have no fragment); percent-encode it as %23 in a user name or password',
    );

  const authorityEnd = firstIndexOf(rest, ['/', '?']);
  const authority = rest.slice(0, authorityEnd);
  const tail = rest.slice(authorityEnd);
  const at = authority.indexOf('@');
  if (tail.includes('@') || authority.indexOf('@', at + 1) !== -1)
    throw fail(
      'has an "@" that does not end the user-info; percent-encode "@", "/", "?" and "#" in a user name or password (%40, %2F, %3F, %23)',
    );
  const userInfo = at === -1 ? undefined : authority.slice(0, at);
  const hostList = at === -1 ? authority : authority.slice(at + 1);

  const credentials = parseUserInfo(type, userInfo, fail);
  const tls = rule.tlsSchemes.includes(scheme);
  const queryStart = tail.indexOf('?');
  const path = queryStart === -1 ? tail : tail.slice(0, queryStart);
  const query = queryStart === -1 ? '' : tail.slice(queryStart + 1);
  const params = parseQuery(type, query, fail);

  const result: ConnectionUrl = {
    type,
    url: `${scheme}://${rest}`,
    masked: `${scheme}://${
      userInfo === undefined ? '' : `${credentials.maskedUserInfo}@`
    }${hostList}${tail}`,
    tls: type === 'kafka' ? params.get('tls') === 'true' : tls,
    brokers: [],
    params: {},
    ...credentials.parsed,
  };
  const defaultPort = result.tls
    ? rule.defaultPort.tls
    : rule.defaultPort.plain;
  result.brokers = parseBrokers(type, hostList, defaultPort, policy, fail);
  applyPath(result, path, fail);
  applyParams(result, params, fail);
  return result;
}

/**
 * The SecretBox context (additional data) of a connection's sealed URL, column
 * `connections.url_sealed`: the API seals with it, the schedulers open with it, and a
 * sealed URL copied to another row does not open there.
 */
export function connectionUrlContext(connectionId: string): string {
  return `connection:${connectionId}:url`;
}

type Fail = (message: string) => ValidationError;

function parseUserInfo(
  type: ConnectionType,
  userInfo: string | undefined,
  fail: Fail,
): {
  maskedUserInfo: string;
  parsed: Pick<ConnectionUrl, 'username' | 'password' | 'token'>;
} {
  if (userInfo === undefined) return { maskedUserInfo: '', parsed: {} };
  if (userInfo === '')
    throw fail('has an empty user-info: remove the "@" or name a user');
  if (!USER_INFO.test(userInfo))
    throw fail(
      'has a user name or password with characters a URL cannot carry there; percent-encode them',
    );
  const colon = userInfo.indexOf(':');
  if (colon === -1) {
    const name = decode(userInfo, fail);
    // `nats://<token>@host`: the whole user-info is the secret.
    if (type === 'nats')
      return { maskedUserInfo: CREDENTIAL_MASK, parsed: { token: name } };
    return { maskedUserInfo: userInfo, parsed: { username: name } };
  }
  return {
    maskedUserInfo: `${userInfo.slice(0, colon)}:${CREDENTIAL_MASK}`,
    parsed: {
      username: decode(userInfo.slice(0, colon), fail),
      password: decode(userInfo.slice(colon + 1), fail),
    },
  };
}

function parseBrokers(
  type: ConnectionType,
  hostList: string,
  defaultPort: number,
  policy: NetworkPolicy,
  fail: Fail,
): BrokerAddress[] {
  if (hostList === '') throw fail(`must name a host, e.g. ${EXAMPLES[type]}`);
  const entries = hostList.split(',');
  if (type !== 'kafka' && entries.length > 1)
    throw fail(
      `names ${entries.length} hosts; a ${type} connection has one (only kafka takes a list of brokers)`,
    );
  if (entries.length > MAX_KAFKA_BROKERS)
    throw fail(
      `names ${entries.length} brokers; at most ${MAX_KAFKA_BROKERS} are allowed`,
    );
  return entries.map((entry, index) => {
    const which = entries.length > 1 ? `broker ${index + 1}` : 'the host';
    return parseBroker(entry, which, defaultPort, policy, fail);
  });
}

function parseBroker(
  entry: string,
  which: string,
  defaultPort: number,
  policy: NetworkPolicy,
  fail: Fail,
): BrokerAddress {
  let host: string;
  let policyHost: string;
  let portText: string | undefined;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close === -1) throw fail(`${which}: an IPv6 address lacks its "]"`);
    host = entry.slice(1, close);
    policyHost = entry.slice(0, close + 1);
    const after = entry.slice(close + 1);
    if (after !== '' && !after.startsWith(':'))
      throw fail(`${which}: only ":port" may follow an IPv6 address`);
    portText = after === '' ? undefined : after.slice(1);
    if (parseIpHost(policyHost) === 'invalid' || host.includes('%'))
      throw fail(`${which}: is not a valid IPv6 address (and takes no zone)`);
  } else {
    const parts = entry.split(':');
    if (parts.length > 2)
      throw fail(
        `${which}: write an IPv6 address in brackets, e.g. [::1]:5672`,
      );
    host = parts[0];
    policyHost = host;
    portText = parts[1];
    if (host === '') throw fail(`${which}: is empty; name a host`);
    if (host.length > MAX_HOST_NAME_LENGTH || !HOST_NAME.test(host))
      throw fail(
        `${which}: is not a host name (letters, digits, "-", "_" and "." only) or an IP address`,
      );
    if (parseIpHost(host) === 'invalid')
      throw fail(`${which}: looks like an IPv4 address but is not a valid one`);
  }
  const problem = literalHostProblem(policyHost, policy);
  if (problem !== undefined) throw fail(problem);
  return { host, port: parsePort(portText, which, defaultPort, fail) };
}

function parsePort(
  text: string | undefined,
  which: string,
  defaultPort: number,
  fail: Fail,
): number {
  if (text === undefined) return defaultPort;
  const port = PORT.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65_535))
    throw fail(`${which}: the port must be a number from 1 to 65535`);
  return port;
}

/** The path: AMQP's virtual host, Redis's database number, nothing for the others. */
function applyPath(result: ConnectionUrl, path: string, fail: Fail): void {
  const segment = path.startsWith('/') ? path.slice(1) : path;
  if (result.type === 'amqp') {
    if (segment.includes('/'))
      throw fail(
        'the virtual host is one path segment; percent-encode "/" in it as %2F',
      );
    result.vhost = segment === '' ? '/' : decode(segment, fail);
    return;
  }
  if (result.type === 'redis') {
    if (segment !== '' && !/^(0|[1-9]\d{0,8})$/.test(segment))
      throw fail(
        'the path of a redis URL is the database number, e.g. redis://host:6379/0',
      );
    result.database = segment === '' ? 0 : Number(segment);
    return;
  }
  if (segment !== '')
    throw fail(
      `a ${result.type} URL has no path; remove everything after the host`,
    );
}

function parseQuery(
  type: ConnectionType,
  query: string,
  fail: Fail,
): Map<string, string> {
  const params = new Map<string, string>();
  if (query === '') return params;
  const allowed =
    type === 'amqp'
      ? Object.keys(AMQP_PARAMS)
      : type === 'kafka'
        ? ['tls', 'sasl']
        : [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq), fail);
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1), fail);
    const shown = JSON.stringify(name.slice(0, 40));
    if (CREDENTIAL_PARAMS.test(name))
      throw fail(
        `query parameter ${shown} would carry a credential; put credentials in the user-info, e.g. ${EXAMPLES[type]}`,
      );
    if (!allowed.includes(name))
      throw fail(
        allowed.length === 0
          ? `a ${type} URL takes no query parameters (got ${shown})`
          : `unknown query parameter ${shown}; a ${type} URL takes ${allowed.join(', ')}`,
      );
    if (params.has(name)) throw fail(`query parameter ${shown} is repeated`);
    params.set(name, value);
  }
  return params;
}

function applyParams(
  result: ConnectionUrl,
  params: Map<string, string>,
  fail: Fail,
): void {
  if (result.type === 'amqp') {
    for (const [name, value] of params) {
      const bounds = AMQP_PARAMS[name];
      const number = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
      if (!(number >= bounds.min && number <= bounds.max))
        throw fail(
          `query parameter "${name}" must be an integer from ${bounds.min} to ${bounds.max}`,
        );
      result.params[name] = number;
    }
    return;
  }
  if (result.type !== 'kafka') return;
  const tls = params.get('tls');
  if (tls !== undefined && tls !== 'true' && tls !== 'false')
    throw fail('query parameter "tls" must be true or false');
  const sasl = params.get('sasl');
  if (sasl !== undefined) {
    if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(sasl))
      throw fail(
        `query parameter "sasl" must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}`,
      );
    result.sasl = sasl as KafkaSaslMechanism;
  }
  const hasCredentials = result.username !== undefined;
  if (result.sasl !== undefined && result.password === undefined)
    throw fail(
      `sasl=${result.sasl} needs a user name and a password in the user-info, e.g. ${EXAMPLES.kafka}`,
    );
  if (hasCredentials && result.sasl === undefined)
    throw fail(
      `credentials need a SASL mechanism: add sasl=${KAFKA_SASL_MECHANISMS.join('|')}`,
    );
}

function decode(text: string, fail: Fail): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw fail(MALFORMED_ESCAPE_MESSAGE);
  }
}

function firstIndexOf(text: string, characters: string[]): number {
  const found = characters
    .map((c) => text.indexOf(c))
    .filter((index) => index !== -1);
  return found.length === 0 ? text.length : Math.min(...found);
}
