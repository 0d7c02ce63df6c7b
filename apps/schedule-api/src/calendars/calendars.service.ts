import { Injectable, Logger } from '@nestjs/common';
import {
  auditEntry,
  type CalendarListResponse,
  type CalendarResponse,
  ConflictError,
  MAX_CALENDAR_EXCLUSIONS,
  NotFoundError,
  ownerFilter,
  ownerFor,
  parseConnectionName,
  parseExclusions,
  type Principal,
  ValidationError,
} from '@scheduleman/domain';
import { InvalidRequestError } from '@scheduleman/runtime';
import { randomUUID } from 'node:crypto';
import { createdAtKey, decodeCursor, keysetPage } from '../schedules/cursor';
import { usedBySchedulesMessage } from '../schedules/schedules-using';
import { DEFAULT_PAGE_LIMIT } from '../schedules/dto/queries.dto';
import { type CalendarRow, CalendarsRepository } from './calendars.repository';
import type {
  CreateCalendarDto,
  ListCalendarsQueryDto,
} from './dto/calendar.dto';

/** A valid request refused because of what exists: `field` names the cause. */
export class CalendarConflictError extends ConflictError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `/calendars` (docs/time.md, "Calendars"): named lists of exclusions, owned like
 * connections (another owner's calendar is a 404). A calendar cannot be changed, only
 * created and deleted; deleting one that schedules name is a 409 naming them.
 */
@Injectable()
export class CalendarsService {
  private readonly logger = new Logger(CalendarsService.name);

  constructor(private readonly repo: CalendarsRepository) {}

  async create(
    principal: Principal,
    dto: CreateCalendarDto,
  ): Promise<CalendarResponse> {
    const owner = ownerFor(principal, dto.owner);
    const { name, exclusions } = parseCalendarInput(dto);
    const row = await this.repo.insert(
      { id: randomUUID(), owner, name, exclusions },
      auditEntry(principal, 'calendar.created', {
        name,
        exclusions: exclusions.length,
      }),
    );
    if (!row)
      throw new CalendarConflictError(
        'name',
        `a calendar named ${JSON.stringify(name)} already exists for this owner`,
      );
    this.logger.log({ msg: 'calendar created', calendarId: row.id, owner });
    return toCalendarResponse(row);
  }

  async get(principal: Principal, id: string): Promise<CalendarResponse> {
    const row = await this.repo.find(id, principal.owner);
    if (!row) throw new NotFoundError('calendar', id);
    return toCalendarResponse(row);
  }

  async list(
    principal: Principal,
    query: ListCalendarsQueryDto,
  ): Promise<CalendarListResponse> {
    const owner = ownerFilter(principal, query.owner);
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const cursor = query.cursor ? decodeCursor(query.cursor, true) : undefined;
    const rows = await this.repo.list({ owner, cursor, limit });
    return keysetPage(rows, limit, toCalendarResponse, createdAtKey);
  }

  /** 409 naming `id` while schedules name the calendar (the message lists them). */
  async delete(principal: Principal, id: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      if (!(await this.repo.lockForDelete(tx, id, principal.owner)))
        throw new NotFoundError('calendar', id);
      const users = await this.repo.schedulesUsing(tx, id);
      if (users.total > 0)
        throw new CalendarConflictError(
          'id',
          usedBySchedulesMessage(
            'calendar',
            users,
            'remove it from their calendarIds first',
          ),
        );
      await this.repo.delete(tx, id, auditEntry(principal, 'calendar.deleted'));
    });
    this.logger.log({ msg: 'calendar deleted', calendarId: id });
  }
}

/** Both fields checked; both problems reported when both are bad. */
function parseCalendarInput(dto: CreateCalendarDto) {
  const problems: ValidationError[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(error);
      return undefined;
    }
  };
  const name = attempt(() => parseConnectionName(dto.name));
  const exclusions = attempt(() =>
    parseExclusions(dto.exclusions, 'exclusions', MAX_CALENDAR_EXCLUSIONS),
  );
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1 || name === undefined || exclusions === undefined)
    throw new InvalidRequestError(
      problems.map((p) => ({
        field: p.field,
        message: p.message.slice(p.field.length + 2),
      })),
    );
  return { name, exclusions };
}

export function toCalendarResponse(row: CalendarRow): CalendarResponse {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    exclusions: row.exclusions,
    createdAt: row.created_at.toISOString(),
  };
}
