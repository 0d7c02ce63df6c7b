import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AuditEntry, Scope } from '@scheduleman/domain';
import { API_KEY_REVOKED_CHANNEL } from '@scheduleman/domain/persistence';
import {
  databaseFeaturesOf,
  namedStatements,
  preparedStatementsOf,
  queryPrepared,
} from '@scheduleman/runtime';
import type { DataSource } from 'typeorm';
import { auditEventParams } from '../audit/audit-events.sql';
import type { CursorKey } from '../schedules/cursor';
import { NOTIFY } from '../schedules/schedules.sql';
import * as sql from './api-keys.sql';

/** An api_keys row as api-keys.sql.ts selects it (never the hash). */
export interface ApiKeyRow {
  id: string;
  name: string | null;
  owner: string;
  scopes: Scope[];
  key_prefix: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at_key: string;
}

/** What authentication reads: the key's identity and whether it is usable now. */
export interface KeyLookup {
  id: string;
  owner: string;
  scopes: Scope[];
  expires_at: Date | null;
  revoked: boolean;
  expired: boolean;
}

/** Once per request that is not served from the key cache: parsed and planned once per connection. */
const NAMED = namedStatements('api', {
  AUTHENTICATE_API_KEY: sql.AUTHENTICATE_API_KEY,
});

@Injectable()
export class ApiKeysRepository {
  private readonly prepared: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.prepared = preparedStatementsOf(dataSource);
  }

  /** With its event (INSERT_API_KEY). */
  async insert(
    key: {
      id: string;
      name: string | null;
      owner: string;
      scopes: Scope[];
      hash: Buffer;
      prefix: string;
      expiresAt: Date | null;
    },
    audit: AuditEntry,
  ): Promise<ApiKeyRow> {
    const rows: ApiKeyRow[] = await this.dataSource.query(sql.INSERT_API_KEY, [
      key.id,
      key.name,
      key.owner,
      key.scopes,
      key.hash,
      key.prefix,
      key.expiresAt,
      ...auditEventParams(audit),
    ]);
    return rows[0];
  }

  async findByHash(hash: Buffer): Promise<KeyLookup | undefined> {
    const rows = await queryPrepared<KeyLookup[]>(
      this.dataSource,
      NAMED.AUTHENTICATE_API_KEY,
      [hash],
      this.prepared,
    );
    return rows[0];
  }

  async find(id: string): Promise<ApiKeyRow | undefined> {
    const rows: ApiKeyRow[] = await this.dataSource.query(sql.SELECT_API_KEY, [
      id,
    ]);
    return rows[0];
  }

  /**
   * The key after the revoke (REVOKE_API_KEY: the first one records the event), and a
   * NOTIFY on API_KEY_REVOKED_CHANNEL delivered at its commit, so every API process
   * drops its cached keys; none with DATABASE_FEATURES=portable (the cache's TTL bounds it).
   */
  async revoke(id: string, audit: AuditEntry): Promise<ApiKeyRow | undefined> {
    return this.dataSource.transaction('READ COMMITTED', async (tx) => {
      const rows: ApiKeyRow[] = await tx.query(sql.REVOKE_API_KEY, [
        id,
        ...auditEventParams(audit),
      ]);
      if (rows[0] && databaseFeaturesOf(this.dataSource) !== 'portable')
        await tx.query(NOTIFY, [API_KEY_REVOKED_CHANNEL, id]);
      return rows[0];
    });
  }

  async list(query: {
    owner?: string;
    cursor?: CursorKey;
    limit: number;
  }): Promise<ApiKeyRow[]> {
    const { sql: text, params } = sql.listApiKeysSql(query);
    return this.dataSource.query(text, params);
  }
}
