import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AuditEntry, Calendar, Exclusion } from '@scheduleman/domain';
import type { CalendarTableRow } from '@scheduleman/domain/persistence';
import type { DataSource } from 'typeorm';
import { auditEventParams } from '../audit/audit-events.sql';
import type { CursorKey } from '../schedules/cursor';
import type { Queryable } from '../schedules/schedules.repository';
import * as sql from './calendars.sql';

/** A calendars row as calendars.sql.ts selects it. */
export type CalendarRow = Pick<
  CalendarTableRow,
  'id' | 'owner' | 'name' | 'exclusions' | 'created_at'
> & {
  /** created_at as UTC text with microseconds, the keyset of the list. */
  created_at_key: string;
};

/** Runs calendars.sql.ts; methods that take a Queryable run in the caller's transaction. */
@Injectable()
export class CalendarsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', (manager) =>
      work(manager),
    );
  }

  /** The inserted row, or undefined when the owner already has a calendar of this name. */
  async insert(
    calendar: {
      id: string;
      owner: string | null;
      name: string;
      exclusions: Exclusion[];
    },
    audit: AuditEntry,
  ): Promise<CalendarRow | undefined> {
    const rows: CalendarRow[] = await this.dataSource.query(
      sql.INSERT_CALENDAR,
      [
        calendar.id,
        calendar.owner,
        calendar.name,
        JSON.stringify(calendar.exclusions),
        ...auditEventParams(audit),
      ],
    );
    return rows[0];
  }

  async find(
    id: string,
    owner: string | null,
  ): Promise<CalendarRow | undefined> {
    const rows: CalendarRow[] = await this.dataSource.query(
      sql.SELECT_CALENDAR,
      [id, owner],
    );
    return rows[0];
  }

  async list(query: {
    owner?: string;
    cursor?: CursorKey;
    limit: number;
  }): Promise<CalendarRow[]> {
    const { sql: text, params } = sql.listCalendarsSql(query);
    return this.dataSource.query(text, params);
  }

  /** FOR SHARE until `tx` ends (LOCK_CALENDARS_FOR_USE); without `tx`, a plain read. */
  async findMany(ids: readonly string[], tx?: Queryable): Promise<Calendar[]> {
    if (ids.length === 0) return [];
    return (tx ?? this.dataSource).query(
      tx ? sql.LOCK_CALENDARS_FOR_USE : sql.SELECT_CALENDARS,
      [ids],
    );
  }

  async lockForDelete(
    tx: Queryable,
    id: string,
    owner: string | null,
  ): Promise<boolean> {
    const rows: unknown[] = await tx.query(sql.LOCK_CALENDAR_FOR_DELETE, [
      id,
      owner,
    ]);
    return rows.length > 0;
  }

  async schedulesUsing(
    tx: Queryable,
    id: string,
  ): Promise<{ scheduleIds: string[]; total: number }> {
    const rows: { id: string; total: number }[] = await tx.query(
      sql.SCHEDULES_USING_CALENDAR,
      [id, sql.MAX_LISTED_SCHEDULES],
    );
    return {
      scheduleIds: rows.map((row) => row.id),
      total: rows[0]?.total ?? 0,
    };
  }

  async delete(tx: Queryable, id: string, audit: AuditEntry): Promise<void> {
    await tx.query(sql.DELETE_CALENDAR, [id, ...auditEventParams(audit)]);
  }
}
