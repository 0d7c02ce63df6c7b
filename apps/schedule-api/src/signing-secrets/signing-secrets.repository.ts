import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { CursorKey } from '../schedules/cursor';
import * as sql from './signing-secrets.sql';

/** A signing_secrets row as signing-secrets.sql.ts selects it (never the secret). */
export interface SigningSecretRow {
  id: string;
  owner: string;
  fingerprint: string;
  created_at: Date;
  retired_at: Date | null;
  created_at_key: string;
}

@Injectable()
export class SigningSecretsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Undefined when the owner already holds `maxActive` active secrets. */
  insert(
    secret: { id: string; owner: string; sealed: string; fingerprint: string },
    maxActive: number,
  ): Promise<SigningSecretRow | undefined> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(sql.LOCK_OWNER_SIGNING_SECRETS, [secret.owner]);
      const rows: SigningSecretRow[] = await tx.query(
        sql.INSERT_SIGNING_SECRET,
        [secret.id, secret.owner, secret.sealed, secret.fingerprint, maxActive],
      );
      return rows.at(0);
    });
  }

  /** `owner` is the caller's (null: every owner); another owner's secret is not found. */
  async find(
    id: string,
    owner: string | null,
  ): Promise<SigningSecretRow | undefined> {
    const rows: SigningSecretRow[] = await this.dataSource.query(
      sql.SELECT_SIGNING_SECRET,
      [id, owner],
    );
    return rows.at(0);
  }

  async retire(
    id: string,
    owner: string | null,
  ): Promise<SigningSecretRow | undefined> {
    const result: unknown[] = await this.dataSource.query(
      sql.RETIRE_SIGNING_SECRET,
      [id, owner],
    );
    // TypeORM returns [rows, affected] for an UPDATE on PostgreSQL.
    const rows = (
      Array.isArray(result[0]) ? result[0] : result
    ) as SigningSecretRow[];
    return rows.at(0);
  }

  list(query: {
    owner?: string;
    cursor?: CursorKey;
    limit: number;
  }): Promise<SigningSecretRow[]> {
    const { sql: text, params } = sql.listSigningSecretsSql(query);
    return this.dataSource.query(text, params);
  }
}
