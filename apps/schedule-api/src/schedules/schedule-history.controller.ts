import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  NotFoundError,
  type Principal,
  SCHEDULE_HISTORY_ACTIONS,
  type ScheduleHistoryAction,
  type ScheduleHistoryActor,
  type ScheduleHistoryEntry,
  type ScheduleHistoryResponse,
  historyEntryOf,
} from '@scheduleman/domain';
import { AuditEventsRepository } from '../audit/audit-events.repository';
import { toAuditEvent } from '../audit/audit-events.service';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { IdPipe } from '../http/id.pipe';
import { decodeCursor, encodeCursor } from './cursor';
import { DEFAULT_PAGE_LIMIT, PageQueryDto } from './dto/queries.dto';
import { ErrorResponseDto } from './dto/responses.dto';
import { SchedulesRepository } from './schedules.repository';

const ERROR = { type: ErrorResponseDto };

class ScheduleHistoryActorDto implements ScheduleHistoryActor {
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The API key that made the change; null for ADMIN_API_KEY.',
  })
  keyId: string | null;

  @ApiProperty({ nullable: true, type: String })
  owner: string | null;

  @ApiPropertyOptional({
    type: String,
    description:
      'Only when no key made the change: the scheduler that did (the end of a pausedUntil).',
  })
  scheduler?: string;
}

class ScheduleHistoryEntryDto implements ScheduleHistoryEntry {
  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ enum: SCHEDULE_HISTORY_ACTIONS })
  action: ScheduleHistoryAction;

  @ApiProperty({ type: ScheduleHistoryActorDto })
  actor: ScheduleHistoryActor;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The note sent with a pause or a resume.',
  })
  note: string | null;

  @ApiPropertyOptional({
    type: [String],
    description: 'For `updated`: the names of the fields the edit sent.',
  })
  changes?: string[];
}

class ScheduleHistoryResponseDto implements ScheduleHistoryResponse {
  @ApiProperty({ type: [ScheduleHistoryEntryDto] })
  items: ScheduleHistoryEntry[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

/**
 * `GET /schedules/:id/history`: the changes made to one schedule, newest first, read
 * from the audit log (audit_events_schedule_list_idx). Unlike `GET /audit-events` it is
 * for the schedule's owner: the scope and visibility of reading the schedule.
 */
@ApiTags('schedules')
@ApiBearerAuth()
@ApiUnauthorizedResponse(ERROR)
@ApiForbiddenResponse(ERROR)
@Controller('schedules')
export class ScheduleHistoryController {
  constructor(
    private readonly schedules: SchedulesRepository,
    private readonly events: AuditEventsRepository,
  ) {}

  @RequireScope('schedules:read')
  @Get(':id/history')
  @ApiOperation({
    summary: 'Schedule history: creation, edits, pauses, resumes, runs now',
    description:
      'Newest first (keyset pagination). Who made each change, when, the note given with a pause or resume, and for an edit the names of the fields it sent.',
  })
  @ApiOkResponse({ type: ScheduleHistoryResponseDto })
  @ApiNotFoundResponse(ERROR)
  async history(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<ScheduleHistoryResponse> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const cursor = query.cursor ? decodeCursor(query.cursor, true) : undefined;
    if (!(await this.schedules.exists(id, principal.owner)))
      throw new NotFoundError('schedule', id);
    const rows = await this.events.list({ scheduleId: id, cursor, limit });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page
        .map((row) => historyEntryOf(toAuditEvent(row)))
        .filter((entry) => entry !== null),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ at: last.at_key, id: last.id })
          : null,
    };
  }
}
