import { Injectable } from '@nestjs/common';
import type { AuditEvent, AuditEventListResponse } from '@scheduleman/domain';
import { decodeCursor, keysetPage } from '../schedules/cursor';
import { DEFAULT_PAGE_LIMIT } from '../schedules/dto/queries.dto';
import {
  type AuditEventRow,
  AuditEventsRepository,
} from './audit-events.repository';
import type { ListAuditEventsQueryDto } from './dto/audit-event.dto';

/** `GET /audit-events` (admin): the audit log, newest first (docs/security.md, "Audit log"). */
@Injectable()
export class AuditEventsService {
  constructor(private readonly repo: AuditEventsRepository) {}

  async list(query: ListAuditEventsQueryDto): Promise<AuditEventListResponse> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const cursor = query.cursor ? decodeCursor(query.cursor, true) : undefined;
    const rows = await this.repo.list({
      owner: query.owner,
      scheduleId: query.scheduleId,
      action: query.action,
      cursor,
      limit,
    });
    return keysetPage(rows, limit, toAuditEvent, (row) => ({
      at: row.at_key,
      id: row.id,
    }));
  }
}

export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    at: row.at.toISOString(),
    action: row.action,
    actorKeyId: row.actor_key_id,
    actorOwner: row.actor_owner,
    owner: row.owner,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    scheduleId: row.schedule_id,
    details: row.details,
  };
}
