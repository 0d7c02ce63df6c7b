import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AuditEntry } from '@scheduleman/domain';
import type { DataSource } from 'typeorm';
import { auditEventParams } from '../audit/audit-events.sql';
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

  /** Undefined when the owner already holds `maxActive` active secrets. With its event. */
  insert(
    secret: { id: string; owner: string; sealed: string; fingerprint: string },
    maxActive: number,
    audit: AuditEntry,
  ): Promise<SigningSecretRow | undefined> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(sql.LOCK_OWNER_SIGNING_SECRETS, [
        sql.signingSecretsLockName(secret.owner),
      ]);
      const rows: SigningSecretRow[] = await tx.query(
        sql.INSERT_SIGNING_SECRET,
        [
          secret.id,
          secret.owner,
          secret.sealed,
          secret.fingerprint,
          maxActive,
          ...auditEventParams(audit),
        ],
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

  /** The secret after the retire (RETIRE_SIGNING_SECRET: the first one records the event). */
  async retire(
    id: string,
    owner: string | null,
    audit: AuditEntry,
  ): Promise<SigningSecretRow | undefined> {
    const rows: SigningSecretRow[] = await this.dataSource.query(
      sql.RETIRE_SIGNING_SECRET,
      [id, owner, ...auditEventParams(audit)],
    );
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
