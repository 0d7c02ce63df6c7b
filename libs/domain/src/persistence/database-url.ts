/**
 * DATABASE_URL as libpq reads it, including the multi-host form that a highly available
 * cluster needs (docs/operations.md, "A PostgreSQL cluster"):
 *
 *   postgres://user:password@host1:5432,host2:5432,host3:5432/db?target_session_attrs=read-write
 *
 * node-postgres takes one host per URL and ignores `target_session_attrs`, so the URL is
 * taken apart here: each host becomes a single-host URL that node-postgres reads as
 * usual, and the session attribute says which of them will do (failover-client.ts).
 * Only sessions that can write are ever wanted: the scheduler reads leases and claims
 * work, which a standby could only answer with stale rows.
 *
 * Error messages never quote the URL: it may carry a password.
 */

export interface DatabaseEndpoint {
  /** A host name or an IP address; IPv6 without brackets. */
  host: string;
  port: number;
}

/**
 * libpq's values that we accept: `any` (the first host that answers), `read-write` (a
 * session that can write: not a standby, default_transaction_read_only off) and
 * `primary` (not a standby). Those that want a standby are refused.
 */
export const TARGET_SESSION_ATTRS = ['any', 'read-write', 'primary'] as const;
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

export interface DatabaseUrl {
  endpoints: DatabaseEndpoint[];
  targetSessionAttrs: TargetSessionAttrs;
  /**
   * Whether connecting needs more than node-postgres does: several hosts, or a session
   * attribute to check. A plain single-host URL is used as given.
   */
  needsFailover: boolean;
  /** `endpoint` as a single-host URL node-postgres reads, without `target_session_attrs`. */
  urlFor(endpoint: DatabaseEndpoint): string;
}

export const DEFAULT_POSTGRES_PORT = 5432;
/** More hosts than a cluster has is a typo. */
export const MAX_DATABASE_HOSTS = 16;

const SCHEME = /^(postgres|postgresql):\/\//i;
const PORT = /^\d{1,5}$/;
const IPV6 = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/;
const HOST_NAME = /^[A-Za-z0-9_.-]+$/;

function splitEndpoint(text: string): DatabaseEndpoint {
  let host: string;
  let port: string | undefined;
  const v6 = IPV6.exec(text);
  if (v6) {
    host = v6[1];
    port = v6[2];
  } else {
    const colon = text.lastIndexOf(':');
    host = colon === -1 ? text : text.slice(0, colon);
    port = colon === -1 ? undefined : text.slice(colon + 1);
    if (!HOST_NAME.test(host))
      throw new Error(
        'has a host that is not a host name or an IP address (IPv6 goes in brackets)',
      );
  }
  if (port === undefined || port === '')
    return { host, port: DEFAULT_POSTGRES_PORT };
  const number = Number(port);
  if (!PORT.test(port) || number < 1 || number > 65_535)
    throw new Error('has a port that is not a number from 1 to 65535');
  return { host, port: number };
}

function hostText({ host, port }: DatabaseEndpoint): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Parses DATABASE_URL; throws an Error saying what is wrong, without quoting the URL. */
export function parseDatabaseUrl(raw: string): DatabaseUrl {
  const text = raw.trim();
  const scheme = SCHEME.exec(text);
  if (!scheme)
    throw new Error(
      'must be a URL of the form postgres://user:password@host:5432/database',
    );
  const rest = text.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  const at = authority.lastIndexOf('@');
  const userInfo = at === -1 ? '' : authority.slice(0, at + 1);
  const hostList = authority.slice(at + 1);
  if (hostList === '') {
    // No host in the authority (a socket folder in `?host=`): node-postgres's own reading.
    try {
      new URL(text);
    } catch {
      throw new Error('must be an absolute URL');
    }
    if (/[?&]target_session_attrs=/.test(tail))
      throw new Error('lists no host for target_session_attrs to choose from');
    return {
      endpoints: [],
      targetSessionAttrs: 'any',
      needsFailover: false,
      urlFor: () => text,
    };
  }
  const endpoints = hostList.split(',').map((part) => {
    if (part === '') throw new Error('has an empty host in its host list');
    return splitEndpoint(part);
  });
  if (endpoints.length > MAX_DATABASE_HOSTS)
    throw new Error(`lists more than ${MAX_DATABASE_HOSTS} hosts`);

  const base = `postgres://${userInfo}${hostText(endpoints[0])}${tail}`;
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new Error('must be an absolute URL');
  }
  if (parsed.hash !== '')
    throw new Error(
      'must not contain "#"; percent-encode it as %23 in a password',
    );
  const attrs = parsed.searchParams.get('target_session_attrs') ?? 'any';
  if (!(TARGET_SESSION_ATTRS as readonly string[]).includes(attrs))
    throw new Error(
      `target_session_attrs must be one of ${TARGET_SESSION_ATTRS.join(', ')}: the apps claim work and read leases, which a standby cannot serve`,
    );
  parsed.searchParams.delete('target_session_attrs');
  const query = parsed.searchParams.toString();
  const path = parsed.pathname;
  const targetSessionAttrs = attrs as TargetSessionAttrs;
  return {
    endpoints,
    targetSessionAttrs,
    needsFailover: endpoints.length > 1 || targetSessionAttrs !== 'any',
    urlFor: (endpoint) =>
      `postgres://${userInfo}${hostText(endpoint)}${path}${query ? `?${query}` : ''}`,
  };
}

/**
 * Whether a session can be used, from what the server reports at start-up (PostgreSQL 14
 * and later report both in ParameterStatus messages, as libpq reads them) or, for older
 * servers, from `show transaction_read_only` / `pg_is_in_recovery()` asked by the caller.
 */
export function sessionAcceptable(
  attrs: TargetSessionAttrs,
  session: { inHotStandby: boolean; defaultReadOnly: boolean },
): boolean {
  if (attrs === 'any') return true;
  if (session.inHotStandby) return false;
  return attrs === 'primary' || !session.defaultReadOnly;
}

/**
 * Which host to connect to: the one that last proved acceptable, else the first that
 * proves acceptable when every host is probed at once (a dead host then costs nothing
 * but its own probe). A failure on the known host forgets it, so the next connection
 * looks again: that is how the apps follow a failover unaided. Concurrent callers share
 * one round of probes.
 */
export class PrimaryLocator {
  private known: DatabaseEndpoint | undefined;
  private probing: Promise<DatabaseEndpoint> | undefined;

  constructor(
    private readonly endpoints: readonly DatabaseEndpoint[],
    /** Resolves true when the host answers and its session is acceptable. */
    private readonly probe: (endpoint: DatabaseEndpoint) => Promise<boolean>,
  ) {
    if (endpoints.length === 0) throw new Error('no database host to try');
  }

  /** The host to use now. Rejects when no host is acceptable. */
  locate(): Promise<DatabaseEndpoint> {
    if (this.known) return Promise.resolve(this.known);
    if (this.endpoints.length === 1) return Promise.resolve(this.endpoints[0]);
    this.probing ??= this.probeAll().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  /** The last host that proved acceptable, if any. */
  current(): DatabaseEndpoint | undefined {
    return this.known;
  }

  confirm(endpoint: DatabaseEndpoint): void {
    this.known = endpoint;
  }

  /** `endpoint` failed (refused, broke, or turned out a standby): look again next time. */
  forget(endpoint: DatabaseEndpoint): void {
    if (this.known?.host === endpoint.host && this.known.port === endpoint.port)
      this.known = undefined;
  }

  private async probeAll(): Promise<DatabaseEndpoint> {
    const attempts = this.endpoints.map(async (endpoint) => {
      if (await this.probe(endpoint)) return endpoint;
      throw new Error('not acceptable');
    });
    try {
      const found = await Promise.any(attempts);
      this.known = found;
      return found;
    } catch {
      throw Object.assign(
        new Error(
          `no acceptable database host among ${this.endpoints.length} (${this.endpoints.map(hostText).join(', ')}): all down or standbys`,
        ),
        // SQLSTATE 08001, "unable to establish connection": an outage the callers retry.
        { code: '08001' },
      );
    }
  }
}
