import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  AuditAction,
  AuditDetails,
  AuditResourceType,
} from '@scheduleman/domain';
import type { DataSource } from 'typeorm';
import type { CursorKey } from '../schedules/cursor';
import * as sql from './audit-events.sql';

/** An audit_events row as audit-events.sql.ts selects it. */
export interface AuditEventRow {
  id: string;
  at: Date;
  action: AuditAction;
  actor_key_id: string | null;
  actor_owner: string | null;
  owner: string | null;
  resource_type: AuditResourceType;
  resource_id: string;
  schedule_id: string | null;
  details: AuditDetails;
  /** `at` as UTC text with microseconds, the keyset of the list. */
  at_key: string;
}

/** Reads the audit log; its rows are written by the statements of the changes themselves. */
@Injectable()
export class AuditEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(query: {
    owner?: string;
    scheduleId?: string;
    action?: string;
    cursor?: CursorKey;
    limit: number;
  }): Promise<AuditEventRow[]> {
    const { sql: text, params } = sql.listAuditEventsSql(query);
    return this.dataSource.query(text, params);
  }
}
