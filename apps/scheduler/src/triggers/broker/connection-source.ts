import type { LoggerService } from '@nestjs/common';
import {
  type ConnectionType,
  type ConnectionUrl,
  connectionUrlContext,
  errorMessage,
  isConnectionType,
  isSealed,
  type NetworkPolicy,
  parseConnectionUrl,
  type SecretBox,
} from '@scheduleman/domain';
import {
  type ConnectionForFiringRow,
  SELECT_CONNECTION_FOR_FIRING,
} from '@scheduleman/domain/persistence';
import { FreshReadCache } from '../../support/fresh-read-cache';

/**
 * How long a connection, once read, is used without being read again: a deleted
 * connection is no longer published through (and its client is closed) by the first
 * attempt that starts this long after `DELETE /connections/:id` answered.
 */
export const CONNECTION_CACHE_MS = 5_000;
const MAX_CACHED_CONNECTIONS = 10_000;

/** A stored connection, its URL opened and taken apart. */
export interface ResolvedConnection {
  id: string;
  owner: string | null;
  name: string;
  type: ConnectionType;
  url: ConnectionUrl;
}

/** Why a stored connection cannot be used; the message holds no URL and no secret. */
export interface UnusableConnection {
  id: string;
  owner: string | null;
  unusable: string;
}

export type StoredConnection = ResolvedConnection | UnusableConnection;

/** What the source runs its statement on (a TypeORM DataSource, or a pg Pool in tests). */
export interface ConnectionQueryable {
  query(sql: string, params: unknown[]): Promise<unknown>;
}

/**
 * The connections broker triggers publish through, read from the database and opened
 * with the SecretBox (context `connection:<id>:url`), cached per id for
 * CONNECTION_CACHE_MS. The URL is parsed again here, under this scheduler's network
 * policy (WEBHOOK_ALLOWED_NETWORKS): a literal address the policy refuses is unusable,
 * even if an API with another policy stored it.
 */
export class ConnectionSource {
  private readonly cache: FreshReadCache<StoredConnection | undefined>;

  constructor(
    private readonly db: ConnectionQueryable,
    private readonly box: SecretBox | null,
    private readonly policy: NetworkPolicy,
    private readonly logger?: LoggerService,
    options: { ttlMs?: number; nowMs?: () => number } = {},
  ) {
    this.cache = new FreshReadCache((id) => this.read(id), {
      ttlMs: options.ttlMs ?? CONNECTION_CACHE_MS,
      nowMs: options.nowMs,
      maxKeys: MAX_CACHED_CONNECTIONS,
      what: 'the connection',
    });
  }

  /** The connection, or undefined when it does not exist (deleted). */
  get(id: string): Promise<StoredConnection | undefined> {
    return this.cache.get(id);
  }

  private async read(id: string): Promise<StoredConnection | undefined> {
    let rows: ConnectionForFiringRow[];
    try {
      rows = (await this.db.query(SELECT_CONNECTION_FOR_FIRING, [
        id,
      ])) as ConnectionForFiringRow[];
    } catch (error) {
      this.logger?.warn({
        msg: 'a connection could not be read',
        connectionId: id,
        reason: errorMessage(error),
      });
      throw new Error('the connection could not be read from the database');
    }
    const row = rows.at(0);
    if (row === undefined) return undefined;
    const unusable = (why: string): UnusableConnection => {
      this.logger?.error({
        msg: 'a connection cannot be used',
        connectionId: id,
        reason: why,
      });
      return { id, owner: row.owner, unusable: why };
    };
    if (!isConnectionType(row.type))
      return unusable(`unknown connection type "${row.type}"`);
    let text: string;
    try {
      text = this.open(row);
    } catch (error) {
      // SecretsKeyError names the key id, never a value.
      return unusable(`its URL cannot be opened: ${errorMessage(error)}`);
    }
    try {
      return {
        id,
        owner: row.owner,
        name: row.name,
        type: row.type,
        url: parseConnectionUrl(row.type, text, this.policy),
      };
    } catch (error) {
      // ValidationError messages never quote the URL (connection-url.ts).
      return unusable(errorMessage(error));
    }
  }

  private open(row: ConnectionForFiringRow): string {
    if (!isSealed(row.url_sealed)) return row.url_sealed;
    if (!this.box)
      throw new Error(
        'it is sealed, and this scheduler has no SECRETS_KEY to open it',
      );
    return this.box.open(row.url_sealed, connectionUrlContext(row.id));
  }
}
