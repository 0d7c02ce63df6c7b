import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  AuditEntry,
  ConnectionRef,
  ConnectionType,
} from '@scheduleman/domain';
import type { DataSource } from 'typeorm';
import { auditEventParams } from '../audit/audit-events.sql';
import type { CursorKey } from '../schedules/cursor';
import type { Queryable } from '../schedules/schedules.repository';
import * as sql from './connections.sql';

/** A connections row as connections.sql.ts selects it: never url_sealed. */
export interface ConnectionRow {
  id: string;
  owner: string | null;
  name: string;
  type: ConnectionType;
  url_masked: string;
  created_at: Date;
  /** created_at as UTC text with microseconds, the keyset of the list. */
  created_at_key: string;
}

/** The schedules a connection is used by: the first few ids, and how many in all. */
export interface ConnectionUsers {
  scheduleIds: string[];
  total: number;
}

/** Runs connections.sql.ts; methods that take a Queryable run in the caller's transaction. */
@Injectable()
export class ConnectionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', (manager) =>
      work(manager),
    );
  }

  /** The inserted row (with its event), or undefined when the owner already has a connection of this name. */
  async insert(
    connection: {
      id: string;
      owner: string | null;
      name: string;
      type: ConnectionType;
      urlSealed: string;
      urlMasked: string;
    },
    audit: AuditEntry,
  ): Promise<ConnectionRow | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(
      sql.INSERT_CONNECTION,
      [
        connection.id,
        connection.owner,
        connection.name,
        connection.type,
        connection.urlSealed,
        connection.urlMasked,
        ...auditEventParams(audit),
      ],
    );
    return rows[0];
  }

  /** `owner` null: any owner; else only a connection of that owner is found. */
  async find(
    id: string,
    owner: string | null,
  ): Promise<ConnectionRow | undefined> {
    const rows: ConnectionRow[] = await this.dataSource.query(
      sql.SELECT_CONNECTION,
      [id, owner],
    );
    return rows[0];
  }

  async list(query: {
    owner?: string;
    cursor?: CursorKey;
    limit: number;
  }): Promise<ConnectionRow[]> {
    const { sql: text, params } = sql.listConnectionsSql(query);
    return this.dataSource.query(text, params);
  }

  /** FOR SHARE until `tx` ends; see LOCK_CONNECTION_FOR_USE. */
  async lockForUse(
    tx: Queryable,
    id: string,
  ): Promise<ConnectionRef | undefined> {
    const rows: ConnectionRef[] = await tx.query(sql.LOCK_CONNECTION_FOR_USE, [
      id,
    ]);
    return rows[0];
  }

  /** FOR UPDATE until `tx` ends; false when there is no such connection (for `owner`). */
  async lockForDelete(
    tx: Queryable,
    id: string,
    owner: string | null,
  ): Promise<boolean> {
    const rows: unknown[] = await tx.query(sql.LOCK_CONNECTION_FOR_DELETE, [
      id,
      owner,
    ]);
    return rows.length > 0;
  }

  async schedulesUsing(tx: Queryable, id: string): Promise<ConnectionUsers> {
    const rows: { id: string; total: number }[] = await tx.query(
      sql.SCHEDULES_USING_CONNECTION,
      [id, sql.MAX_LISTED_SCHEDULES],
    );
    return {
      scheduleIds: rows.map((row) => row.id),
      total: rows[0]?.total ?? 0,
    };
  }

  /** Returns how many schedules were deleted; `audit` is each one's `schedule.deleted`. */
  async deleteSchedulesUsing(
    tx: Queryable,
    id: string,
    audit: AuditEntry,
  ): Promise<number> {
    const rows: { deleted: number }[] = await tx.query(
      sql.DELETE_SCHEDULES_USING_CONNECTION,
      [id, ...auditEventParams(audit)],
    );
    return rows[0]?.deleted ?? 0;
  }

  async delete(tx: Queryable, id: string, audit: AuditEntry): Promise<void> {
    await tx.query(sql.DELETE_CONNECTION, [id, ...auditEventParams(audit)]);
  }
}
