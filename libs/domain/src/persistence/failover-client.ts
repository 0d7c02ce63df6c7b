import { Client, type ClientConfig } from 'pg';
import {
  type DatabaseEndpoint,
  type DatabaseUrl,
  parseDatabaseUrl,
  PrimaryLocator,
  sessionAcceptable,
  type TargetSessionAttrs,
} from './database-url';

/**
 * node-postgres with libpq's multi-host failover (database-url.ts): a Client class that,
 * at connect time, picks the host the PrimaryLocator names, checks that the session is
 * acceptable (a primary that can write, for `target_session_attrs=read-write`), and
 * tells the locator when a host fails so the next connection looks again. The pool
 * (through TypeORM's `extra.Client`) and the scheduler's LISTEN connection use it, so
 * after a failover every new connection lands on the new primary, and none ever on a
 * standby: a standby's leases and due rows would be stale.
 *
 * The check costs no round trip on PostgreSQL 14 and later, which report
 * `in_hot_standby` and `default_transaction_read_only` at start-up; older servers are
 * asked `show transaction_read_only` and `pg_is_in_recovery()`.
 */

/** How long a probe of one host may take before it counts as down (ms). */
export const PROBE_TIMEOUT_MS = 3_000;

type ClientClass = typeof Client;
type ConnectCallback =
  | ((err: Error) => void)
  | ((err: null, c: Client) => void);

interface StartupStatus {
  parameterName: string;
  parameterValue: string;
}

async function readSession(
  client: Client,
  reported: Map<string, string>,
): Promise<{ inHotStandby: boolean; defaultReadOnly: boolean }> {
  const standby = reported.get('in_hot_standby');
  const readOnly = reported.get('default_transaction_read_only');
  if (standby !== undefined && readOnly !== undefined)
    return {
      inHotStandby: standby === 'on',
      defaultReadOnly: readOnly === 'on',
    };
  const { rows } = await client.query<{ standby: boolean; read_only: string }>(
    `select pg_is_in_recovery() as standby, current_setting('transaction_read_only') as read_only`,
  );
  const row = rows.at(0);
  return {
    inHotStandby: row?.standby === true,
    defaultReadOnly: row?.read_only === 'on',
  };
}

/** Collects the ParameterStatus messages of a connection that has not started yet. */
function listenForStatus(client: Client): Map<string, string> {
  const reported = new Map<string, string>();
  (client.connection as unknown as NodeJS.EventEmitter).on(
    'parameterStatus',
    (message: StartupStatus) =>
      reported.set(message.parameterName, message.parameterValue),
  );
  return reported;
}

function unacceptable(
  endpoint: DatabaseEndpoint,
  attrs: TargetSessionAttrs,
): Error {
  return Object.assign(
    new Error(
      `${endpoint.host}:${endpoint.port} is not a ${attrs} session (a standby or read-only): looking again`,
    ),
    // 08001: an outage to retry, as database-errors.ts reads it.
    { code: '08001' },
  );
}

/** Connects to `endpoint` alone and says whether its session is acceptable. */
async function probe(
  url: DatabaseUrl,
  endpoint: DatabaseEndpoint,
  config: ClientConfig,
): Promise<boolean> {
  const client = new Client({
    ...config,
    connectionString: url.urlFor(endpoint),
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    query_timeout: PROBE_TIMEOUT_MS,
  });
  client.on('error', () => undefined);
  const reported = listenForStatus(client);
  try {
    await client.connect();
    return sessionAcceptable(
      url.targetSessionAttrs,
      await readSession(client, reported),
    );
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function failoverClientClass(url: DatabaseUrl): ClientClass {
  let probeConfig: ClientConfig = {};
  const locator = new PrimaryLocator(url.endpoints, (endpoint) =>
    probe(url, endpoint, probeConfig),
  );

  class FailoverClient extends Client {
    constructor(config?: ClientConfig | string) {
      const options = typeof config === 'string' ? {} : { ...config };
      super({ ...options, connectionString: url.urlFor(url.endpoints[0]) });
      // Probes connect with the same user, database and timeouts, never our own Client class.
      const { application_name, connectionTimeoutMillis, keepAlive } = options;
      probeConfig = { application_name, connectionTimeoutMillis, keepAlive };
    }

    override connect(): Promise<Client>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<Client> | void {
      const connecting = this.connectToAcceptableHost().then(() => this);
      if (!callback) return connecting;
      connecting.then(
        (client) => (callback as (err: null, c: Client) => void)(null, client),
        (error: unknown) =>
          (callback as (err: Error) => void)(
            error instanceof Error ? error : new Error(String(error)),
          ),
      );
    }

    private async connectToAcceptableHost(): Promise<void> {
      const endpoint = await locator.locate();
      this.host = endpoint.host;
      this.port = endpoint.port;
      // A connection that breaks later may mean a failover: the next one looks again.
      this.on('error', () => locator.forget(endpoint));
      const reported = listenForStatus(this);
      try {
        await super.connect();
      } catch (error) {
        locator.forget(endpoint);
        throw error;
      }
      const session = await readSession(this, reported).catch(
        (error: unknown) => {
          locator.forget(endpoint);
          throw error;
        },
      );
      if (!sessionAcceptable(url.targetSessionAttrs, session)) {
        locator.forget(endpoint);
        await this.end().catch(() => undefined);
        throw unacceptable(endpoint, url.targetSessionAttrs);
      }
      locator.confirm(endpoint);
    }
  }
  return FailoverClient;
}

const classes = new Map<string, ClientClass>();

/**
 * The node-postgres Client class for DATABASE_URL `raw`: pg's own for a plain single-host
 * URL, else one with failover (one per URL, so every pool and listener of a process
 * shares what it learnt about which host is the primary).
 */
export function databaseClientClass(raw: string): ClientClass {
  const url = parseDatabaseUrl(raw);
  if (!url.needsFailover) return Client;
  let found = classes.get(raw);
  if (!found) {
    found = failoverClientClass(url);
    classes.set(raw, found);
  }
  return found;
}

/** A Client for DATABASE_URL `raw` (any form parseDatabaseUrl takes) with `config` besides. */
export function createDatabaseClient(
  raw: string,
  config: Omit<ClientConfig, 'connectionString'> = {},
): Client {
  const url = parseDatabaseUrl(raw);
  if (!url.needsFailover)
    return new Client({ ...config, connectionString: raw });
  return new (databaseClientClass(raw))({
    ...config,
    connectionString: url.urlFor(url.endpoints[0]),
  });
}
